import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildUsers } from "../../support/builders.js";
import { launchChromium } from "../../support/browser.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateFlashSaleDocument,
  EndLiveSessionDocument,
  FlashSaleDocument,
  LiveSessionEventsDocument,
  PinToCartDocument,
  PlaceOrderDocument,
} from "../../support/generated/graphql.js";
import { alertSubscribers, alertSubscribersReach, fileAgreedPrice, guardedRoom } from "../../support/price-guard.js";
import { liveSale } from "../../support/scenarios.js";
import { startTcpProxy } from "../../support/tcp-proxy.js";

// Runs inside the page (the project compiles without the DOM library).
declare const document: any;
declare const getComputedStyle: (element: unknown) => { backgroundColor: string; fontSize: string };

/** Screenshots land here (ignored by git) for a person to look at. */
const ARTIFACTS = fileURLToPath(new URL("../../artifacts/", import.meta.url));

async function openOverlay(browser: Browser, url: string) {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    // A refused WebSocket handshake is what the overlay goes through while its network is cut.
    if (message.type() === "error" && !/^WebSocket connection to .* failed/.test(message.text()) && !message.text().startsWith("Failed to load resource")) problems.push(message.text());
  });
  const fonts: string[] = [];
  page.on("response", (response) => {
    if (!response.ok()) problems.push(`${response.status()} ${response.url()}`);
    if (response.url().endsWith(".woff2") && response.ok()) fonts.push(response.url());
  });
  await page.goto(url);
  return { page, problems, fonts };
}

const saleCard = (page: Page, flashSaleId: string, state: { status: string; remaining: number }) =>
  page.locator(`.sale[data-flash-sale-id="${flashSaleId}"][data-status="${state.status}"][data-remaining="${state.remaining}"]`);

describe("the live-room overlay in Chromium", () => {
  let gw: TestGateway;
  let browser: Browser;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startTestGateway("pglite", { env: { INVENTORY_COALESCE_MS: "50", VIEWER_TICK_MS: "100" } }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it("counts stock down as orders land, heals after its sockets are cut, shows SOLD_OUT and ENDED, in Chinese", async () => {
    const s = await liveSale(gw, { units: 5, limit: 2, stock: 20, productTitle: "四会冰种翡翠手镯", sessionTitle: "翡翠之夜 · 老铁专场" });
    const flashSaleId = s.flashSaleId!;
    const proxy = await startTcpProxy(gw.port);
    const { page, problems, fonts } = await openOverlay(browser, `http://127.0.0.1:${proxy.port}/overlay/${s.liveSessionId}`);
    try {
      await saleCard(page, flashSaleId, { status: "RUNNING", remaining: 5 }).waitFor();
      await page.locator("#title", { hasText: "翡翠之夜 · 老铁专场" }).waitFor();
      await page.locator("#cart .item", { hasText: "四会冰种翡翠手镯" }).waitFor();
      await expect(page.locator(`.sale[data-flash-sale-id="${flashSaleId}"] .product`).innerText()).resolves.toBe("四会冰种翡翠手镯");
      await expect(page.locator(`.sale[data-flash-sale-id="${flashSaleId}"] .amount`).innerText()).resolves.toBe("¥59.00");
      await page.locator('#viewers[data-viewers="1"]').waitFor();

      // A second viewer elsewhere moves the count.
      const viewer = collect(gw.ws(null), LiveSessionEventsDocument, { liveSessionId: s.liveSessionId });
      await page.locator('#viewers[data-viewers="2"]').waitFor();

      // The page is transparent, its numbers are large, and its Chinese text is drawn with the font the gateway serves.
      const look = await page.evaluate(async () => {
        await document.fonts.ready;
        const loaded = [...document.fonts].filter((f: any) => f.family.includes("Noto Sans SC") && f.status === "loaded").length;
        return {
          html: getComputedStyle(document.documentElement).backgroundColor,
          body: getComputedStyle(document.body).backgroundColor,
          remainingPx: parseFloat(getComputedStyle(document.querySelector(".sale .remaining")).fontSize),
          titlePx: parseFloat(getComputedStyle(document.querySelector("#title")).fontSize),
          loaded,
          drawsChinese: document.fonts.check('700 36px "Noto Sans SC Variable"', "四会冰种翡翠手镯"),
        };
      });
      expect(look).toMatchObject({ html: "rgba(0, 0, 0, 0)", body: "rgba(0, 0, 0, 0)", drawsChinese: true });
      expect(look.loaded).toBeGreaterThan(0);
      expect(look.remainingPx).toBeGreaterThanOrEqual(96);
      expect(look.titlePx).toBeGreaterThanOrEqual(40);
      expect(fonts.length).toBeGreaterThan(0);
      expect(fonts.every((url) => url.startsWith(`http://127.0.0.1:${proxy.port}/overlay/fonts/`))).toBe(true);

      const buyers = await buildUsers(gw.database.db, "BUYER", 3);
      const order = async (buyer: { id: number }, quantity: number) => {
        const placed = await gw.request(PlaceOrderDocument, { input: { flashSaleId, quantity, idempotencyKey: `overlay-${buyer.id}` } }, await gw.token(buyer.id, "BUYER"));
        expect(placed.data!.placeOrder.userErrors).toEqual([]);
      };
      await order(buyers[0]!, 2);
      await saleCard(page, flashSaleId, { status: "RUNNING", remaining: 3 }).waitFor();
      await order(buyers[1]!, 1);
      await saleCard(page, flashSaleId, { status: "RUNNING", remaining: 2 }).waitFor();

      // Every socket through the proxy dies, and stays dead while the last units sell.
      proxy.cut();
      await page.locator('body[data-connection="reconnecting"]').waitFor();
      await page.locator("#connection").waitFor({ state: "visible" });
      await order(buyers[2]!, 2);
      expect((await gw.request(FlashSaleDocument, { id: flashSaleId })).data!.flashSale).toMatchObject({ status: "SOLD_OUT", soldUnits: 5, remainingUnits: 0 });
      await expect(page.locator(`.sale[data-flash-sale-id="${flashSaleId}"]`).getAttribute("data-remaining")).resolves.toBe("2");

      // The network comes back: the overlay reconnects by itself and the first snapshot heals it.
      proxy.restore();
      await page.locator('body[data-connection="connected"]').waitFor();
      await saleCard(page, flashSaleId, { status: "SOLD_OUT", remaining: 0 }).waitFor();
      await expect(page.locator(`.sale[data-flash-sale-id="${flashSaleId}"] .state`).innerText()).resolves.toContain("已售罄");
      await page.locator("#connection").waitFor({ state: "hidden" });
      await page.locator('#viewers[data-viewers="2"]').waitFor();
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}overlay-sold-out.png`, omitBackground: true });

      // A second sale starts, then the stream ends: the new card counts, then both end.
      const second = await gw.request(
        CreateFlashSaleDocument,
        { input: { liveSessionId: s.liveSessionId, productId: s.productId, flashPrice: "69.00", allocatedUnits: 3, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
        s.promoterToken,
      );
      expect(second.data!.createFlashSale.userErrors).toEqual([]);
      const secondId = second.data!.createFlashSale.flashSale!.id;
      await saleCard(page, secondId, { status: "RUNNING", remaining: 3 }).waitFor();
      expect((await gw.request(EndLiveSessionDocument, { id: s.liveSessionId }, s.promoterToken)).data!.endLiveSession.userErrors).toEqual([]);
      await saleCard(page, secondId, { status: "ENDED", remaining: 3 }).waitFor();
      await page.locator("#session-ended").waitFor({ state: "visible" });
      await page.screenshot({ path: `${ARTIFACTS}overlay-ended.png`, omitBackground: true });
      viewer.dispose();
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await proxy.close();
    }
  }, 90_000);

  it("with the promoter's token, shows the room's price-guard alerts (and keeps the token out of the address)", async () => {
    const room = await guardedRoom(gw, { priceFen: 10_000, stock: 10 });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");
    const baseline = alertSubscribers(gw);
    const { page, problems } = await openOverlay(browser, `${gw.url.replace("/graphql", "")}/overlay/${room.liveSessionId}?token=${room.promoterToken}`);
    try {
      await page.locator('body[data-connection="connected"]').waitFor();
      expect(new URL(page.url()).searchParams.has("token")).toBe(false);
      await alertSubscribersReach(gw, baseline + 1);
      // 100.00 − 10.00 points reaches the 90.00 floor exactly: a WARNING in this room.
      const pinned = await gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId, subsidy: "0.00" } }, room.promoterToken);
      expect(pinned.data!.pinToCart.userErrors).toEqual([]);
      const alert = page.locator('.alert[data-level="WARNING"]');
      await alert.waitFor();
      await expect(alert.locator(".product").innerText()).resolves.toContain("¥90.00");
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}overlay-alert.png`, omitBackground: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildUser } from "../../support/builders.js";
import { launchChromium } from "../../support/browser.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { PinToCartDocument } from "../../support/generated/graphql.js";
import { alertSubscribers, alertSubscribersReach, fileAgreedPrice, guardedRoom } from "../../support/price-guard.js";

// Runs inside the page (the project compiles without the DOM library).
declare const document: { querySelector(selector: string): any };

const ALERTS = "subscription Alerts { priceGuardAlerts { level offer handPrice { amount } floor { amount } } }";

/** GraphiQL's response pane. */
const response = (page: Page) => page.locator(".result-window");
/** The response as JSON, read from the pane's editor (its text on screen carries gutters and folding marks). */
const shownResult = (page: Page) =>
  page.evaluate(() => JSON.parse(document.querySelector(".result-window .CodeMirror").CodeMirror.getValue()));

/** Types into GraphiQL's headers editor as a user would: focus, select all, type the new JSON. */
async function editHeaders(page: Page, headers: Record<string, string>) {
  await page.click('.graphiql-editor-tools button[data-name="headers"]');
  const editor = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror");
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(JSON.stringify(headers));
}

describe("GraphiQL in Chromium", () => {
  let gw: TestGateway;
  let browser: Browser;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startTestGateway("pglite"), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it("runs subscriptions with the headers in the editor: the demo link's token, then the user's edit", async () => {
    const admin = await buildUser(gw.database.db, "ADMIN");
    const adminToken = await gw.token(admin.id, "ADMIN");
    const buyer = await buildUser(gw.database.db, "BUYER");
    const buyerToken = await gw.token(buyer.id, "BUYER");
    const room = await guardedRoom(gw, { priceFen: 10_000 });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");

    const page = await browser.newPage();
    const connectionInits: unknown[] = [];
    page.on("websocket", (socket) =>
      socket.on("framesent", ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; payload?: unknown };
        if (message.type === "connection_init") connectionInits.push(message.payload);
      }),
    );
    await page.goto(`${gw.url}?token=${adminToken}&query=${encodeURIComponent(ALERTS)}`);
    await page.locator(".graphiql-execute-button").waitFor();
    expect(new URL(page.url()).searchParams.has("token")).toBe(false);

    const baseline = alertSubscribers(gw);
    await page.click(".graphiql-execute-button");
    await alertSubscribersReach(gw, baseline + 1);
    expect(connectionInits).toEqual([{ authorization: `Bearer ${adminToken}` }]);

    // 100.00 − 10.00 points reaches the 90.00 floor exactly: a WARNING, which only a signed-in ADMIN sees here.
    const pinned = await gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId, subsidy: "0.00" } }, room.promoterToken);
    expect(pinned.data!.pinToCart.userErrors).toEqual([]);
    await response(page).filter({ hasText: '"WARNING"' }).waitFor();
    const shown = (await shownResult(page)) as { data?: unknown; errors?: unknown };
    expect(shown.errors).toBeUndefined();
    expect(shown.data).toEqual({ priceGuardAlerts: { level: "WARNING", offer: "CART_SUBSIDY", handPrice: { amount: "90.00" }, floor: { amount: "90.00" } } });

    // Stop, change the token in the editor, run again: the subscription now signs in as the buyer, who is not refused as
    // anonymous but must name a shop or room it may watch.
    await page.click(".graphiql-execute-button");
    await editHeaders(page, { Authorization: `Bearer ${buyerToken}` });
    await page.click(".graphiql-execute-button");
    await response(page).filter({ hasText: '"BAD_USER_INPUT"' }).waitFor();
    expect(connectionInits.at(-1)).toEqual({ authorization: `Bearer ${buyerToken}` });

    // And with no Authorization at all, anonymous.
    await editHeaders(page, {});
    await page.click(".graphiql-execute-button");
    await response(page).filter({ hasText: '"UNAUTHENTICATED"' }).waitFor();
    expect(connectionInits.at(-1)).toEqual({});
    await page.close();
  }, 60_000);
});

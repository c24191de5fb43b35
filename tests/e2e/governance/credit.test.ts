import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartItems, flashSales, payoutFreezes, settlements, shops } from "../../../src/db/schema/index.js";
import { balances } from "../../../src/modules/ledger/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { answer, CASE_ENV, openCase, type CaseSetup } from "../../support/after-sales.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { ArbitrateCaseDocument, EscalateCaseDocument, RestoreShopCreditDocument, RunSettlementDocument, SetShopCartDocument, ShopCreditDocument } from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";
import { DAY, moneyOrder, moneyShop, ownDatabase, party, type Party } from "../../support/settlement.js";

const HOUR = 3_600_000;

describe("shop credit (R17) on postgres", () => {
  let gw: TestGateway;
  let own: Awaited<ReturnType<typeof ownDatabase>>;
  let admin: Party;
  // Near the real time: the live-sale helper schedules sales on the wall clock.
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    own = await ownDatabase("credit");
    gw = await startTestGateway("postgres", { clock, env: { ...CASE_ENV, DATABASE_URL: own.url } });
    admin = await party(gw, "ADMIN");
  });
  afterAll(async () => {
    await gw?.stop();
    await own?.drop();
  });

  const db = () => gw.database.db;
  const shopRow = async (id: number) => (await db().select().from(shops).where(eq(shops.id, id)))[0]!;
  const openFreeze = async (id: number) => db().select().from(payoutFreezes).where(and(eq(payoutFreezes.shopId, id), isNull(payoutFreezes.releasedAt)));
  const restore = (shopId: number, points: number) =>
    gw.request(RestoreShopCreditDocument, { input: { shopId: toGlobalId("Shop", shopId), points, reason: "Appeal upheld after review." } }, admin.token);

  /** A live shop (pinned product, running flash sale) with a received order of a buyer, and an order due for settlement. */
  async function liveShop(creditScore: number) {
    const sale = await liveSale(gw, { shop: { creditScore } });
    const shopId = sale.merchant.shop.id;
    const buyer = await party(gw, "BUYER");
    const merchant = { id: sale.merchant.user.id, token: await gw.token(sale.merchant.user.id, "MERCHANT") };
    const order = await moneyOrder(db(), { buyerId: buyer.id, shopId, productId: sale.product.id, totalFen: 10_000, status: "RECEIVED", receivedAt: clock.now() });
    const due = await moneyOrder(db(), { buyerId: buyer.id, shopId, productId: sale.product.id, totalFen: 20_000, status: "RECEIVED", receivedAt: new Date(clock.now().getTime() - 8 * DAY) });
    const s = { merchant, shop: sale.merchant.shop, product: sale.product, buyer, order } as unknown as CaseSetup;
    return { sale, shopId, s, due };
  }

  it("takes the cart and freezes payouts at 0, settles into the held account, and gives both back above 0", async () => {
    const { sale, shopId, s, due } = await liveShop(30);
    const c = await openCase(gw, s, { reason: "DESCRIPTION_MISMATCH" });
    clock.advance(48 * HOUR + 60_000);
    expect(await gw.services.afterSales.sweep(clock.now())).toEqual({ passive: 1, autoClosed: 0 });

    // 30 − 10 (description mismatch) − 20 (passive handling) = 0: held.
    const held = (await gw.request(ShopCreditDocument, { shopId: toGlobalId("Shop", shopId) }, s.merchant.token)).data!.shopCredit;
    expect(held).toMatchObject({ score: 0, startScore: 100, restricted: true });
    expect(held.entries.map((e) => [e.cause, e.points, e.scoreAfter, e.caseId])).toEqual([
      ["PASSIVE_HANDLING", -20, 0, c.id],
      ["DESCRIPTION_MISMATCH", -10, 20, c.id],
      ["OPENING", -70, 30, null],
    ]);
    expect((await shopRow(shopId)).status).toBe("CART_DISABLED");
    expect((await db().select().from(flashSales).where(eq(flashSales.id, Number(Buffer.from(sale.flashSaleId!, "base64url").toString().split(":")[1]))))[0]!.status).toBe("ENDED");
    expect(await db().select().from(cartItems).where(and(eq(cartItems.productId, sale.product.id), isNull(cartItems.unpinnedAt)))).toEqual([]);
    expect(await openFreeze(shopId)).toHaveLength(1);

    // The settlement run sends the merchant's part to its held account while frozen.
    const run = await gw.request(RunSettlementDocument, { input: {} }, admin.token);
    expect(run.data!.runSettlement.userErrors).toEqual([]);
    const [settled] = await db().select().from(settlements).where(eq(settlements.orderId, due.row.id));
    expect(settled!.held).toBe(true);
    const heldFen = settled!.merchantFen;
    expect(await balances(db(), ["MERCHANT", "MERCHANT_HELD"], shopId)).toEqual({ MERCHANT: 0, MERCHANT_HELD: heldFen });

    // Back above 0 (1 point): the cart is on again, the freeze lifts and the held money moves to the payable account.
    const restored = await restore(shopId, 1);
    expect(restored.data!.restoreShopCredit.userErrors).toEqual([]);
    expect(restored.data!.restoreShopCredit.credit).toMatchObject({ score: 1, restricted: false });
    expect(restored.data!.restoreShopCredit.credit!.entries[0]).toEqual({ cause: "RESTORATION", points: 1, reason: "Appeal upheld after review." });
    expect((await shopRow(shopId)).status).toBe("NORMAL");
    expect((await shopRow(shopId)).creditScore).toBe(1);
    expect(await openFreeze(shopId)).toEqual([]);
    expect(await balances(db(), ["MERCHANT", "MERCHANT_HELD"], shopId)).toEqual({ MERCHANT: heldFen, MERCHANT_HELD: 0 });
  });

  it("stays held while the score is still at or below 0, and leaves a cart an admin switched off", async () => {
    const shop = await moneyShop(gw, { shop: { creditScore: 10 } });
    const buyer = await party(gw, "BUYER");
    const order = await moneyOrder(db(), { buyerId: buyer.id, shopId: shop.shop.id, productId: shop.product.id, totalFen: 5_000, status: "RECEIVED", receivedAt: clock.now() });
    const s = { ...shop, buyer, order } as CaseSetup;
    const switched = await gw.request(SetShopCartDocument, { input: { shopId: toGlobalId("Shop", shop.shop.id), enabled: false, reason: "Counterfeit report under review." } }, admin.token);
    expect(switched.data!.setShopCart.userErrors).toEqual([]);
    const c = await openCase(gw, s, { reason: "OTHER" });
    await answer(gw, s, c.id, { answer: "REJECT", note: "No." });
    const escalated = await gw.request(EscalateCaseDocument, { input: { caseId: c.id } }, buyer.token);
    expect(escalated.data!.escalateAfterSalesCase.userErrors).toEqual([]);
    // Lost arbitration: 10 − 15 = −5.
    const decided = await gw.request(ArbitrateCaseDocument, { input: { caseId: c.id, decision: "FOR_BUYER", note: "Photos show the crack." } }, admin.token);
    expect(decided.data!.arbitrateAfterSalesCase.userErrors).toEqual([]);
    expect((await shopRow(shop.shop.id)).creditScore).toBe(-5);
    expect(await openFreeze(shop.shop.id)).toHaveLength(1);

    const partly = await restore(shop.shop.id, 5);
    expect(partly.data!.restoreShopCredit.credit).toMatchObject({ score: 0, restricted: true });
    expect(await openFreeze(shop.shop.id)).toHaveLength(1);
    const above = await restore(shop.shop.id, 3);
    expect(above.data!.restoreShopCredit.credit).toMatchObject({ score: 3, restricted: false });
    expect(await openFreeze(shop.shop.id)).toEqual([]);
    // Governance did not switch this cart off, so it does not switch it on.
    expect((await shopRow(shop.shop.id)).status).toBe("CART_DISABLED");

    const bad = await restore(shop.shop.id, 0);
    expect(bad.data!.restoreShopCredit.userErrors.map((e) => e.code)).toEqual(["INVALID_POINTS"]);
  });
});

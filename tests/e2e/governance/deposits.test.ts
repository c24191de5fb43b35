import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerAccounts, ledgerEntries, orderRefunds, orders } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { answer, CASE_ENV, caseSetup, openCase } from "../../support/after-sales.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  ArbitrateCaseDocument,
  CreateFlashSaleDocument,
  EscalateCaseDocument,
  OpenCaseDocument,
  ReconciliationDocument,
  RunSettlementDocument,   ShopDepositDocument,
  TopUpShopDepositDocument,
} from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";
import { DAY, moneyOrder, moneyShop, ownDatabase, party, type Party } from "../../support/settlement.js";

describe.each(BACKENDS)("deposits and 先行赔付 (R17) on %s", (backend) => {
  let gw: TestGateway;
  let own: Awaited<ReturnType<typeof ownDatabase>> | null = null;
  let admin: Party;
  const startedAt = new Date();
  beforeAll(async () => {
    own = backend === "postgres" ? await ownDatabase("deposits") : null;
    gw = await startTestGateway(backend, { env: { ...CASE_ENV, ...(own ? { DATABASE_URL: own.url } : {}) } });
    admin = await party(gw, "ADMIN");
  });
  afterAll(async () => {
    await gw?.stop();
    await own?.drop();
  });

  const db = () => gw.database.db;
  const deposit = async (shopId: number, token = admin.token) => (await gw.request(ShopDepositDocument, { shopId: toGlobalId("Shop", shopId) }, token)).data!.shopDeposit;
  const topUp = (shopId: number, amount: string, token = admin.token) => gw.request(TopUpShopDepositDocument, { input: { shopId: toGlobalId("Shop", shopId), amount } }, token);
  const sale = (shopId: number, totalFen: number, createdAt: Date, productId: number, buyerId: number) =>
    moneyOrder(db(), { buyerId, shopId, productId, totalFen, status: "RECEIVED", receivedAt: createdAt, createdAt });
  const ledgerOf = async (orderId: number) =>
    db()
      .select({ kind: ledgerEntries.kind, account: ledgerAccounts.kind, owner: ledgerAccounts.ownerId, fen: ledgerEntries.amountFen })
      .from(ledgerEntries)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
      .where(and(eq(ledgerEntries.orderId, orderId), inArray(ledgerEntries.kind, ["COMPENSATION", "COMPENSATION_RECOVERY"])))
      .orderBy(ledgerEntries.postingId, ledgerAccounts.kind);

  it("requires the deposit of the sales tier, at its boundaries, over the period only", async () => {
    const shop = await moneyShop(gw);
    const buyer = await party(gw, "BUYER");
    const now = Date.now();
    await sale(shop.shop.id, 9_999_999, new Date(now - DAY), shop.product.id, buyer.id);
    // Older than the 30-day period: not counted.
    await sale(shop.shop.id, 50_000_000, new Date(now - 31 * DAY), shop.product.id, buyer.id);
    expect(await deposit(shop.shop.id, shop.merchant.token)).toMatchObject({ salesVolume: { amount: "99999.99" }, periodDays: 30, required: { amount: "0.00" }, shortfall: { amount: "0.00" } });
    await sale(shop.shop.id, 1, new Date(now - DAY), shop.product.id, buyer.id);
    expect(await deposit(shop.shop.id)).toMatchObject({ salesVolume: { amount: "100000.00" }, required: { amount: "2000.00" }, balance: { amount: "0.00" }, shortfall: { amount: "2000.00" } });
    await sale(shop.shop.id, 89_999_999, new Date(now - DAY), shop.product.id, buyer.id);
    expect(await deposit(shop.shop.id)).toMatchObject({ salesVolume: { amount: "999999.99" }, required: { amount: "2000.00" } });
    await sale(shop.shop.id, 1, new Date(now - DAY), shop.product.id, buyer.id);
    expect(await deposit(shop.shop.id)).toMatchObject({ salesVolume: { amount: "1000000.00" }, required: { amount: "10000.00" } });
  });

  it("refuses new flash sales below the required deposit, naming the shortfall, until the shop tops up", async () => {
    const live = await liveSale(gw, { units: 0 });
    const shopId = live.merchant.shop.id;
    const buyer = await party(gw, "BUYER");
    await sale(shopId, 10_000_000, new Date(Date.now() - DAY), live.product.id, buyer.id);
    const input = { liveSessionId: live.liveSessionId, productId: live.productId, flashPrice: "59.00", allocatedUnits: 10, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3600_000).toISOString() };
    const refused = await gw.request(CreateFlashSaleDocument, { input }, live.promoterToken);
    expect(refused.data!.createFlashSale.flashSale).toBeNull();
    expect(refused.data!.createFlashSale.userErrors).toEqual([expect.objectContaining({ code: "DEPOSIT_SHORTFALL", field: ["productId"], message: expect.stringContaining("2000.00") })]);
    const merchantToken = await gw.token(live.merchant.user.id, "MERCHANT");
    const partly = await topUp(shopId, "1999.99", merchantToken);
    expect(partly.data!.topUpShopDeposit.deposit).toMatchObject({ balance: { amount: "1999.99" }, shortfall: { amount: "0.01" } });
    expect((await gw.request(CreateFlashSaleDocument, { input }, live.promoterToken)).data!.createFlashSale.userErrors.map((e) => e.code)).toEqual(["DEPOSIT_SHORTFALL"]);
    await topUp(shopId, "0.01", merchantToken);
    const created = await gw.request(CreateFlashSaleDocument, { input }, live.promoterToken);
    expect(created.data!.createFlashSale.userErrors).toEqual([]);
    const bad = await topUp(shopId, "0", merchantToken);
    expect(bad.data!.topUpShopDeposit.userErrors.map((e) => e.code)).toEqual(["INVALID_AMOUNT"]);
  });

  it("pays a quality case on a received order at once from the platform and recovers it from a deposit that covers it", async () => {
    const s = await caseSetup(gw, { totalFen: 5_000, receivedAt: new Date() });
    await topUp(s.shop.id, "100.00");
    const c = await openCase(gw, s, { reason: "QUALITY" });
    const accepted = await answer(gw, s, c.id, { answer: "ACCEPT" });
    expect(accepted.afterSalesCase).toMatchObject({ status: "CLOSED", payment: "COMPENSATION", paid: { amount: "50.00" } });
    expect(accepted.afterSalesCase!.events.map((e) => e.kind)).toEqual(["OPENED", "ACCEPTED", "COMPENSATED"]);
    // Not a refund: the order stays received and will settle; the platform's guarantee is refilled by the deposit.
    expect(await db().select().from(orderRefunds).where(eq(orderRefunds.orderId, s.order.row.id))).toEqual([]);
    expect((await db().select().from(orders).where(eq(orders.id, s.order.row.id)))[0]!.status).toBe("RECEIVED");
    expect((await ledgerOf(s.order.row.id)).map((e) => [e.kind, e.account, e.fen])).toEqual([
      ["COMPENSATION", "PLATFORM_GUARANTEE", -5_000],
      ["COMPENSATION", "BUYER_COMPENSATIONS", 5_000],
      ["COMPENSATION_RECOVERY", "MERCHANT_DEPOSIT", -5_000],
      ["COMPENSATION_RECOVERY", "PLATFORM_GUARANTEE", 5_000],
    ]);
    expect(await deposit(s.shop.id)).toMatchObject({ balance: { amount: "50.00" }, owed: { amount: "0.00" }, shortfall: { amount: "0.00" } });
    // Nothing more may be asked back of this order.
    const again = await gw.request(OpenCaseDocument, { input: { orderId: s.order.id, reason: "QUALITY", kind: "REFUND_ONLY", description: "Again." } }, s.buyer.token);
    expect(again.data!.openAfterSalesCase.userErrors.map((e) => e.code)).toEqual(["NOTHING_REFUNDABLE"]);
  });

  it("leaves what a deposit cannot cover as a receivable, settled first by the next top-up; the reconciliation still holds", async () => {
    const s = await caseSetup(gw, { totalFen: 5_000, receivedAt: new Date(Date.now() - 8 * DAY) });
    const run = await gw.request(RunSettlementDocument, { input: {} }, admin.token);
    expect(run.data!.runSettlement.userErrors).toEqual([]);
    expect((await db().select().from(orders).where(eq(orders.id, s.order.row.id)))[0]!.status).toBe("SETTLED");
    await topUp(s.shop.id, "20.00");
    const c = await openCase(gw, s, { reason: "FREIGHT" });
    await answer(gw, s, c.id, { answer: "REJECT", note: "Freight was free." });
    await gw.request(EscalateCaseDocument, { input: { caseId: c.id } }, s.buyer.token);
    const decided = await gw.request(ArbitrateCaseDocument, { input: { caseId: c.id, decision: "FOR_BUYER", note: "Buyer paid the courier twice." } }, admin.token);
    expect(decided.data!.arbitrateAfterSalesCase.afterSalesCase).toMatchObject({ payment: "COMPENSATION", paid: { amount: "50.00" } });
    expect((await ledgerOf(s.order.row.id)).map((e) => [e.kind, e.account, e.fen])).toEqual([
      ["COMPENSATION", "PLATFORM_GUARANTEE", -5_000],
      ["COMPENSATION", "BUYER_COMPENSATIONS", 5_000],
      ["COMPENSATION_RECOVERY", "MERCHANT_DEPOSIT", -2_000],
      ["COMPENSATION_RECOVERY", "MERCHANT_RECEIVABLE", -3_000],
      ["COMPENSATION_RECOVERY", "PLATFORM_GUARANTEE", 5_000],
    ]);
    expect(await deposit(s.shop.id)).toMatchObject({ balance: { amount: "0.00" }, owed: { amount: "30.00" }, shortfall: { amount: "30.00" } });
    const topped = await topUp(s.shop.id, "100.00");
    expect(topped.data!.topUpShopDeposit.deposit).toMatchObject({ balance: { amount: "70.00" }, owed: { amount: "0.00" }, shortfall: { amount: "0.00" } });

    const reconciled = await gw.request(ReconciliationDocument, { from: new Date(startedAt.getTime() - 40 * DAY).toISOString(), to: new Date(Date.now() + DAY).toISOString() }, admin.token);
    expect(reconciled.errors).toBeUndefined();
    expect(reconciled.data!.reconciliation).toMatchObject({ difference: { amount: "0.00" }, unbalancedPostings: 0 });
  });
});

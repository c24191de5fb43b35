import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { afterSalesEvents, creditEntries, ledgerAccounts, ledgerEntries, orderRefunds, orders, shops } from "../../../src/db/schema/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { answer, CASE_ENV, caseSetup, openCase, type CaseSetup } from "../../support/after-sales.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  AcceptOfferDocument,
  AfterSalesCasesDocument,
  AfterSalesCasesWithEventsDocument,
  AfterSalesCaseUpdatesDocument,
  ArbitrateCaseDocument,
  CaseNodeDocument,
  EscalateCaseDocument,
  OpenCaseDocument,
  WithdrawCaseDocument,
} from "../../support/generated/graphql.js";
import { DAY, moneyOrder, ownDatabase, party, type Party } from "../../support/settlement.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;

describe.each(BACKENDS)("after-sales cases (R17) on %s", (backend) => {
  let gw: TestGateway;
  let own: Awaited<ReturnType<typeof ownDatabase>> | null = null;
  let admin: Party;
  const clock = new ManualClock(new Date("2026-05-04T02:00:00Z"));
  beforeAll(async () => {
    own = backend === "postgres" ? await ownDatabase("cases") : null;
    gw = await startTestGateway(backend, { clock, env: { ...CASE_ENV, ...(own ? { DATABASE_URL: own.url } : {}) } });
    admin = await party(gw, "ADMIN");
  });
  afterAll(async () => {
    await gw?.stop();
    await own?.drop();
  });

  const db = () => gw.database.db;
  const received = (options: Parameters<typeof caseSetup>[1] = {}) => caseSetup(gw, { receivedAt: clock.now(), ...options });
  const events = async (caseId: string) => (await gw.request(CaseNodeDocument, { id: caseId }, admin.token)).data;
  const refundsOf = async (s: CaseSetup) => db().select().from(orderRefunds).where(eq(orderRefunds.orderId, s.order.row.id));
  const orderOf = async (s: CaseSetup) => (await db().select().from(orders).where(eq(orders.id, s.order.row.id)))[0]!;
  const creditOf = async (s: CaseSetup) => (await db().select().from(shops).where(eq(shops.id, s.shop.id)))[0]!.creditScore;
  const escalate = (s: CaseSetup, caseId: string) => gw.request(EscalateCaseDocument, { input: { caseId, note: "The merchant refuses to look at the photos." } }, s.buyer.token);
  const arbitrate = (caseId: string, decision: "FOR_BUYER" | "FOR_MERCHANT", amount?: string) =>
    gw.request(ArbitrateCaseDocument, { input: { caseId, decision, amount, note: "Photos show dye residue." } }, admin.token);

  it("opens, is accepted by the merchant, refunds through the ledger, deducts credit, and pushes each step to the buyer and the shop", async () => {
    const s = await received({ totalFen: 12_000 });
    const buyerFeed = collect(gw.ws(s.buyer.token), AfterSalesCaseUpdatesDocument, {});
    const shopFeed = collect(gw.ws(s.merchant.token), AfterSalesCaseUpdatesDocument, { shopId: s.order.id.length ? toShop(s) : undefined });
    await buyerFeed.until(() => buyerFeed.messages.length >= 1);
    await shopFeed.until(() => shopFeed.messages.length >= 1);
    expect(buyerFeed.messages[0]!.data!.afterSalesCaseUpdates).toEqual({ snapshot: true, cases: [] });

    const opened = await openCase(gw, s);
    expect(opened).toMatchObject({
      status: "AWAITING_MERCHANT",
      reason: "DESCRIPTION_MISMATCH",
      requested: { amount: "120.00" },
      paid: { amount: "0.00" },
      images: ["https://img.example.com/evidence/1.jpg"],
      answerDueAt: new Date(clock.now().getTime() + 48 * HOUR).toISOString(),
      closesBy: new Date(clock.now().getTime() + 15 * DAY).toISOString(),
    });
    await buyerFeed.until(() => buyerFeed.messages.length >= 2);
    await shopFeed.until(() => shopFeed.messages.length >= 2);
    expect(shopFeed.messages[1]!.data!.afterSalesCaseUpdates).toEqual({ snapshot: false, cases: [{ id: opened.id, status: "AWAITING_MERCHANT", outcome: null }] });

    clock.advance(3 * HOUR);
    const accepted = await answer(gw, s, opened.id, { answer: "ACCEPT" });
    expect(accepted.userErrors).toEqual([]);
    expect(accepted.afterSalesCase).toMatchObject({ status: "CLOSED", outcome: "MERCHANT_ACCEPTED", payment: "REFUND", paid: { amount: "120.00" }, closedAt: clock.now().toISOString() });
    expect(accepted.afterSalesCase!.events.map((e) => [e.kind, e.from, e.to, e.actorRole, e.amount?.amount ?? null])).toEqual([
      ["OPENED", null, "AWAITING_MERCHANT", "BUYER", "120.00"],
      ["ACCEPTED", "AWAITING_MERCHANT", "CLOSED", "MERCHANT", "120.00"],
      ["REFUNDED", "CLOSED", "CLOSED", "MERCHANT", "120.00"],
    ]);
    expect((await refundsOf(s)).map((r) => r.amountFen)).toEqual([12_000]);
    expect((await orderOf(s)).status).toBe("REFUNDED");
    expect(await creditOf(s)).toBe(90);
    await buyerFeed.until(() => buyerFeed.messages.some((m) => m.data?.afterSalesCaseUpdates.cases[0]?.status === "CLOSED"));
    await shopFeed.until(() => shopFeed.messages.some((m) => m.data?.afterSalesCaseUpdates.cases[0]?.outcome === "MERCHANT_ACCEPTED"));
    buyerFeed.dispose();
    shopFeed.dispose();
  });

  it("takes the merchant's answer up to its deadline and refuses it a minute after; the sweep then decides it as passive handling", async () => {
    const early = await received();
    const late = await received();
    const openedAt = clock.now();
    const a = await openCase(gw, early);
    const b = await openCase(gw, late);
    clock.set(new Date(openedAt.getTime() + 48 * HOUR - MINUTE));
    const onTime = await answer(gw, early, a.id, { answer: "REJECT", note: "The colour is natural; see the certificate." });
    expect(onTime.userErrors).toEqual([]);
    expect(onTime.afterSalesCase!.status).toBe("REJECTED");
    await gw.services.afterSales.sweep(clock.now());
    expect((await events(b.id))!.node).toMatchObject({ status: "AWAITING_MERCHANT" });

    clock.set(new Date(openedAt.getTime() + 48 * HOUR + MINUTE));
    const tooLate = await answer(gw, late, b.id, { answer: "REJECT", note: "Too late." });
    expect(tooLate.afterSalesCase).toBeNull();
    expect(tooLate.userErrors.map((e) => e.code)).toEqual(["ANSWER_DEADLINE_PASSED"]);
    expect(await db().select().from(afterSalesEvents).where(eq(afterSalesEvents.caseId, Number(Buffer.from(b.id, "base64url").toString().split(":")[1])))).toHaveLength(1);

    expect(await gw.services.afterSales.sweep(clock.now())).toEqual({ passive: 1, autoClosed: 0 });
    const decided = (await events(b.id))!.node as { status: string };
    expect(decided.status).toBe("CLOSED");
    expect((await refundsOf(late)).map((r) => [r.amountFen, r.actorId])).toEqual([[10_000, null]]);
    // Passive handling (20) and, decided for the buyer, the description mismatch (10).
    expect(await creditOf(late)).toBe(70);
    expect(await creditOf(early)).toBe(100);
    // A second sweep finds nothing more to do.
    expect(await gw.services.afterSales.sweep(clock.now())).toEqual({ passive: 0, autoClosed: 0 });
  });

  it("decides a case still open on day 15 for the buyer, not on day 14", async () => {
    // The earlier tests' open cases are decided first: the sweep works on the whole database.
    clock.advance(20 * DAY);
    await gw.services.afterSales.sweep(clock.now());
    const s = await received({ totalFen: 8_000 });
    const openedAt = clock.now();
    const c = await openCase(gw, s, { reason: "OTHER" });
    await answer(gw, s, c.id, { answer: "REJECT", note: "Not our fault." });
    expect((await escalate(s, c.id)).data!.escalateAfterSalesCase.afterSalesCase!.status).toBe("ESCALATED");

    clock.set(new Date(openedAt.getTime() + 14 * DAY));
    expect(await gw.services.afterSales.sweep(clock.now())).toEqual({ passive: 0, autoClosed: 0 });
    clock.set(new Date(openedAt.getTime() + 15 * DAY - MINUTE));
    expect((await gw.services.afterSales.sweep(clock.now())).autoClosed).toBe(0);
    clock.set(new Date(openedAt.getTime() + 15 * DAY));
    expect(await gw.services.afterSales.sweep(clock.now())).toEqual({ passive: 0, autoClosed: 1 });
    const node = (await gw.request(CaseNodeDocument, { id: c.id }, s.buyer.token)).data!.node as { status: string; order: { status: string } };
    expect(node).toMatchObject({ status: "CLOSED", order: { status: "REFUNDED" } });
    expect((await refundsOf(s)).map((r) => r.amountFen)).toEqual([8_000]);
    // Reason OTHER, never arbitrated nor passive: no credit deduction.
    expect(await creditOf(s)).toBe(100);
  });

  it("arbitrates an escalated rejection: for the buyer it pays and costs the shop the lost arbitration; for the merchant nothing", async () => {
    const won = await received();
    const lost = await received();
    const c1 = await openCase(gw, won, { reason: "QUALITY", amount: "40.00" });
    const c2 = await openCase(gw, lost, { reason: "DESCRIPTION_MISMATCH" });
    for (const [s, c] of [[won, c1], [lost, c2]] as const) {
      await answer(gw, s, c.id, { answer: "REJECT", note: "Refused." });
      await escalate(s, c.id);
    }
    const forMerchant = await arbitrate(c1.id, "FOR_MERCHANT");
    expect(forMerchant.data!.arbitrateAfterSalesCase.afterSalesCase).toMatchObject({ status: "CLOSED", outcome: "ARBITRATED_FOR_MERCHANT", payment: "NONE", paid: { amount: "0.00" } });
    expect(await creditOf(won)).toBe(100);
    expect(await refundsOf(won)).toEqual([]);

    const tooMuch = await arbitrate(c2.id, "FOR_BUYER", "100.01");
    expect(tooMuch.data!.arbitrateAfterSalesCase.userErrors.map((e) => e.code)).toEqual(["EXCEEDS_REFUNDABLE"]);
    const forBuyer = await arbitrate(c2.id, "FOR_BUYER", "60.00");
    expect(forBuyer.data!.arbitrateAfterSalesCase.afterSalesCase).toMatchObject({ outcome: "ARBITRATED_FOR_BUYER", payment: "REFUND", paid: { amount: "60.00" }, decisionNote: "Photos show dye residue." });
    expect(await creditOf(lost)).toBe(75);
    const entries = await db().select().from(creditEntries).where(eq(creditEntries.shopId, lost.shop.id)).orderBy(creditEntries.id);
    expect(entries.map((e) => [e.cause, e.points, e.scoreAfter])).toEqual([
      ["DESCRIPTION_MISMATCH", -10, 90],
      ["LOST_ARBITRATION", -15, 75],
    ]);
    expect((await orderOf(lost)).status).toBe("RECEIVED");
  });

  it("lets the buyer accept a partial offer, withdraw, and refuses steps its status does not allow", async () => {
    const s = await received();
    const c = await openCase(gw, s, { reason: "OTHER" });
    const badOffer = await answer(gw, s, c.id, { answer: "PROPOSE_PARTIAL", amount: "100.00" });
    expect(badOffer.userErrors.map((e) => e.code)).toEqual(["INVALID_AMOUNT"]);
    const noReason = await answer(gw, s, c.id, { answer: "REJECT" });
    expect(noReason.userErrors.map((e) => e.code)).toEqual(["NOTE_REQUIRED"]);
    const escalateEarly = await escalate(s, c.id);
    expect(escalateEarly.data!.escalateAfterSalesCase.userErrors.map((e) => e.code)).toEqual(["ILLEGAL_STEP"]);
    const offer = await answer(gw, s, c.id, { answer: "PROPOSE_PARTIAL", amount: "30.00", note: "Keep it with 30 back." });
    expect(offer.afterSalesCase).toMatchObject({ status: "PARTIAL_OFFERED", offered: { amount: "30.00" }, merchantNote: "Keep it with 30 back." });
    const agreed = await gw.request(AcceptOfferDocument, { input: { caseId: c.id } }, s.buyer.token);
    expect(agreed.data!.acceptAfterSalesOffer.afterSalesCase).toMatchObject({ status: "CLOSED", outcome: "PARTIAL_AGREED", paid: { amount: "30.00" } });
    expect((await refundsOf(s)).map((r) => r.amountFen)).toEqual([3_000]);
    const again = await answer(gw, s, c.id, { answer: "ACCEPT" });
    expect(again.userErrors.map((e) => e.code)).toEqual(["ILLEGAL_STEP"]);

    // A second case on the same order: at most what remains (70.00).
    const over = await gw.request(OpenCaseDocument, { input: { orderId: s.order.id, reason: "OTHER", kind: "REFUND_ONLY", amount: "70.01", description: "Still broken." } }, s.buyer.token);
    expect(over.data!.openAfterSalesCase.userErrors.map((e) => e.code)).toEqual(["EXCEEDS_REFUNDABLE"]);
    const second = await openCase(gw, s, { reason: "OTHER" });
    expect(second.requested.amount).toBe("70.00");
    const dup = await gw.request(OpenCaseDocument, { input: { orderId: s.order.id, reason: "OTHER", kind: "REFUND_ONLY", description: "Again." } }, s.buyer.token);
    expect(dup.data!.openAfterSalesCase.userErrors.map((e) => e.code)).toEqual(["CASE_ALREADY_OPEN"]);
    const withdrawn = await gw.request(WithdrawCaseDocument, { input: { caseId: second.id } }, s.buyer.token);
    expect(withdrawn.data!.withdrawAfterSalesCase.afterSalesCase).toMatchObject({ status: "CLOSED", outcome: "WITHDRAWN", payment: "NONE" });
    expect((await refundsOf(s)).length).toBe(1);
  });

  it("opens within the window after receipt, and not a minute later", async () => {
    const receivedAt = clock.now();
    const inTime = await received({ receivedAt });
    const tooLate = await received({ receivedAt });
    clock.set(new Date(receivedAt.getTime() + 15 * DAY));
    await openCase(gw, inTime);
    clock.advance(MINUTE);
    const refused = await gw.request(OpenCaseDocument, { input: { orderId: tooLate.order.id, reason: "QUALITY", kind: "REFUND_ONLY", description: "Broke." } }, tooLate.buyer.token);
    expect(refused.data!.openAfterSalesCase.userErrors.map((e) => e.code)).toEqual(["WINDOW_CLOSED"]);
    const shipped = await caseSetup(gw, { status: "SHIPPED", receivedAt: null });
    expect((await openCase(gw, shipped, { reason: "NOT_RECEIVED" })).status).toBe("AWAITING_MERCHANT");
    const refunded = await caseSetup(gw, { status: "REFUNDED", receivedAt: null });
    const none = await gw.request(OpenCaseDocument, { input: { orderId: refunded.order.id, reason: "OTHER", kind: "REFUND_ONLY", description: "x" } }, refunded.buyer.token);
    expect(none.data!.openAfterSalesCase.userErrors.map((e) => e.code)).toEqual(["ORDER_NOT_ELIGIBLE"]);
  });

  it("shows a buyer only its own cases, a merchant its shop's, admins all", async () => {
    const a = await received();
    const b = await received();
    const ca = await openCase(gw, a);
    const cb = await openCase(gw, b);
    const mine = await gw.request(AfterSalesCasesDocument, { first: 10 }, a.buyer.token);
    expect(mine.data!.afterSalesCases.edges.map((e) => e.node.id)).toEqual([ca.id]);
    const other = await gw.request(CaseNodeDocument, { id: cb.id }, a.buyer.token);
    expect(other.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const shop = await gw.request(AfterSalesCasesDocument, { first: 10, filter: { statuses: ["AWAITING_MERCHANT"] } }, b.merchant.token);
    expect(shop.data!.afterSalesCases.edges.map((e) => e.node.id)).toEqual([cb.id]);
    const foreign = await gw.request(AfterSalesCasesDocument, { first: 10, filter: { shopId: toShop(a) } }, b.merchant.token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const page1 = await gw.request(AfterSalesCasesDocument, { first: 1, filter: { statuses: ["AWAITING_MERCHANT"], reasons: ["DESCRIPTION_MISMATCH"] } }, admin.token);
    expect(page1.data!.afterSalesCases.edges.map((e) => e.node.id)).toEqual([cb.id]);
    expect(page1.data!.afterSalesCases.pageInfo.hasNextPage).toBe(true);
    const page2 = await gw.request(AfterSalesCasesDocument, { first: 1, after: page1.data!.afterSalesCases.pageInfo.endCursor, filter: { statuses: ["AWAITING_MERCHANT"], reasons: ["DESCRIPTION_MISMATCH"] } }, admin.token);
    expect(page2.data!.afterSalesCases.edges.map((e) => e.node.id)).toEqual([ca.id]);
    const byShop = await gw.request(AfterSalesCasesDocument, { first: 10, filter: { shopId: toShop(a) } }, admin.token);
    expect(byShop.data!.afterSalesCases.edges.map((e) => e.node.id)).toEqual([ca.id]);
  });

  it("pays once when the merchant accepts twice at once, and when two admins arbitrate at once", async () => {
    const s = await received();
    const c = await openCase(gw, s);
    const accepts = await Promise.all([answer(gw, s, c.id, { answer: "ACCEPT" }), answer(gw, s, c.id, { answer: "ACCEPT" })]);
    expect(accepts.filter((p) => p.userErrors.length === 0)).toHaveLength(1);
    expect(accepts.flatMap((p) => p.userErrors.map((e) => e.code))).toEqual(["ILLEGAL_STEP"]);
    expect((await refundsOf(s)).length).toBe(1);

    const t = await received();
    const d = await openCase(gw, t, { reason: "OTHER" });
    await answer(gw, t, d.id, { answer: "REJECT", note: "No." });
    await escalate(t, d.id);
    const admin2 = await party(gw, "ADMIN");
    const decisions = await Promise.all([
      arbitrate(d.id, "FOR_BUYER"),
      gw.request(ArbitrateCaseDocument, { input: { caseId: d.id, decision: "FOR_BUYER", note: "Same." } }, admin2.token),
    ]);
    expect(decisions.filter((r) => r.data!.arbitrateAfterSalesCase.userErrors.length === 0)).toHaveLength(1);
    expect((await refundsOf(t)).map((r) => r.amountFen)).toEqual([10_000]);
    const merchantEntries = await db()
      .select({ fen: ledgerEntries.amountFen })
      .from(ledgerEntries)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
      .where(eq(ledgerEntries.orderId, t.order.row.id));
    expect(merchantEntries.reduce((sum, e) => sum + e.fen, 0)).toBe(0);
    expect(await creditOf(t)).toBe(85);
  });

  it("lists cases with their events and orders in the same number of SQL statements for 2 or 6 cases (no N+1)", async () => {
    const first = await received();
    const merchantToken = first.merchant.token;
    await openCase(gw, first);
    for (let i = 0; i < 5; i++) {
      const buyer = await party(gw, "BUYER");
      const order = await moneyOrder(db(), { buyerId: buyer.id, shopId: first.shop.id, productId: first.product.id, totalFen: 5_000, status: "RECEIVED", receivedAt: clock.now() });
      await openCase(gw, { ...first, buyer, order });
    }
    const count = async (n: number) => {
      const page = await gw.request(AfterSalesCasesWithEventsDocument, { first: n }, merchantToken);
      expect(page.errors).toBeUndefined();
      expect(page.data!.afterSalesCases.edges).toHaveLength(n);
      expect(page.data!.afterSalesCases.edges.every((e) => e.node.events.length === 1 && e.node.order?.status === "RECEIVED")).toBe(true);
      return page.statements.length;
    };
    // The first request of a viewer also reads its role (then cached): warm up before counting.
    await count(1);
    const two = await count(2);
    expect(await count(6)).toBe(two);
  });

  it("keeps case events append-only in the database", async () => {
    const s = await received();
    const c = await openCase(gw, s);
    const id = Number(Buffer.from(c.id, "base64url").toString().split(":")[1]);
    const refusal = (p: Promise<unknown>) => p.then(() => "changed", (e: Error & { cause?: Error }) => (e.cause ?? e).message);
    expect(await refusal(db().update(afterSalesEvents).set({ note: "edited" }).where(eq(afterSalesEvents.caseId, id)))).toMatch(/append-only/);
    expect(await refusal(db().delete(afterSalesEvents).where(eq(afterSalesEvents.caseId, id)))).toMatch(/append-only/);
  });
});

function toShop(s: CaseSetup): string {
  return Buffer.from(`Shop:${s.shop.id}`, "utf8").toString("base64url");
}

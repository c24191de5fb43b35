import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultRows } from "../../../src/db/client.js";
import { ledgerAccounts, ledgerEntries, orderEvents, orders, settlements } from "../../../src/db/schema/index.js";
import { split } from "../../../src/modules/settlement/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  OrderMoneyDocument,
  PayoutStatementDocument,
  RefundOrderDocument,
  RunSettlementDocument,
  SetPayoutsFrozenDocument,
  SetTechnicalFeeRateDocument,
  SettlementsDocument,
} from "../../support/generated/graphql.js";
import { DAY, MONEY_ENV, moneyOrder, moneyShop, ownDatabase, party, type Party } from "../../support/settlement.js";

describe.each(BACKENDS)("settlement (R16) on %s", (backend) => {
  let gw: TestGateway;
  let own: Awaited<ReturnType<typeof ownDatabase>> | null = null;
  let admin: Party;
  // Each test starts 100 days after the previous one, so its orders are the only ones due in its window.
  const clock = new ManualClock(new Date("2026-01-05T04:00:00Z"));
  const nextWindow = () => {
    clock.advance(100 * DAY);
    return clock.now();
  };
  beforeAll(async () => {
    own = backend === "postgres" ? await ownDatabase("settle") : null;
    gw = await startTestGateway(backend, { clock, env: { ...MONEY_ENV, ...(own ? { DATABASE_URL: own.url } : {}) } });
    admin = await party(gw, "ADMIN");
  });
  afterAll(async () => {
    await gw?.stop();
    await own?.drop();
  });

  const db = () => gw.database.db;
  const run = async (asOf: Date) => {
    const result = await gw.request(RunSettlementDocument, { input: { asOf: asOf.toISOString() } }, admin.token);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data!.runSettlement;
  };
  const settlementOf = async (orderId: number) => (await db().select().from(settlements).where(eq(settlements.orderId, orderId)))[0] ?? null;
  const entriesOf = (orderId: number) =>
    db()
      .select({ kind: ledgerAccounts.kind, owner: ledgerAccounts.ownerId, posting: ledgerEntries.kind, fen: ledgerEntries.amountFen })
      .from(ledgerEntries)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
      .where(eq(ledgerEntries.orderId, orderId));
  const statusOf = async (orderId: number) => (await db().select().from(orders).where(eq(orders.id, orderId)))[0]!.status;
  const received = async (values: { totalFen: number; rateBps?: number; promoted?: boolean; receivedAt: Date; shop?: Awaited<ReturnType<typeof moneyShop>> }) => {
    const shop = values.shop ?? (await moneyShop(gw));
    const buyer = await party(gw, "BUYER");
    const promoter = values.promoted === false ? null : await party(gw, "PROMOTER");
    const order = await moneyOrder(db(), {
      buyerId: buyer.id,
      shopId: shop.shop.id,
      productId: shop.product.id,
      totalFen: values.totalFen,
      promoterId: promoter?.id ?? null,
      rateBps: values.rateBps ?? 1_500,
      status: "RECEIVED",
      receivedAt: values.receivedAt,
      createdAt: new Date(values.receivedAt.getTime() - 3 * DAY),
    });
    return { ...shop, buyer, promoter, order };
  };

  it("settles 7 days after receipt, not at 6 days 23:59:59.999, with a balanced posting and a SETTLED event", async () => {
    const t = nextWindow();
    const o = await received({ totalFen: 10_000, receivedAt: t });
    clock.set(new Date(t.getTime() + 8 * DAY));
    expect((await run(new Date(t.getTime() + 7 * DAY - 1))).userErrors).toEqual([]);
    expect(await statusOf(o.order.row.id)).toBe("RECEIVED");
    expect(await settlementOf(o.order.row.id)).toBeNull();
    const second = await run(new Date(t.getTime() + 7 * DAY));
    expect(second.run!.ordersSettled).toBeGreaterThanOrEqual(1);
    expect(await statusOf(o.order.row.id)).toBe("SETTLED");
    expect(await settlementOf(o.order.row.id)).toMatchObject({
      baseFen: 10_000,
      commissionFen: 1_500,
      promotionFeeFen: 150,
      promoterFen: 1_350,
      technicalRateBps: 500,
      technicalFeeFen: 500,
      merchantFen: 8_000,
      held: false,
    });
    const entries = await entriesOf(o.order.row.id);
    expect(Object.fromEntries(entries.map((e) => [e.kind, e.fen]))).toEqual({
      ESCROW: -10_000,
      MERCHANT: 8_000,
      PROMOTER: 1_350,
      PLATFORM_PROMOTION_FEE: 150,
      PLATFORM_TECHNICAL_FEE: 500,
    });
    expect(entries.find((e) => e.kind === "MERCHANT")!.owner).toBe(o.shop.id);
    expect(entries.find((e) => e.kind === "PROMOTER")!.owner).toBe(o.promoter!.id);
    const events = await db().select().from(orderEvents).where(eq(orderEvents.orderId, o.order.row.id));
    expect(events.map((e) => [e.kind, e.fromStatus, e.toStatus, e.actorId])).toEqual([["SETTLED", "RECEIVED", "SETTLED", null]]);
    const read = await gw.request(OrderMoneyDocument, { id: o.order.id }, o.merchant.token);
    expect(read.data!.order!.settlement).toMatchObject({ base: { amount: "100.00" }, merchantShare: { amount: "80.00" }, promoterShare: { amount: "13.50" } });
  });

  it("refuses an asOf in the future", async () => {
    const result = await gw.request(RunSettlementDocument, { input: { asOf: new Date(clock.now().getTime() + 1000).toISOString() } }, admin.token);
    expect(result.data!.runSettlement).toEqual({ run: null, userErrors: [{ field: ["asOf"], code: "AS_OF_IN_FUTURE", message: expect.any(String) }] });
  });

  it("rounds half-even to the fen on 1-fen and 3-fen orders and odd rates, the parts adding up to the hand price", async () => {
    const t = nextWindow();
    const odd = await moneyShop(gw, { category: `odd-${t.getTime()}` });
    const rate = await gw.request(SetTechnicalFeeRateDocument, { input: { category: odd.product.category, rateBps: 777 } }, admin.token);
    expect(rate.data!.setTechnicalFeeRate).toEqual({ ok: true, userErrors: [] });
    const cases = [
      { totalFen: 1, rateBps: 1_500, expect: { commissionFen: 0, promotionFeeFen: 0, technicalFeeFen: 0, merchantFen: 1 } },
      { totalFen: 3, rateBps: 5_000, expect: { commissionFen: 2, promotionFeeFen: 0, technicalFeeFen: 0, merchantFen: 1 } }, // 1.5 → 2
      { totalFen: 25, rateBps: 1_000, expect: { commissionFen: 2, promotionFeeFen: 0, technicalFeeFen: 1, merchantFen: 22 } }, // 2.5 → 2, 1.25 → 1
      { totalFen: 35, rateBps: 1_000, expect: { commissionFen: 4, promotionFeeFen: 0, technicalFeeFen: 2, merchantFen: 29 } }, // 3.5 → 4, 1.75 → 2
      { totalFen: 12_345, rateBps: 3_333, shop: odd, expect: { commissionFen: 4_115, promotionFeeFen: 412, technicalFeeFen: 959, merchantFen: 7_271 } }, // 411.5 → 412
    ];
    const made = [];
    for (const c of cases) made.push(await received({ totalFen: c.totalFen, rateBps: c.rateBps, receivedAt: t, shop: c.shop }));
    clock.set(new Date(t.getTime() + 7 * DAY));
    await run(clock.now());
    for (const [i, c] of cases.entries()) {
      const row = (await settlementOf(made[i]!.order.row.id))!;
      expect(row, `case ${i}: ${JSON.stringify(row)}`).toMatchObject(c.expect);
      expect(row.merchantFen + row.promoterFen + row.promotionFeeFen + row.technicalFeeFen).toBe(c.totalFen);
      const twin = split({
        baseFen: c.totalFen,
        promoted: true,
        commissionRateBps: c.rateBps,
        technicalRateBps: c.shop ? 777 : 500,
        enrolled: false,
        fanxingRateBps: 100,
        fanxingLineFen: 10_000_000,
        settledBeforeFen: 0,
      });
      expect(row).toMatchObject({ commissionFen: twin.commissionFen, promotionFeeFen: twin.promotionFeeFen, technicalFeeFen: twin.technicalFeeFen, merchantFen: twin.merchantFen });
    }
  });

  it("pays no commission on an order without a promoter", async () => {
    const t = nextWindow();
    const o = await received({ totalFen: 10_000, rateBps: 2_000, promoted: false, receivedAt: t });
    clock.set(new Date(t.getTime() + 7 * DAY));
    await run(clock.now());
    expect(await settlementOf(o.order.row.id)).toMatchObject({ commissionRateBps: 0, commissionFen: 0, promotionFeeFen: 0, promoterFen: 0, technicalFeeFen: 500, merchantFen: 9_500 });
    expect((await entriesOf(o.order.row.id)).map((e) => e.kind).sort()).toEqual(["ESCROW", "MERCHANT", "PLATFORM_TECHNICAL_FEE"]);
  });

  it("charges the 凡星 rate until the shop's settled sales reach 100,000 yuan, splitting the crossing order at the line", async () => {
    const t = nextWindow();
    const enrolled = await moneyShop(gw, { shop: { createdAt: new Date("2020-09-15T10:00:00+08:00") } });
    const first = await received({ totalFen: 9_990_000, receivedAt: t, shop: enrolled, promoted: false });
    clock.set(new Date(t.getTime() + 7 * DAY));
    await run(clock.now());
    expect(await settlementOf(first.order.row.id)).toMatchObject({ fanxingBaseFen: 9_990_000, fanxingRateBps: 100, technicalFeeFen: 99_900 });
    // The next order crosses the line: 100.00 below it at 1%, 100.00 above it at the category's 5%; the one after pays 5%.
    const crossing = await received({ totalFen: 20_000, receivedAt: clock.now(), shop: enrolled, promoted: false });
    const after = await received({ totalFen: 10_000, receivedAt: new Date(clock.now().getTime() + 1), shop: enrolled, promoted: false });
    clock.advance(8 * DAY);
    await run(clock.now());
    expect(await settlementOf(crossing.order.row.id)).toMatchObject({ fanxingBaseFen: 10_000, fanxingRateBps: 100, technicalFeeFen: 100 + 500, merchantFen: 19_400 });
    expect(await settlementOf(after.order.row.id)).toMatchObject({ fanxingBaseFen: 0, fanxingRateBps: 0, technicalFeeFen: 500 });
  });

  it("charges shops outside the 凡星 enrolment window the category's rate (window is [1 Sep, 1 Nov) China time)", async () => {
    const t = nextWindow();
    const late = await moneyShop(gw, { shop: { createdAt: new Date("2020-11-01T00:00:00+08:00") } });
    const early = await moneyShop(gw, { shop: { createdAt: new Date("2020-08-31T23:59:59+08:00") } });
    const inside = await moneyShop(gw, { shop: { createdAt: new Date("2020-10-31T23:59:59+08:00") } });
    const orders3 = [await received({ totalFen: 10_000, receivedAt: t, shop: late }), await received({ totalFen: 10_000, receivedAt: t, shop: early }), await received({ totalFen: 10_000, receivedAt: t, shop: inside })];
    clock.set(new Date(t.getTime() + 7 * DAY));
    await run(clock.now());
    const rows = await Promise.all(orders3.map((o) => settlementOf(o.order.row.id)));
    expect(rows.map((r) => [r!.fanxingBaseFen, r!.technicalFeeFen])).toEqual([
      [0, 500],
      [0, 500],
      [10_000, 100],
    ]);
  });

  it("settles each order exactly once when two runs overlap", async () => {
    const t = nextWindow();
    const made = [];
    for (let i = 0; i < 30; i++) made.push(await received({ totalFen: 1_000 + i, receivedAt: t, promoted: i % 2 === 0 }));
    clock.set(new Date(t.getTime() + 7 * DAY));
    const [a, b, c] = await Promise.all([run(clock.now()), run(clock.now()), gw.services.settlement.settle(clock.now(), { trigger: "SCHEDULE", by: null, wait: false })]);
    const ids = made.map((m) => m.order.row.id);
    const rows = await db().select().from(settlements).where(inArray(settlements.orderId, ids));
    expect(rows).toHaveLength(30);
    expect(a.run!.ordersSettled + b.run!.ordersSettled + c.ordersSettled).toBeGreaterThanOrEqual(30);
    const [{ n }] = (await db().select({ n: sql<number>`count(*)::int` }).from(ledgerEntries).where(inArray(ledgerEntries.orderId, ids))) as [{ n: number }];
    expect(n).toBe(30 * 3 + 15 * 2); // escrow, merchant, technical fee; promoter and promotion fee when promoted
    const events = await db().select().from(orderEvents).where(inArray(orderEvents.orderId, ids));
    expect(events).toHaveLength(30);
  });

  it("leaves nothing of a run that dies in the middle, and the repeated run settles every order once", async () => {
    const t = nextWindow();
    const made = [];
    for (let i = 0; i < 20; i++) made.push(await received({ totalFen: 5_000 + i, receivedAt: t }));
    const ids = made.map((m) => m.order.row.id);
    clock.set(new Date(t.getTime() + 7 * DAY));
    const failing = Math.max(...ids);
    // On PostgreSQL the run goes through a gateway of its own: the connection it loses (and the breaker it trips)
    // stay with that gateway, and the tests after this one run on a pool that never saw a terminated backend.
    const victim = backend === "postgres" ? await startTestGateway(backend, { clock, env: { ...MONEY_ENV, DATABASE_URL: own!.url } }) : gw;
    try {
      if (backend === "postgres") {
        // Killed for real: the run's backend is terminated while it sits inside its transaction.
        await db().execute(sql.raw(`create function settle_stall() returns trigger language plpgsql as $$ begin perform pg_sleep(30); return null; end $$`));
        await db().execute(sql.raw(`create trigger settle_stall after insert on ledger_entries for each statement execute function settle_stall()`));
        try {
          const dying = victim.request(RunSettlementDocument, { input: { asOf: clock.now().toISOString() } }, admin.token);
          let killed = 0;
          for (let i = 0; i < 100 && killed === 0; i++) {
            await new Promise((r) => setTimeout(r, 100));
            const rows = resultRows<{ n: number }>(
              await db().execute(sql`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'`),
            );
            killed = rows[0]!.n;
          }
          expect(killed).toBe(1);
          // The connection under the run is gone: the client is told the database is unavailable.
          expect((await dying).errors?.[0]?.extensions?.code).toBe("UNAVAILABLE");
        } finally {
          await db().execute(sql.raw(`drop trigger settle_stall on ledger_entries; drop function settle_stall()`));
        }
      } else {
        await db().execute(sql.raw(`create function settle_fail() returns trigger language plpgsql as $$ begin if new.order_id = ${failing} then raise exception 'crash'; end if; return new; end $$`));
        await db().execute(sql.raw(`create trigger settle_fail before insert on ledger_entries for each row execute function settle_fail()`));
        const dying = await gw.request(RunSettlementDocument, { input: { asOf: clock.now().toISOString() } }, admin.token);
        expect(dying.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
        await db().execute(sql.raw(`drop trigger settle_fail on ledger_entries`));
        await db().execute(sql.raw(`drop function settle_fail()`));
      }
      expect(await db().select().from(settlements).where(inArray(settlements.orderId, ids))).toEqual([]);
      expect((await db().select().from(orders).where(inArray(orders.id, ids))).every((o) => o.status === "RECEIVED")).toBe(true);
      expect(await db().select().from(ledgerEntries).where(inArray(ledgerEntries.orderId, ids))).toEqual([]);

      // Repeated as an operator would: after a lost connection the gateway answers UNAVAILABLE for a moment.
      for (let attempt = 0; ; attempt++) {
        const again = await victim.request(RunSettlementDocument, { input: { asOf: clock.now().toISOString() } }, admin.token);
        if (!again.errors) break;
        expect(again.errors[0]!.extensions!.code).toBe("UNAVAILABLE");
        expect(attempt).toBeLessThan(50);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      if (victim !== gw) await victim.stop();
    }
    await run(clock.now());
    expect(await db().select().from(settlements).where(inArray(settlements.orderId, ids))).toHaveLength(20);
    const [{ n }] = (await db().select({ n: sql<number>`count(*)::int` }).from(ledgerEntries).where(inArray(ledgerEntries.orderId, ids))) as [{ n: number }];
    expect(n).toBe(20 * 5);
  });

  it("takes a partial refund before settlement off the base, and recovers one after settlement per the split", async () => {
    const t = nextWindow();
    const before = await received({ totalFen: 10_000, receivedAt: t });
    const afterwards = await received({ totalFen: 10_000, receivedAt: t });
    const refund = (orderId: string, amount: string | undefined) =>
      gw.request(RefundOrderDocument, { input: { orderId, amount, reason: "after-sales: scratched" } }, admin.token).then((r) => r.data!.refundOrder);
    expect((await refund(before.order.id, "30.00")).userErrors).toEqual([]);
    clock.set(new Date(t.getTime() + 7 * DAY));
    await run(clock.now());
    expect(await settlementOf(before.order.row.id)).toMatchObject({ baseFen: 7_000, commissionFen: 1_050, promotionFeeFen: 105, promoterFen: 945, technicalFeeFen: 350, merchantFen: 5_600 });

    // 25.00 of a settled 100.00: promoter 13.50 × ¼ = 3.375 → 3.38, fee 0.375 → 0.38, technical 1.25, merchant the rest 19.99.
    const partial = await refund(afterwards.order.id, "25.00");
    expect(partial.order).toMatchObject({ status: "SETTLED", refunded: { amount: "25.00" }, refundable: { amount: "75.00" } });
    const reversal = (await entriesOf(afterwards.order.row.id)).filter((e) => e.posting === "REFUND_REVERSAL");
    expect(Object.fromEntries(reversal.map((e) => [e.kind, e.fen]))).toEqual({
      MERCHANT: -1_999,
      PROMOTER: -338,
      PLATFORM_PROMOTION_FEE: -38,
      PLATFORM_TECHNICAL_FEE: -125,
      BUYER_REFUNDS: 2_500,
    });
    expect((await refund(afterwards.order.id, "75.01")).userErrors.map((e) => e.code)).toEqual(["EXCEEDS_REFUNDABLE"]);
    const rest = await refund(afterwards.order.id, undefined);
    expect(rest.order).toMatchObject({ status: "REFUNDED", refunded: { amount: "100.00" } });
    const totals: Record<string, number> = {};
    for (const e of await entriesOf(afterwards.order.row.id)) totals[e.kind] = (totals[e.kind] ?? 0) + e.fen;
    // Everything each party received came back; escrow released the whole payment; the buyer got it all.
    expect(totals).toEqual({ ESCROW: -10_000, MERCHANT: 0, PROMOTER: 0, PLATFORM_PROMOTION_FEE: 0, PLATFORM_TECHNICAL_FEE: 0, BUYER_REFUNDS: 10_000 });
  });

  it("holds a frozen shop's settlements and releases them when the freeze lifts; statements show both", async () => {
    const t = nextWindow();
    const shop = await moneyShop(gw);
    const o = await received({ totalFen: 10_000, receivedAt: t, shop });
    const shopId = toGlobalId("Shop", shop.shop.id);
    const freeze = (frozen: boolean) => gw.request(SetPayoutsFrozenDocument, { input: { shopId, frozen, reason: "credit score at 0" } }, admin.token).then((r) => r.data!.setPayoutsFrozen);
    expect(await freeze(true)).toEqual({ ok: true, userErrors: [] });
    expect((await freeze(true)).userErrors.map((e) => e.code)).toEqual(["ALREADY_FROZEN"]);
    clock.set(new Date(t.getTime() + 7 * DAY));
    await run(clock.now());
    expect(await settlementOf(o.order.row.id)).toMatchObject({ held: true, merchantFen: 8_000 });
    const period = { from: new Date(t.getTime()).toISOString(), to: new Date(t.getTime() + 30 * DAY).toISOString() };
    const statement = () => gw.request(PayoutStatementDocument, { party: "SHOP", shopId, ...period }, shop.merchant.token).then((r) => r.data!.payoutStatement);
    expect(await statement()).toMatchObject({ opening: { amount: "0.00" }, closing: { amount: "0.00" }, held: { amount: "80.00" }, frozen: true, lines: [] });

    clock.advance(DAY);
    expect(await freeze(false)).toEqual({ ok: true, userErrors: [] });
    expect((await freeze(false)).userErrors.map((e) => e.code)).toEqual(["NOT_FROZEN"]);
    const released = await statement();
    expect(released).toMatchObject({ closing: { amount: "80.00" }, held: { amount: "0.00" }, frozen: false });
    expect(released.lines.map((l) => [l.kind, l.account, l.amount.amount])).toEqual([["HOLD_RELEASE", "MERCHANT", "80.00"]]);

    // After the release, new settlements are paid out again.
    const next = await received({ totalFen: 5_000, receivedAt: clock.now(), shop });
    clock.advance(7 * DAY);
    await run(clock.now());
    expect(await settlementOf(next.order.row.id)).toMatchObject({ held: false });
    expect((await statement()).closing.amount).toBe("120.00");
  });

  it("shows settlements and statements to their parties only", async () => {
    const t = nextWindow();
    const o = await received({ totalFen: 10_000, receivedAt: t });
    clock.set(new Date(t.getTime() + 7 * DAY));
    await run(clock.now());
    const shopId = toGlobalId("Shop", o.shop.id);
    const mine = await gw.request(SettlementsDocument, { first: 10 }, o.merchant.token);
    expect(mine.data!.settlements.edges.map((e) => e.node.order.id)).toEqual([o.order.id]);
    const promoterToken = await gw.token(o.promoter!.id, "PROMOTER");
    const commissions = await gw.request(SettlementsDocument, { first: 10 }, promoterToken);
    expect(commissions.data!.settlements.edges.map((e) => e.node.promoterShare.amount)).toEqual(["13.50"]);
    const stranger = await moneyShop(gw);
    expect((await gw.request(SettlementsDocument, { shopId }, stranger.merchant.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(SettlementsDocument, {}, o.buyer.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const period = { from: t.toISOString(), to: new Date(t.getTime() + 30 * DAY).toISOString() };
    expect((await gw.request(PayoutStatementDocument, { party: "SHOP", shopId, ...period }, stranger.merchant.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const promoterStatement = await gw.request(PayoutStatementDocument, { party: "PROMOTER", ...period }, promoterToken);
    expect(promoterStatement.data!.payoutStatement).toMatchObject({ closing: { amount: "13.50" }, lines: [{ kind: "SETTLEMENT", account: "PROMOTER", amount: { amount: "13.50" } }] });
    expect((await gw.request(PayoutStatementDocument, { party: "PLATFORM", ...period }, promoterToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const analyst = await party(gw, "ANALYST");
    const platform = await gw.request(PayoutStatementDocument, { party: "PLATFORM", ...period }, analyst.token);
    expect(platform.data!.payoutStatement.lines.filter((l) => l.orderId === o.order.id).map((l) => l.amount.amount).sort()).toEqual(["1.50", "5.00"]);
  });
});

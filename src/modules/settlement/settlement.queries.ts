import { and, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { orderRefunds, payoutFreezes, settlementRuns, settlements, technicalFeeRates } from "../../db/schema/index.js";
import { PROMOTION_FEE_BPS, SETTLE_AFTER_DAYS, SETTLEMENT_LOCK, type SettlementTerms } from "./settlement.rules.js";

const iso = (d: Date) => sql`${d.toISOString()}::timestamptz`;
/** n ÷ d rounded half-even, for n ≥ 0 (the SQL twin of divideHalfEven). */
const he = (n: SQL, d: number): SQL =>
  sql`((${n}) / ${sql.raw(String(d))} + case when 2 * ((${n}) % ${sql.raw(String(d))}) > ${sql.raw(String(d))} or (2 * ((${n}) % ${sql.raw(String(d))}) = ${sql.raw(String(d))} and ((${n}) / ${sql.raw(String(d))}) % 2 = 1) then 1 else 0 end)`;

/** Takes the settlement lock for the transaction: waits for it, or (try) answers false when another run holds it. */
export async function lockSettlement(db: DbOrTx, wait: boolean): Promise<boolean> {
  if (wait) {
    await db.execute(sql`select pg_advisory_xact_lock(${SETTLEMENT_LOCK})`);
    return true;
  }
  const [row] = resultRows<{ locked: boolean }>(await db.execute(sql`select pg_try_advisory_xact_lock(${SETTLEMENT_LOCK}) as locked`));
  return row!.locked;
}

export async function insertRun(db: DbOrTx, run: typeof settlementRuns.$inferInsert) {
  const [row] = await db.insert(settlementRuns).values(run).returning();
  return row!;
}

/**
 * R16 as a handful of set-based statements inside the run's transaction:
 * 1. claim (row-lock) every order received at least 7 days before `asOf`;
 * 2. split them all in one INSERT … SELECT (refunds made before settlement come off the base; 凡星 shops'
 *    running settled sales by window function, so the order that crosses the line is split at it);
 * 3. make the accounts, 4. write a balanced posting per order, 5. mark the orders SETTLED with an event row.
 * Exactly once: the claim filters on status under the row lock, and settlements' primary key is the order.
 */
export async function settleDue(db: DbOrTx, runId: number, asOf: Date, now: Date, terms: SettlementTerms) {
  const cutoff = new Date(asOf.getTime() - SETTLE_AFTER_DAYS * 86_400_000);
  await db.execute(sql`
    create temp table settlement_due (
      order_id bigint primary key, shop_id bigint not null, promoter_id bigint, buyer_id bigint not null,
      received_at timestamptz not null, total_fen bigint not null, rate_bps integer not null, category text not null
    ) on commit drop`);
  await db.execute(sql`
    insert into settlement_due
    select o.id, o.shop_id, o.promoter_id, o.buyer_id, o.received_at, o.total_fen, o.commission_rate_bps, p.category
    from orders o join products p on p.id = o.product_id
    where o.status = 'RECEIVED' and o.received_at <= ${iso(cutoff)}
    for update of o`);
  // A new statement, so a refund that committed while the claim waited for its row lock is seen here.
  const fx = terms.fanxing;
  await db.execute(sql`
    with refunded as (
      select r.order_id, sum(r.amount_fen)::bigint as fen from order_refunds r join settlement_due d on d.order_id = r.order_id group by r.order_id
    ), prior as (
      select s.shop_id, sum(s.base_fen)::bigint as fen from settlements s
      where s.shop_id in (select distinct shop_id from settlement_due) group by s.shop_id
    ), base as (
      -- Every amount stays bigint: sum() of bigint is numeric, and numeric division would round half away from zero.
      select d.*, (d.total_fen - coalesce(rf.fen, 0))::bigint as base_fen,
        coalesce(t.rate_bps, ${terms.defaultTechnicalBps}) as tech_bps,
        (sh.created_at >= ${iso(fx.from)} and sh.created_at < ${iso(fx.until)}) as enrolled,
        exists (select 1 from payout_freezes f where f.shop_id = d.shop_id and f.released_at is null) as held
      from settlement_due d
      join shops sh on sh.id = d.shop_id
      left join refunded rf on rf.order_id = d.order_id
      left join technical_fee_rates t on t.category = d.category
    ), running as (
      select b.*, coalesce(p.fen, 0) + coalesce(sum(b.base_fen) over (
        partition by b.shop_id order by b.received_at, b.order_id rows between unbounded preceding and 1 preceding), 0)::bigint as before_fen
      from base b left join prior p on p.shop_id = b.shop_id
    ), fx as (
      select r.*, case when r.enrolled then greatest(0, least(r.base_fen, ${fx.lineFen}::bigint - r.before_fen)) else 0 end::bigint as fx_base
      from running r
    ), parts as (
      select f.*,
        case when f.promoter_id is null then 0 else ${he(sql`f.base_fen * f.rate_bps`, 10_000)} end::bigint as commission_fen,
        ${he(sql`f.fx_base * ${fx.rateBps} + (f.base_fen - f.fx_base) * f.tech_bps`, 10_000)}::bigint as technical_fee_fen
      from fx f
    ), fees as (
      select p.*, ${he(sql`p.commission_fen * ${PROMOTION_FEE_BPS}`, 10_000)}::bigint as promotion_fee_fen from parts p
    )
    insert into settlements (order_id, run_id, posting_id, shop_id, promoter_id, buyer_id, base_fen, commission_rate_bps, commission_fen,
      promotion_fee_fen, promoter_fen, technical_rate_bps, fanxing_base_fen, fanxing_rate_bps, technical_fee_fen, merchant_fen, held,
      received_at, settled_at)
    select order_id, ${runId}, nextval('ledger_posting_seq'), shop_id, promoter_id, buyer_id, base_fen,
      case when promoter_id is null then 0 else rate_bps end, commission_fen, promotion_fee_fen, commission_fen - promotion_fee_fen,
      tech_bps, fx_base, case when fx_base > 0 then ${fx.rateBps} else 0 end, technical_fee_fen,
      base_fen - commission_fen - technical_fee_fen, held, received_at, ${iso(now)}
    from fees`);
  await db.execute(sql`
    insert into ledger_accounts (kind, owner_id)
    select k::ledger_account_kind, o from (
      select 'MERCHANT' as k, shop_id as o from settlement_due
      union select 'MERCHANT_HELD', shop_id from settlement_due
      union select 'PROMOTER', promoter_id from settlement_due where promoter_id is not null
      union values ('ESCROW', 0::bigint), ('PLATFORM_PROMOTION_FEE', 0), ('PLATFORM_TECHNICAL_FEE', 0)
    ) a
    on conflict (kind, owner_id) do nothing`);
  await db.execute(sql`
    insert into ledger_entries (posting_id, account_id, kind, amount_fen, order_id, at)
    select s.posting_id, a.id, 'SETTLEMENT', l.amount, s.order_id, ${iso(now)}
    from settlements s
    cross join lateral (values
      ('ESCROW'::ledger_account_kind, 0::bigint, -s.base_fen),
      ((case when s.held then 'MERCHANT_HELD' else 'MERCHANT' end)::ledger_account_kind, s.shop_id, s.merchant_fen),
      ('PROMOTER'::ledger_account_kind, coalesce(s.promoter_id, 0), s.promoter_fen),
      ('PLATFORM_PROMOTION_FEE'::ledger_account_kind, 0::bigint, s.promotion_fee_fen),
      ('PLATFORM_TECHNICAL_FEE'::ledger_account_kind, 0::bigint, s.technical_fee_fen)
    ) as l(kind, owner_id, amount)
    join ledger_accounts a on a.kind = l.kind and a.owner_id = l.owner_id
    where s.run_id = ${runId} and l.amount <> 0`);
  await db.execute(sql`
    with moved as (
      update orders o set status = 'SETTLED' from settlement_due d where o.id = d.order_id returning o.id
    )
    insert into order_events (order_id, kind, from_status, to_status, at)
    select id, 'SETTLED', 'RECEIVED', 'SETTLED', ${iso(now)} from moved`);
  const [totals] = resultRows<{ n: string | number; fen: string | number }>(
    await db.execute(sql`
      update settlement_runs r set orders_settled = t.n, amount_fen = t.fen
      from (select count(*) as n, coalesce(sum(base_fen), 0) as fen from settlements where run_id = ${runId}) t
      where r.id = ${runId} returning t.n, t.fen`),
  );
  const changes = resultRows<{ order_id: string | number; buyer_id: string | number; shop_id: string | number }>(
    await db.execute(sql`select order_id, buyer_id, shop_id from settlement_due`),
  ).map((r) => ({ orderId: Number(r.order_id), buyerId: Number(r.buyer_id), shopId: Number(r.shop_id) }));
  return { ordersSettled: Number(totals!.n), amountFen: Number(totals!.fen), changes };
}

export async function settlementOf(db: DbOrTx, orderId: number) {
  const [row] = await db.select().from(settlements).where(eq(settlements.orderId, orderId));
  return row ?? null;
}

export function settlementsByOrderIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(settlements).where(inArray(settlements.orderId, [...ids]));
}

/** Refunds of an order made after its settlement, other than `exceptRefundId`. */
export async function refundedAfterSettlement(db: DbOrTx, orderId: number, exceptRefundId: number): Promise<number> {
  const [row] = await db
    .select({ fen: sql<string>`coalesce(sum(${orderRefunds.amountFen}), 0)` })
    .from(orderRefunds)
    .where(and(eq(orderRefunds.orderId, orderId), eq(orderRefunds.afterSettlement, true), sql`${orderRefunds.id} <> ${exceptRefundId}`));
  return Number(row!.fen);
}

export function reversedByOrderIds(db: DbOrTx, ids: readonly number[]) {
  return db
    .select({ id: orderRefunds.orderId, fen: sql<string>`sum(${orderRefunds.amountFen})` })
    .from(orderRefunds)
    .where(and(inArray(orderRefunds.orderId, [...ids]), eq(orderRefunds.afterSettlement, true)))
    .groupBy(orderRefunds.orderId);
}

export async function openFreeze(db: DbOrTx, shopId: number, lock = false) {
  const query = db.select().from(payoutFreezes).where(and(eq(payoutFreezes.shopId, shopId), isNull(payoutFreezes.releasedAt)));
  const [row] = lock ? await query.for("update") : await query;
  return row ?? null;
}

export async function insertFreeze(db: DbOrTx, freeze: typeof payoutFreezes.$inferInsert) {
  const [row] = await db.insert(payoutFreezes).values(freeze).onConflictDoNothing().returning();
  return row ?? null;
}

export async function releaseFreeze(db: DbOrTx, id: number, by: number | null, at: Date) {
  await db.update(payoutFreezes).set({ releasedAt: at, releasedBy: by }).where(eq(payoutFreezes.id, id));
}

export async function upsertTechnicalRate(db: DbOrTx, category: string, rateBps: number, at: Date) {
  await db
    .insert(technicalFeeRates)
    .values({ category, rateBps, updatedAt: at })
    .onConflictDoUpdate({ target: technicalFeeRates.category, set: { rateBps, updatedAt: at } });
}

export function technicalRates(db: DbOrTx) {
  return db.select().from(technicalFeeRates).orderBy(technicalFeeRates.category);
}

/** A page of settlements, newest order first, filtered by shop(s), promoter and settlement time. */
export function settlementPage(
  db: DbOrTx,
  filter: { shopIds?: number[]; promoterId?: number; from?: Date; to?: Date },
  afterOrderId: number | null,
  limit: number,
) {
  return db
    .select()
    .from(settlements)
    .where(
      and(
        filter.shopIds ? inArray(settlements.shopId, filter.shopIds) : undefined,
        filter.promoterId !== undefined ? eq(settlements.promoterId, filter.promoterId) : undefined,
        filter.from ? gte(settlements.settledAt, filter.from) : undefined,
        filter.to ? lt(settlements.settledAt, filter.to) : undefined,
        afterOrderId !== null ? lt(settlements.orderId, afterOrderId) : undefined,
      ),
    )
    .orderBy(desc(settlements.orderId))
    .limit(limit + 1);
}

/**
 * Reconciliation of the orders placed in [from, to): what buyers paid against where it is now, each side from
 * its own records (orders, refunds, ledger entries, settlement state).
 */
export async function reconcile(db: DbOrTx, from: Date, to: Date) {
  const [row] = resultRows<Record<string, string | number>>(
    await db.execute(sql`
      with placed as (
        select id, total_fen, status from orders where created_at >= ${iso(from)} and created_at < ${iso(to)}
      ), refunds as (
        select r.order_id, sum(r.amount_fen) as fen from order_refunds r join placed p on p.id = r.order_id group by r.order_id
      ), ledger as (
        select a.kind, sum(e.amount_fen) as fen
        from ledger_entries e join placed p on p.id = e.order_id join ledger_accounts a on a.id = e.account_id
        group by a.kind
      )
      select
        (select count(*) from placed) as orders,
        (select coalesce(sum(total_fen), 0) from placed) as payments,
        (select coalesce(sum(fen), 0) from refunds) as refunded,
        (select coalesce(sum(p.total_fen - coalesce(r.fen, 0)), 0) from placed p left join refunds r on r.order_id = p.id
          where p.status not in ('SETTLED', 'REFUNDED')) as pending,
        (select coalesce(sum(fen), 0) from ledger where kind in ('MERCHANT', 'MERCHANT_HELD')) as merchant,
        (select coalesce(sum(fen), 0) from ledger where kind = 'PROMOTER') as promoter,
        (select coalesce(sum(fen), 0) from ledger where kind in ('PLATFORM_PROMOTION_FEE', 'PLATFORM_TECHNICAL_FEE')) as platform,
        (select coalesce(sum(fen), 0) from ledger where kind = 'BUYER_REFUNDS') as refunded_in_ledger,
        (select coalesce(-sum(fen), 0) from ledger where kind = 'ESCROW') as released_from_escrow,
        (select count(*) from (
          select e.posting_id from ledger_entries e
          where e.posting_id in (select e2.posting_id from ledger_entries e2 join placed p on p.id = e2.order_id)
          group by e.posting_id having sum(e.amount_fen) <> 0) u) as unbalanced`),
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as Record<
    "orders" | "payments" | "refunded" | "pending" | "merchant" | "promoter" | "platform" | "refunded_in_ledger" | "released_from_escrow" | "unbalanced",
    number
  >;
}

import { and, asc, eq, getTableColumns, gt, inArray, lt, sql } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { plannedEachTime } from "../../db/prepared.js";
import { coupons, orders, type OrderRow } from "../../db/schema/index.js";

export function ordersByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(orders).where(inArray(orders.id, [...ids]));
}

export async function orderByKey(db: DbOrTx, buyerId: number, idempotencyKey: string) {
  const [row] = await db.select().from(orders).where(and(eq(orders.buyerId, buyerId), eq(orders.idempotencyKey, idempotencyKey)));
  return row ?? null;
}

/*
 * The batch statements of a flash sale pass their rows as one JSON value (jsonb_to_recordset: a parameter, or a
 * literal in a statement planned each time) rather than a parameter per value: a batch of 500 orders would otherwise build and send ~10,000 parameters, and building
 * them was the largest CPU cost of an accepted order.
 */

/**
 * The orders already placed under these (buyer, key) pairs. A sale's batch reads them under the sale's lock while the
 * sale fills the table, so the statement is planned at each batch (`plannedEachTime`), with the table as it is then;
 * and each pair is looked up on its own (`limit 1` keeps the lookup from being merged into a join), which the
 * idempotency index answers as soon as the table is more than a few pages. As a join, PostgreSQL's costs preferred
 * hashing a scan of the whole table up to some tens of thousands of orders (tests/e2e/db/growing-table-plans.test.ts).
 */
export function ordersByKeys(db: DbOrTx, pairs: { buyerId: number; key: string }[]) {
  const json = plannedEachTime(JSON.stringify(pairs.map((p) => ({ b: p.buyerId, k: p.key }))));
  return db
    .select()
    .from(orders)
    .where(
      sql`${orders.id} = any(array(select (select o.id from orders o where o.buyer_id = x.b and o.idempotency_key = x.k limit 1) from jsonb_to_recordset(${json}::jsonb) as x(b bigint, k text)))`,
    );
}

export type OrderInsert = typeof orders.$inferInsert & { createdAt: Date };

/** What a new order's row holds for the columns its insert leaves to their defaults. */
const ORDER_DEFAULTS = {
  promoterId: null,
  liveSessionId: null,
  flashSaleId: null,
  shopCouponFen: 0,
  promoterCouponFen: 0,
  pointsFen: 0,
  subsidyFen: 0,
  commissionRateBps: 0,
  commissionPlan: null,
  couponId: null,
  requestHash: null,
  status: "ACCEPTED",
  receivedAt: null,
} satisfies Partial<OrderRow>;

// The batch insert's columns and their SQL types come from the table definition, so they cannot drift from it.
const BATCH_COLUMNS = Object.entries(getTableColumns(orders)).filter(([key]) => !["id", "status", "receivedAt"].includes(key));
const BATCH_COLUMN_LIST = sql.raw(BATCH_COLUMNS.map(([, column]) => column.name).join(", "));
const BATCH_RECORD_TYPE = sql.raw(BATCH_COLUMNS.map(([, column]) => `${column.name} ${column.getSQLType()}`).join(", "));

/** Inserts a batch of new orders; returns them as rows, in the order given. */
export async function insertOrders(db: DbOrTx, inserts: OrderInsert[]): Promise<OrderRow[]> {
  // Object.assign, not `{ ...ORDER_DEFAULTS, ...given }`: V8 builds that spread ~30 times slower (measured 37 µs an
  // order, a few % of the sellout's CPU).
  const rows = inserts.map((insert) => {
    const given = Object.fromEntries(Object.entries(insert).filter(([, value]) => value !== undefined));
    return Object.assign({}, ORDER_DEFAULTS, given) as Omit<OrderRow, "id">;
  });
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(BATCH_COLUMNS.map(([key, column]) => [column.name, row[key as keyof typeof row]]))));
  const result = await db.execute(sql`
    insert into orders (${BATCH_COLUMN_LIST})
    select ${BATCH_COLUMN_LIST} from jsonb_to_recordset(${json}::jsonb) as x(${BATCH_RECORD_TYPE})
    returning id, buyer_id, idempotency_key`);
  // RETURNING order is not promised to follow the input: match on (buyer, key), unique within a batch.
  const ids = new Map(resultRows<{ id: unknown; buyer_id: unknown; idempotency_key: string }>(result).map((r) => [`${Number(r.buyer_id)}:${r.idempotency_key}`, Number(r.id)]));
  return rows.map((row) => {
    const id = ids.get(`${row.buyerId}:${row.idempotencyKey}`);
    if (id === undefined) throw new Error(`order of buyer ${row.buyerId} with key ${row.idempotencyKey} was not inserted`);
    return { ...row, id };
  });
}

export async function insertOrderOnce(db: DbOrTx, row: typeof orders.$inferInsert) {
  const [inserted] = await db.insert(orders).values(row).onConflictDoNothing({ target: [orders.buyerId, orders.idempotencyKey] }).returning();
  return inserted ?? null;
}

export function couponsByCodes(db: DbOrTx, codes: string[]) {
  return db.select().from(coupons).where(inArray(coupons.code, codes));
}

/**
 * Locks the coupons an order transaction redeems, in id order (two transactions that redeem the same coupons
 * queue on them in the same order, so they never deadlock), and reads their counts under the lock.
 */
export function lockCoupons(db: DbOrTx, ids: number[]) {
  return db.select().from(coupons).where(inArray(coupons.id, ids)).orderBy(asc(coupons.id)).for("update");
}

/** How many orders each of these buyers has redeemed each of these coupons with. Read under the coupons' locks. */
export async function couponUses(db: DbOrTx, couponIds: number[], buyerIds: number[]) {
  const rows = await db
    .select({ couponId: orders.couponId, buyerId: orders.buyerId, uses: sql<number>`count(*)`.mapWith(Number) })
    .from(orders)
    .where(and(inArray(orders.couponId, couponIds), inArray(orders.buyerId, buyerIds)))
    .groupBy(orders.couponId, orders.buyerId);
  return rows as { couponId: number; buyerId: number; uses: number }[];
}

/** Adds redemptions; the check constraint refuses more than the coupon's quantity even if the caller miscounted. */
export async function addRedemptions(db: DbOrTx, perCoupon: Map<number, number>) {
  for (const [id, count] of [...perCoupon].sort(([a], [b]) => a - b)) {
    await db
      .update(coupons)
      .set({ redeemedCount: sql`${coupons.redeemedCount} + ${count}` })
      .where(eq(coupons.id, id));
  }
}

export async function insertCoupon(db: DbOrTx, values: typeof coupons.$inferInsert) {
  const [row] = await db.insert(coupons).values(values).onConflictDoNothing({ target: coupons.code }).returning();
  return row ?? null;
}

/** A shop's sales volume over [from, to): what buyers paid for its orders placed then, less cancelled and fully refunded ones. */
export async function shopSalesFen(db: DbOrTx, shopId: number, from: Date, to: Date): Promise<number> {
  const [row] = await db
    .select({ fen: sql<string>`coalesce(sum(${orders.totalFen}), 0)` })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), sql`${orders.createdAt} >= ${from.toISOString()}::timestamptz`, sql`${orders.createdAt} < ${to.toISOString()}::timestamptz`, sql`${orders.status} not in ('CANCELLED', 'REFUNDED')`));
  return Number(row!.fen);
}

/** Coupons of a product a buyer could still use (not expired, not used up): the price guard's R12 checks stack them. */
export function usableCouponsOfProduct(db: DbOrTx, productId: number, now: Date) {
  return db
    .select({ issuer: coupons.issuer, amountFen: coupons.amountFen, minSpendFen: coupons.minSpendFen })
    .from(coupons)
    .where(and(eq(coupons.productId, productId), gt(coupons.validUntil, now), lt(coupons.redeemedCount, coupons.totalQuantity)));
}

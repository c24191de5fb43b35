import { and, desc, eq, inArray, notInArray, sql } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { orderEvents, orderRefunds, orders, shipments, type OrderRow } from "../../db/schema/index.js";

export async function lockOrder(db: DbOrTx, orderId: number): Promise<OrderRow | null> {
  const [row] = await db.select().from(orders).where(eq(orders.id, orderId)).for("update");
  return row ?? null;
}

export async function refundedFen(db: DbOrTx, orderId: number): Promise<number> {
  const [row] = await db.select({ fen: sql<string>`coalesce(sum(${orderRefunds.amountFen}), 0)` }).from(orderRefunds).where(eq(orderRefunds.orderId, orderId));
  return Number(row!.fen);
}

export function refundedByOrderIds(db: DbOrTx, ids: readonly number[]) {
  return db
    .select({ id: orderRefunds.orderId, fen: sql<string>`sum(${orderRefunds.amountFen})` })
    .from(orderRefunds)
    .where(inArray(orderRefunds.orderId, [...ids]))
    .groupBy(orderRefunds.orderId);
}

export async function setStatus(db: DbOrTx, orderId: number, status: OrderRow["status"], receivedAt?: Date): Promise<OrderRow> {
  const [row] = await db
    .update(orders)
    .set(receivedAt ? { status, receivedAt } : { status })
    .where(eq(orders.id, orderId))
    .returning();
  return row!;
}

export function insertEvent(db: DbOrTx, event: typeof orderEvents.$inferInsert) {
  return db.insert(orderEvents).values(event);
}

export function insertShipment(db: DbOrTx, shipment: typeof shipments.$inferInsert) {
  return db.insert(shipments).values(shipment);
}

export async function insertRefund(db: DbOrTx, refund: typeof orderRefunds.$inferInsert) {
  const [row] = await db.insert(orderRefunds).values(refund).returning();
  return row!;
}

export function eventsByOrderIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(orderEvents).where(inArray(orderEvents.orderId, [...ids])).orderBy(orderEvents.id);
}

export function shipmentsByOrderIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(shipments).where(inArray(shipments.orderId, [...ids]));
}

/**
 * Set-based auto-receipt: every shipped order whose shipment is at least `days` old at `asOf` becomes RECEIVED,
 * received at the moment it fell due (shipped + days), with a system event row. Returns the orders moved.
 */
export async function autoReceive(db: DbOrTx, asOf: Date, days: number) {
  const cutoff = new Date(asOf.getTime() - days * 86_400_000);
  return resultRows<{ id: string | number; buyer_id: string | number; shop_id: string | number }>(
    await db.execute(sql`
      with due as (
        update orders o set status = 'RECEIVED', received_at = s.shipped_at + make_interval(days => ${days})
        from shipments s
        where s.order_id = o.id and o.status = 'SHIPPED' and s.shipped_at <= ${cutoff.toISOString()}::timestamptz
        returning o.id, o.buyer_id, o.shop_id, o.received_at
      ), logged as (
        insert into order_events (order_id, kind, from_status, to_status, at)
        select id, 'AUTO_RECEIVED', 'SHIPPED', 'RECEIVED', received_at from due
      )
      select id, buyer_id, shop_id from due`),
  ).map((r) => ({ orderId: Number(r.id), buyerId: Number(r.buyer_id), shopId: Number(r.shop_id) }));
}

const OPEN: OrderRow["status"][] = ["SETTLED", "REFUNDED", "CANCELLED"];

/** The newest unfinished orders of a buyer, or of shops (the first message of orderUpdates). */
export function openOrders(db: DbOrTx, who: { buyerId?: number; shopIds?: number[]; orderId?: number }, limit: number) {
  const scope = who.orderId
    ? eq(orders.id, who.orderId)
    : who.buyerId !== undefined
      ? eq(orders.buyerId, who.buyerId)
      : inArray(orders.shopId, who.shopIds ?? []);
  return db
    .select()
    .from(orders)
    .where(who.orderId ? scope : and(scope, notInArray(orders.status, OPEN)))
    .orderBy(desc(orders.id))
    .limit(limit);
}



export function ordersByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(orders).where(inArray(orders.id, [...ids]));
}

import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { coupons, flashSalePurchases, flashSales, orders } from "../../db/schema/index.js";

export function ordersByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(orders).where(inArray(orders.id, [...ids]));
}

export async function orderByKey(db: DbOrTx, buyerId: number, idempotencyKey: string) {
  const [row] = await db.select().from(orders).where(and(eq(orders.buyerId, buyerId), eq(orders.idempotencyKey, idempotencyKey)));
  return row ?? null;
}

/** Orders already made with any of these (buyer, key) pairs. */
export function ordersByKeys(db: DbOrTx, pairs: { buyerId: number; key: string }[]) {
  return db
    .select()
    .from(orders)
    .where(and(inArray(orders.buyerId, [...new Set(pairs.map((p) => p.buyerId))]), inArray(orders.idempotencyKey, [...new Set(pairs.map((p) => p.key))])));
}

export function purchasesOf(db: DbOrTx, saleId: number, buyerIds: number[]) {
  return db
    .select()
    .from(flashSalePurchases)
    .where(and(eq(flashSalePurchases.flashSaleId, saleId), inArray(flashSalePurchases.buyerId, buyerIds)));
}

export function insertOrders(db: DbOrTx, rows: (typeof orders.$inferInsert)[]) {
  return db.insert(orders).values(rows).returning();
}

export async function insertOrderOnce(db: DbOrTx, row: typeof orders.$inferInsert) {
  const [inserted] = await db.insert(orders).values(row).onConflictDoNothing({ target: [orders.buyerId, orders.idempotencyKey] }).returning();
  return inserted ?? null;
}

export async function addPurchases(db: DbOrTx, saleId: number, perBuyer: Map<number, number>) {
  if (perBuyer.size === 0) return;
  await db
    .insert(flashSalePurchases)
    .values([...perBuyer].map(([buyerId, quantity]) => ({ flashSaleId: saleId, buyerId, quantity })))
    .onConflictDoUpdate({
      target: [flashSalePurchases.flashSaleId, flashSalePurchases.buyerId],
      set: { quantity: sql`${flashSalePurchases.quantity} + excluded.quantity` },
    });
}

/** Adds sold units; the check constraint refuses an oversold sale even if the caller miscounted. */
export async function addSold(db: DbOrTx, saleId: number, units: number) {
  const [row] = await db
    .update(flashSales)
    .set({
      soldUnits: sql`${flashSales.soldUnits} + ${units}`,
      version: sql`${flashSales.version} + 1`,
      status: sql`case when ${flashSales.soldUnits} + ${units} >= ${flashSales.allocatedUnits} then 'SOLD_OUT'::flash_sale_status else ${flashSales.status} end`,
    })
    .where(eq(flashSales.id, saleId))
    .returning();
  return row!;
}

export function couponsByCodes(db: DbOrTx, codes: string[]) {
  return db.select().from(coupons).where(inArray(coupons.code, codes));
}

export async function insertCoupon(db: DbOrTx, values: typeof coupons.$inferInsert) {
  const [row] = await db.insert(coupons).values(values).onConflictDoNothing({ target: coupons.code }).returning();
  return row ?? null;
}

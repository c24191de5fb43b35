import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { flashSalePurchases, flashSales, liveSessions, orders, products } from "../../db/schema/index.js";

export async function flashSaleById(db: DbOrTx, id: number, forUpdate = false) {
  const query = db.select().from(flashSales).where(eq(flashSales.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  return row ?? null;
}

export function flashSalesByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(flashSales).where(inArray(flashSales.id, [...ids]));
}

export function flashSalesOfSessions(db: DbOrTx, liveSessionIds: readonly number[]) {
  return db.select().from(flashSales).where(inArray(flashSales.liveSessionId, [...liveSessionIds])).orderBy(asc(flashSales.id));
}

export async function insertFlashSale(db: DbOrTx, values: typeof flashSales.$inferInsert) {
  const [row] = await db.insert(flashSales).values(values).returning();
  return row!;
}

/** Takes units out of a product's stock; null when there are not enough. */
export async function takeStock(db: DbOrTx, productId: number, units: number) {
  const [row] = await db
    .update(products)
    .set({ stock: sql`${products.stock} - ${units}`, version: sql`${products.version} + 1` })
    .where(and(eq(products.id, productId), sql`${products.stock} >= ${units}`))
    .returning({ stock: products.stock });
  return row ?? null;
}

export async function returnStock(db: DbOrTx, productId: number, units: number) {
  if (units <= 0) return;
  await db
    .update(products)
    .set({ stock: sql`${products.stock} + ${units}`, version: sql`${products.version} + 1` })
    .where(eq(products.id, productId));
}

/** Sales whose start has come (SCHEDULED → RUNNING). */
export function salesToStart(db: DbOrTx, now: Date) {
  return db
    .update(flashSales)
    .set({ status: "RUNNING", version: sql`${flashSales.version} + 1` })
    .where(and(eq(flashSales.status, "SCHEDULED"), lte(flashSales.startsAt, now)))
    .returning();
}

/** Ids of open sales whose end has come. */
export function salesDueToEnd(db: DbOrTx, now: Date) {
  return db
    .select({ id: flashSales.id })
    .from(flashSales)
    .where(and(inArray(flashSales.status, ["SCHEDULED", "RUNNING", "SOLD_OUT"]), lte(flashSales.endsAt, now)));
}

export function openSales(db: DbOrTx) {
  return db.select().from(flashSales).where(inArray(flashSales.status, ["SCHEDULED", "RUNNING", "SOLD_OUT"]));
}

/** Open sales a withdrawal stops: of a shop's goods and/or in a promoter's rooms, cross-border only if asked. */
export function salesToWithdraw(db: DbOrTx, w: { shopId: number | null; promoterId: number | null; crossBorderOnly: boolean }) {
  if (w.shopId === null && w.promoterId === null) return Promise.resolve([]);
  return db
    .select({ id: flashSales.id })
    .from(flashSales)
    .innerJoin(products, eq(products.id, flashSales.productId))
    .innerJoin(liveSessions, eq(liveSessions.id, flashSales.liveSessionId))
    .where(
      and(
        inArray(flashSales.status, ["SCHEDULED", "RUNNING", "SOLD_OUT"]),
        w.crossBorderOnly ? eq(products.crossBorder, true) : undefined,
        or(w.shopId !== null ? eq(flashSales.shopId, w.shopId) : undefined, w.promoterId !== null ? eq(liveSessions.promoterId, w.promoterId) : undefined),
      ),
    )
    .orderBy(asc(flashSales.id));
}

export async function endSaleRow(db: DbOrTx, id: number, at: Date, reason: string) {
  const [row] = await db
    .update(flashSales)
    .set({
      status: "ENDED",
      endedAt: at,
      endReason: reason,
      returnedUnits: sql`${flashSales.allocatedUnits} - ${flashSales.soldUnits}`,
      version: sql`${flashSales.version} + 1`,
    })
    .where(and(eq(flashSales.id, id), inArray(flashSales.status, ["SCHEDULED", "RUNNING", "SOLD_OUT"])))
    .returning();
  return row ?? null;
}

/** The ledger's view of a sale, to rebuild its admission gate: units bought per buyer and the idempotency keys used. */
export async function gateLedger(db: DbOrTx, saleId: number) {
  const [buyers, keys] = await Promise.all([
    db.select().from(flashSalePurchases).where(eq(flashSalePurchases.flashSaleId, saleId)),
    db.select({ buyerId: orders.buyerId, key: orders.idempotencyKey }).from(orders).where(eq(orders.flashSaleId, saleId)),
  ]);
  return { buyers, keys };
}

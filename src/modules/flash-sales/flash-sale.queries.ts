import { and, asc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { idArray, plannedEachTime } from "../../db/prepared.js";
import { cartItems, flashSalePurchases, flashSales, liveSessions, orders, products } from "../../db/schema/index.js";

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

/** The product's sales not yet ended (optionally in one room), with the subsidy pinned in their room (R12 checks). */
export function openSalesOfProduct(db: DbOrTx, productId: number, liveSessionId?: number) {
  return db
    .select({
      id: flashSales.id,
      liveSessionId: flashSales.liveSessionId,
      flashPriceFen: flashSales.flashPriceFen,
      perBuyerLimit: flashSales.perBuyerLimit,
      subsidyFen: sql<number>`coalesce(${cartItems.subsidyFen}, 0)`.mapWith(Number),
    })
    .from(flashSales)
    .leftJoin(
      cartItems,
      and(eq(cartItems.liveSessionId, flashSales.liveSessionId), eq(cartItems.productId, flashSales.productId), isNull(cartItems.unpinnedAt)),
    )
    .where(
      and(
        eq(flashSales.productId, productId),
        inArray(flashSales.status, ["SCHEDULED", "RUNNING", "SOLD_OUT"]),
        liveSessionId === undefined ? undefined : eq(flashSales.liveSessionId, liveSessionId),
      ),
    );
}

/**
 * Units each of the buyers has bought in the sale (its per-buyer limit), read in the order batch's transaction while
 * the sale fills the table. Planned at each batch (`plannedEachTime`), with each buyer looked up in the primary key on
 * its own (`limit 1` keeps the lookups from being merged into one scan): with the sale's size misjudged, PostgreSQL
 * read all of the sale's purchases so far and filtered them, in every batch (1.6 million index entries in a
 * 20,000-order pipeline run; tests/e2e/db/growing-table-plans.test.ts).
 */
export async function purchasesOf(db: DbOrTx, saleId: number, buyerIds: number[]): Promise<{ flashSaleId: number; buyerId: number; quantity: number }[]> {
  const rows = resultRows<{ buyer_id: string | number; quantity: number }>(
    await db.execute(sql`
      select p.buyer_id, p.quantity from unnest(${plannedEachTime(idArray(buyerIds))}::bigint[]) as b(id)
      cross join lateral (select buyer_id, quantity from flash_sale_purchases where flash_sale_id = ${plannedEachTime(String(saleId))}::bigint and buyer_id = b.id limit 1) p`),
  );
  return rows.map((r) => ({ flashSaleId: saleId, buyerId: Number(r.buyer_id), quantity: Number(r.quantity) }));
}

/** Adds an order batch's units to each buyer's purchases, in the batch's transaction. */
export async function addPurchases(db: DbOrTx, saleId: number, perBuyer: Map<number, number>) {
  if (perBuyer.size === 0) return;
  const json = JSON.stringify([...perBuyer].map(([b, q]) => ({ b, q })));
  await db.execute(sql`
    insert into flash_sale_purchases (flash_sale_id, buyer_id, quantity)
    select ${saleId}, b, q from jsonb_to_recordset(${json}::jsonb) as x(b bigint, q integer)
    on conflict (flash_sale_id, buyer_id) do update set quantity = flash_sale_purchases.quantity + excluded.quantity`);
}

/** Adds sold units in the order batch's transaction (SOLD_OUT when none are left); the check constraint refuses an oversold sale even if the caller miscounted. */
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

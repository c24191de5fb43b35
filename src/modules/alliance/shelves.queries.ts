/** Promoters' profiles, shelves (one prepared statement) and sample requests (R6, R7). */
import { and, asc, desc, eq, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { commissionRateFloors, products, promoterProfiles, sampleRequests, shelfItems, shops } from "../../db/schema/index.js";
import { generalPlans, inAlliance, resolution } from "./commissions.queries.js";

export function profilesByUserIds(db: DbOrTx, userIds: readonly number[]) {
  return db.select().from(promoterProfiles).where(inArray(promoterProfiles.userId, [...userIds]));
}

/** Locks the promoter's profile: shelf changes of one promoter run one after the other. Null if it has none yet. */
export async function lockProfile(db: DbOrTx, userId: number) {
  const [row] = await db.select().from(promoterProfiles).where(eq(promoterProfiles.userId, userId)).for("update");
  return row ?? null;
}

export async function ensureProfile(db: DbOrTx, userId: number, at: Date) {
  await db.insert(promoterProfiles).values({ userId, updatedAt: at }).onConflictDoNothing();
}

export async function profileByPid(db: DbOrTx, pid: string) {
  const [row] = await db.select().from(promoterProfiles).where(eq(promoterProfiles.promotionPid, pid));
  return row ?? null;
}

export async function updateProfile(db: DbOrTx, userId: number, changes: Partial<typeof promoterProfiles.$inferInsert>) {
  const [row] = await db.update(promoterProfiles).set(changes).where(eq(promoterProfiles.userId, userId)).returning();
  return row!;
}

/** The shelf statement, built once per database handle and prepared (drizzle builds no SQL per request). */
function shelfStatement(db: DbOrTx) {
  const promoterId = sql.placeholder("promoterId");
  const r = resolution(db, promoterId, sql.placeholder("at"));
  return db
    .select({
      item: shelfItems,
      product: products,
      planId: r.planId,
      kind: r.kind,
      rateBps: r.rateBps,
    })
    .from(shelfItems)
    .innerJoin(products, eq(products.id, shelfItems.productId))
    .leftJoin(generalPlans, inAlliance(sql.placeholder("at")))
    .leftJoinLateral(r.resolved, isNotNull(generalPlans.id))
    .leftJoin(commissionRateFloors, and(isNotNull(generalPlans.id), r.floorJoin))
    .where(eq(shelfItems.promoterId, promoterId))
    .orderBy(asc(shelfItems.position), asc(shelfItems.productId))
    .prepare("shelf_of");
}

const shelfStatements = new WeakMap<DbOrTx, ReturnType<typeof shelfStatement>>();

/** The shelf in order, each item with its product and the plan that pays this promoter now (null if none). */
export async function shelfOf(db: DbOrTx, promoterId: number, at: Date) {
  let statement = shelfStatements.get(db);
  if (!statement) shelfStatements.set(db, (statement = shelfStatement(db)));
  // ISO text: PostgreSQL types the parameter from its comparison, on postgres.js and PGlite alike.
  const rows = await statement.execute({ promoterId, at: at.toISOString() });
  return rows.map((r) => ({
    ...r,
    planId: r.planId === null ? null : Number(r.planId),
    rateBps: r.rateBps === null ? null : Number(r.rateBps),
  }));
}

export async function shelfProductIds(db: DbOrTx, promoterId: number): Promise<number[]> {
  const rows = await db
    .select({ productId: shelfItems.productId })
    .from(shelfItems)
    .where(eq(shelfItems.promoterId, promoterId))
    .orderBy(asc(shelfItems.position), asc(shelfItems.productId));
  return rows.map((r) => r.productId);
}

/** Appends the product at the end of the shelf; nothing happens if it is already there. */
export async function appendToShelf(db: DbOrTx, promoterId: number, productId: number, at: Date) {
  await db
    .insert(shelfItems)
    .values({
      promoterId,
      productId,
      position: sql`(select coalesce(max(${shelfItems.position}), 0) + 1 from ${shelfItems} where ${eq(shelfItems.promoterId, promoterId)})`,
      addedAt: at,
    })
    .onConflictDoNothing();
}

export async function deleteFromShelf(db: DbOrTx, promoterId: number, productId: number): Promise<boolean> {
  const rows = await db
    .delete(shelfItems)
    .where(and(eq(shelfItems.promoterId, promoterId), eq(shelfItems.productId, productId)))
    .returning({ productId: shelfItems.productId });
  return rows.length > 0;
}

/** Positions 1..n in the given order, in one statement. */
export async function setShelfOrder(db: DbOrTx, promoterId: number, productIds: readonly number[]) {
  if (productIds.length === 0) return;
  const cases = sql.join(
    productIds.map((id, i) => sql`when ${id}::bigint then ${i + 1}::integer`),
    sql` `,
  );
  await db
    .update(shelfItems)
    .set({ position: sql`case ${shelfItems.productId} ${cases} end` })
    .where(and(eq(shelfItems.promoterId, promoterId), inArray(shelfItems.productId, [...productIds])));
}

export function sampleRequestsByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(sampleRequests).where(inArray(sampleRequests.id, [...ids]));
}

export async function sampleRequestForUpdate(db: DbOrTx, id: number) {
  const [row] = await db.select().from(sampleRequests).where(eq(sampleRequests.id, id)).for("update");
  return row ?? null;
}

/** Inserts a pending request; null when the promoter already has one pending for the product. */
export async function insertSampleRequest(db: DbOrTx, values: typeof sampleRequests.$inferInsert) {
  const [row] = await db.insert(sampleRequests).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export async function updateSampleRequest(db: DbOrTx, id: number, changes: Partial<typeof sampleRequests.$inferInsert>) {
  const [row] = await db.update(sampleRequests).set(changes).where(eq(sampleRequests.id, id)).returning();
  return row!;
}

/** Requests a promoter made, or requests to the shops a merchant owns; newest first. */
export async function listSampleRequests(
  db: DbOrTx,
  q: { promoterId?: number; shopOwnerId?: number; status?: string; beforeId?: number; limit: number },
) {
  const conditions: SQL[] = [];
  if (q.promoterId !== undefined) conditions.push(eq(sampleRequests.promoterId, q.promoterId));
  if (q.shopOwnerId !== undefined) {
    conditions.push(inArray(sampleRequests.shopId, db.select({ id: shops.id }).from(shops).where(eq(shops.ownerId, q.shopOwnerId))));
  }
  if (q.status) conditions.push(sql`${sampleRequests.status} = ${q.status}`);
  if (q.beforeId !== undefined) conditions.push(sql`${sampleRequests.id} < ${q.beforeId}`);
  const rows = await db
    .select()
    .from(sampleRequests)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(sampleRequests.id))
    .limit(q.limit + 1);
  return { nodes: rows.slice(0, q.limit), hasNextPage: rows.length > q.limit };
}

import { and, asc, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { cartItems, liveSessions } from "../../db/schema/index.js";

/** `lock`: "share" keeps the session from ending (endLiveSession updates the row) until the caller's transaction ends. */
export async function liveSessionById(db: DbOrTx, id: number, lock: boolean | "share" = false) {
  const query = db.select().from(liveSessions).where(eq(liveSessions.id, id));
  const [row] = lock === "share" ? await query.for("share") : lock ? await query.for("update") : await query;
  return row ?? null;
}

export function liveSessionsByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(liveSessions).where(inArray(liveSessions.id, [...ids]));
}

export async function insertLiveSession(db: DbOrTx, values: typeof liveSessions.$inferInsert) {
  const [row] = await db.insert(liveSessions).values(values).returning();
  return row!;
}

export async function endLiveSessionRow(db: DbOrTx, id: number, at: Date) {
  const [row] = await db
    .update(liveSessions)
    .set({ status: "ENDED", endedAt: at })
    .where(and(eq(liveSessions.id, id), eq(liveSessions.status, "LIVE")))
    .returning();
  return row ?? null;
}

export function listLiveSessions(db: DbOrTx, q: { status?: "LIVE" | "ENDED"; promoterId?: number; beforeId?: number; limit: number }) {
  return db
    .select()
    .from(liveSessions)
    .where(
      and(
        q.status ? eq(liveSessions.status, q.status) : undefined,
        q.promoterId !== undefined ? eq(liveSessions.promoterId, q.promoterId) : undefined,
        q.beforeId !== undefined ? lt(liveSessions.id, q.beforeId) : undefined,
      ),
    )
    .orderBy(desc(liveSessions.id))
    .limit(q.limit + 1);
}

export function pinnedCartItems(db: DbOrTx, liveSessionIds: readonly number[]) {
  return db
    .select()
    .from(cartItems)
    .where(and(inArray(cartItems.liveSessionId, [...liveSessionIds]), isNull(cartItems.unpinnedAt)))
    .orderBy(asc(cartItems.id));
}

export async function pinnedCartItem(db: DbOrTx, liveSessionId: number, productId: number) {
  const [row] = await db
    .select()
    .from(cartItems)
    .where(and(eq(cartItems.liveSessionId, liveSessionId), eq(cartItems.productId, productId), isNull(cartItems.unpinnedAt)));
  return row ?? null;
}

/** Pins, or updates the subsidy of an item already pinned. */
export async function pinCartItem(db: DbOrTx, liveSessionId: number, productId: number, subsidyFen: number, at: Date) {
  const [row] = await db
    .insert(cartItems)
    .values({ liveSessionId, productId, subsidyFen, pinnedAt: at })
    .onConflictDoUpdate({
      target: [cartItems.liveSessionId, cartItems.productId],
      targetWhere: sql`${cartItems.unpinnedAt} is null`,
      set: { subsidyFen },
    })
    .returning();
  return row!;
}

export async function unpinCartItem(db: DbOrTx, id: number, at: Date) {
  const [row] = await db.update(cartItems).set({ unpinnedAt: at }).where(and(eq(cartItems.id, id), isNull(cartItems.unpinnedAt))).returning();
  return row ?? null;
}

import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { cartItems, liveSessions, products } from "../../db/schema/index.js";

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

/** Goods a sanction takes out of live rooms: a shop's goods and/or everything in a promoter's rooms, cross-border only if asked. */
export interface Withdrawal {
  shopId: number | null;
  promoterId: number | null;
  crossBorderOnly: boolean;
}

/** Pins still on the cart of a LIVE room that a withdrawal removes. */
export function pinsToWithdraw(db: DbOrTx, w: Withdrawal) {
  if (w.shopId === null && w.promoterId === null) return Promise.resolve([]);
  return db
    .select({ id: cartItems.id, liveSessionId: cartItems.liveSessionId, productId: cartItems.productId })
    .from(cartItems)
    .innerJoin(products, eq(products.id, cartItems.productId))
    .innerJoin(liveSessions, eq(liveSessions.id, cartItems.liveSessionId))
    .where(
      and(
        isNull(cartItems.unpinnedAt),
        eq(liveSessions.status, "LIVE"),
        w.crossBorderOnly ? eq(products.crossBorder, true) : undefined,
        or(w.shopId !== null ? eq(products.shopId, w.shopId) : undefined, w.promoterId !== null ? eq(liveSessions.promoterId, w.promoterId) : undefined),
      ),
    );
}

export async function unpinCartItem(db: DbOrTx, id: number, at: Date) {
  const [row] = await db.update(cartItems).set({ unpinnedAt: at }).where(and(eq(cartItems.id, id), isNull(cartItems.unpinnedAt))).returning();
  return row ?? null;
}

/** Where the product is pinned now, in rooms still LIVE, with each room's subsidy (R12 checks of a coupon). */
export function livePinsOfProduct(db: DbOrTx, productId: number) {
  return db
    .select({ liveSessionId: cartItems.liveSessionId, subsidyFen: cartItems.subsidyFen })
    .from(cartItems)
    .innerJoin(liveSessions, eq(liveSessions.id, cartItems.liveSessionId))
    .where(and(eq(cartItems.productId, productId), isNull(cartItems.unpinnedAt), eq(liveSessions.status, "LIVE")));
}

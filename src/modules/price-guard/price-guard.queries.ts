import { and, desc, eq, gt, inArray, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import {
  agreedPrices,
  priceGuardAttempts,
  priceGuardRestrictions,
  priceGuardViolations,
} from "../../db/schema/index.js";

export async function insertAgreedPrice(db: DbOrTx, values: typeof agreedPrices.$inferInsert) {
  const [row] = await db.insert(agreedPrices).values(values).returning();
  return row!;
}

export function agreedPricesByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(agreedPrices).where(inArray(agreedPrices.id, [...ids]));
}

/** The filing that applies to each product: its newest. */
export function currentAgreedPrices(db: DbOrTx, productIds: readonly number[]) {
  return db
    .selectDistinctOn([agreedPrices.productId])
    .from(agreedPrices)
    .where(inArray(agreedPrices.productId, [...productIds]))
    .orderBy(agreedPrices.productId, desc(agreedPrices.filedAt), desc(agreedPrices.id));
}

export async function currentAgreedPrice(db: DbOrTx, productId: number) {
  const [row] = await currentAgreedPrices(db, [productId]);
  return row ?? null;
}

export function agreedPriceHistory(db: DbOrTx, productIds: readonly number[]) {
  return db
    .select()
    .from(agreedPrices)
    .where(inArray(agreedPrices.productId, [...productIds]))
    .orderBy(desc(agreedPrices.filedAt), desc(agreedPrices.id));
}

/** Who a restriction can name: shops, and a promoter (restrictions held against the promoter itself). */
export interface Subjects {
  shopIds: number[];
  promoterId: number | null;
}

function subjectCondition(subjects: Subjects): SQL | undefined {
  const shopIds = subjects.shopIds.filter((id, i, all) => all.indexOf(id) === i);
  return or(
    shopIds.length ? inArray(priceGuardRestrictions.shopId, shopIds) : undefined,
    subjects.promoterId !== null ? eq(priceGuardRestrictions.promoterId, subjects.promoterId) : undefined,
  );
}

/** Restrictions of these subjects in force at `now`. */
export function activeRestrictions(db: DbOrTx, subjects: Subjects, now: Date) {
  const who = subjectCondition(subjects);
  if (!who) return Promise.resolve([]);
  return db
    .select()
    .from(priceGuardRestrictions)
    .where(
      and(
        who,
        isNull(priceGuardRestrictions.liftedAt),
        lte(priceGuardRestrictions.startsAt, now),
        or(isNull(priceGuardRestrictions.endsAt), gt(priceGuardRestrictions.endsAt, now)),
      ),
    );
}

/** Restrictions ever imposed on these subjects (lifted or expired ones too): the ladder's position. */
export async function restrictionCount(db: DbOrTx, subjects: Subjects): Promise<number> {
  const who = subjectCondition(subjects);
  if (!who) return 0;
  const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(priceGuardRestrictions).where(who);
  return row?.n ?? 0;
}

/** Serialises the ladder of one subject across transactions and processes (released at commit). */
export async function lockSubject(db: DbOrTx, key: string) {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`price-guard:${key}`}, 0))`);
}

export async function insertRestriction(db: DbOrTx, values: typeof priceGuardRestrictions.$inferInsert) {
  const [row] = await db.insert(priceGuardRestrictions).values(values).returning();
  return row!;
}

export async function insertAttempt(db: DbOrTx, values: typeof priceGuardAttempts.$inferInsert) {
  const [row] = await db.insert(priceGuardAttempts).values(values).returning({ id: priceGuardAttempts.id });
  return row!;
}

export async function insertViolation(db: DbOrTx, values: typeof priceGuardViolations.$inferInsert) {
  const [row] = await db.insert(priceGuardViolations).values(values).returning();
  return row!;
}

/**
 * Claims committed violations whose alert has not gone out (all of them, or those ids): only one caller gets each,
 * whatever the number of processes. Rows of transactions still open are invisible here and wait for their own commit.
 */
export function claimUnalerted(db: DbOrTx, at: Date, ids?: number[]) {
  return db
    .update(priceGuardViolations)
    .set({ alertedAt: at })
    .where(and(isNull(priceGuardViolations.alertedAt), ids ? inArray(priceGuardViolations.id, ids) : undefined))
    .returning();
}

export function restrictionsByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(priceGuardRestrictions).where(inArray(priceGuardRestrictions.id, [...ids]));
}

export function restrictionsOfShops(db: DbOrTx, shopIds: readonly number[]) {
  return db
    .select()
    .from(priceGuardRestrictions)
    .where(inArray(priceGuardRestrictions.shopId, [...shopIds]))
    .orderBy(desc(priceGuardRestrictions.startsAt), desc(priceGuardRestrictions.id));
}

export async function restrictionById(db: DbOrTx, id: number, forUpdate = false) {
  const query = db.select().from(priceGuardRestrictions).where(eq(priceGuardRestrictions.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  return row ?? null;
}

export async function liftRestrictionRow(db: DbOrTx, id: number, by: number, reason: string, at: Date) {
  const [row] = await db
    .update(priceGuardRestrictions)
    .set({ liftedAt: at, liftedBy: by, liftReason: reason })
    .where(eq(priceGuardRestrictions.id, id))
    .returning();
  return row!;
}

export function violationsByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(priceGuardViolations).where(inArray(priceGuardViolations.id, [...ids]));
}

export interface ViolationListQuery {
  shopId?: number;
  productId?: number;
  liveSessionId?: number;
  promoterId?: number;
  /** Limits the list to what a merchant or promoter may see: its shops' violations, violations of its shops' goods, its own. */
  visibleTo?: { shopIds: number[]; promoterId: number | null };
  beforeId?: number;
  limit: number;
}

/** Newest first; one more row than asked tells if a next page exists. */
export function listViolations(db: DbOrTx, q: ViolationListQuery) {
  const v = priceGuardViolations;
  const visible = q.visibleTo
    ? (or(
        q.visibleTo.shopIds.length ? inArray(v.shopId, q.visibleTo.shopIds) : undefined,
        q.visibleTo.shopIds.length ? inArray(v.productShopId, q.visibleTo.shopIds) : undefined,
        q.visibleTo.promoterId !== null ? eq(v.promoterId, q.visibleTo.promoterId) : undefined,
      ) ?? sql`false`)
    : undefined;
  return db
    .select()
    .from(v)
    .where(
      and(
        visible,
        q.shopId !== undefined ? eq(v.shopId, q.shopId) : undefined,
        q.productId !== undefined ? eq(v.productId, q.productId) : undefined,
        q.liveSessionId !== undefined ? eq(v.liveSessionId, q.liveSessionId) : undefined,
        q.promoterId !== undefined ? eq(v.promoterId, q.promoterId) : undefined,
        q.beforeId !== undefined ? lt(v.id, q.beforeId) : undefined,
      ),
    )
    .orderBy(desc(v.id))
    .limit(q.limit + 1);
}

/** Distribution eligibility (R1–R3): a shop's facts, its applications. */
import { and, asc, desc, eq, gte, inArray, lte, notInArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { distributionApplications, orders, qualityViolations, shopRatings, shops, shopSettlementSettings, users } from "../../db/schema/index.js";
import { DSR_WINDOW_DAYS, GMV_WINDOW_DAYS, VIOLATION_WINDOW_DAYS, windowStart, type EligibilityFacts } from "./alliance.rules.js";

/** Orders that are not sales (GMV, units sold). */
export const NOT_SALES = ["CANCELLED", "REFUNDED"] as const;

/** Everything R1 reads about a shop, in one statement. */
export async function eligibilityFacts(db: DbOrTx, shopId: number, at: Date): Promise<EligibilityFacts | null> {
  const sinceGmv = windowStart(at, GMV_WINDOW_DAYS);
  const sinceDsr = windowStart(at, DSR_WINDOW_DAYS);
  const sinceViolation = windowStart(at, VIOLATION_WINDOW_DAYS);
  const [row] = await db
    .select({
      ownerBanned: users.banned,
      shopStatus: shops.status,
      creditScore: shops.creditScore,
      gmvFen: sql<number>`(select coalesce(sum(${orders.totalFen}), 0) from ${orders} where ${and(
        eq(orders.shopId, shops.id),
        gte(orders.createdAt, sinceGmv),
        lte(orders.createdAt, at),
        notInArray(orders.status, [...NOT_SALES]),
      )})`.mapWith(Number),
      dsrPoints: sql<number>`(select coalesce(sum(${shopRatings.descriptionScore} + ${shopRatings.serviceScore} + ${shopRatings.logisticsScore}), 0) from ${shopRatings} where ${and(
        eq(shopRatings.shopId, shops.id),
        gte(shopRatings.createdAt, sinceDsr),
        lte(shopRatings.createdAt, at),
      )})`.mapWith(Number),
      dsrRatings: sql<number>`(select count(*) from ${shopRatings} where ${and(
        eq(shopRatings.shopId, shops.id),
        gte(shopRatings.createdAt, sinceDsr),
        lte(shopRatings.createdAt, at),
      )})`.mapWith(Number),
      seriousViolations: sql<number>`(select count(*) from ${qualityViolations} where ${and(
        eq(qualityViolations.shopId, shops.id),
        eq(qualityViolations.serious, true),
        gte(qualityViolations.occurredAt, sinceViolation),
        lte(qualityViolations.occurredAt, at),
      )})`.mapWith(Number),
      shortSettlementEnabled: sql<boolean>`coalesce(${shopSettlementSettings.shortSettlementEnabled}, false)`.mapWith(Boolean),
    })
    .from(shops)
    .innerJoin(users, eq(users.id, shops.ownerId))
    .leftJoin(shopSettlementSettings, eq(shopSettlementSettings.shopId, shops.id))
    .where(eq(shops.id, shopId));
  return row ?? null;
}

/** Locks the shop row so that concurrent applications of one shop run one after the other. */
export async function lockShop(db: DbOrTx, shopId: number) {
  const [row] = await db.select().from(shops).where(eq(shops.id, shopId)).for("update");
  return row ?? null;
}

export async function latestApplication(db: DbOrTx, shopId: number) {
  const [row] = await db
    .select()
    .from(distributionApplications)
    .where(eq(distributionApplications.shopId, shopId))
    .orderBy(desc(distributionApplications.id))
    .limit(1);
  return row ?? null;
}

export function latestApplicationsByShopIds(db: DbOrTx, shopIds: readonly number[]) {
  return db
    .selectDistinctOn([distributionApplications.shopId])
    .from(distributionApplications)
    .where(inArray(distributionApplications.shopId, [...shopIds]))
    .orderBy(distributionApplications.shopId, desc(distributionApplications.id));
}

export function applicationsByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(distributionApplications).where(inArray(distributionApplications.id, [...ids]));
}

export async function applicationForUpdate(db: DbOrTx, id: number) {
  const [row] = await db.select().from(distributionApplications).where(eq(distributionApplications.id, id)).for("update");
  return row ?? null;
}

export async function insertApplication(db: DbOrTx, values: typeof distributionApplications.$inferInsert) {
  const [row] = await db.insert(distributionApplications).values(values).returning();
  return row!;
}

export async function updateApplication(db: DbOrTx, id: number, changes: Partial<typeof distributionApplications.$inferInsert>) {
  const [row] = await db.update(distributionApplications).set(changes).where(eq(distributionApplications.id, id)).returning();
  return row!;
}

export async function listApplications(db: DbOrTx, q: { status?: string; afterId?: number; limit: number }) {
  const conditions: SQL[] = [];
  if (q.status) conditions.push(sql`${distributionApplications.status} = ${q.status}`);
  if (q.afterId !== undefined) conditions.push(sql`${distributionApplications.id} > ${q.afterId}`);
  const rows = await db
    .select()
    .from(distributionApplications)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(distributionApplications.id))
    .limit(q.limit + 1);
  return { nodes: rows.slice(0, q.limit), hasNextPage: rows.length > q.limit };
}

export async function shopApproved(db: DbOrTx, shopId: number): Promise<boolean> {
  const rows = await db
    .select({ id: distributionApplications.id })
    .from(distributionApplications)
    .where(and(eq(distributionApplications.shopId, shopId), eq(distributionApplications.status, "APPROVED")))
    .limit(1);
  return rows.length > 0;
}

/** Commission plans (R4) and the promoters they name. */
import { and, asc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { commissionPlanPromoters, commissionPlans, users } from "../../db/schema/index.js";
import type { PlanRates } from "./alliance.rules.js";
import { openAt } from "./commissions.queries.js";

export function plansByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(commissionPlans).where(inArray(commissionPlans.id, [...ids]));
}

export function plansByShopIds(db: DbOrTx, shopIds: readonly number[]) {
  return db.select().from(commissionPlans).where(inArray(commissionPlans.shopId, [...shopIds])).orderBy(asc(commissionPlans.id));
}

export async function planForUpdate(db: DbOrTx, id: number) {
  const [row] = await db.select().from(commissionPlans).where(eq(commissionPlans.id, id)).for("update");
  return row ?? null;
}

/** The product's GENERAL plan open at `at` (closing later counts), or null: the product is in the alliance library. */
export async function generalPlanOf(db: DbOrTx, productId: number, at: Date) {
  const [row] = await db
    .select()
    .from(commissionPlans)
    .where(and(eq(commissionPlans.productId, productId), eq(commissionPlans.kind, "GENERAL"), openAt(commissionPlans.closesAt, at)));
  return row ?? null;
}

export async function touchPlan(db: DbOrTx, id: number, at: Date) {
  const [row] = await db.update(commissionPlans).set({ updatedAt: at }).where(eq(commissionPlans.id, id)).returning();
  return row!;
}

/** Closes the plan from `at` on. */
export async function closePlan(db: DbOrTx, id: number, closesAt: Date, at: Date) {
  const [row] = await db.update(commissionPlans).set({ closesAt, updatedAt: at }).where(eq(commissionPlans.id, id)).returning();
  return row!;
}

export async function deletePlanPromoters(db: DbOrTx, planId: number, promoterIds: readonly number[]) {
  if (promoterIds.length === 0) return;
  await db.delete(commissionPlanPromoters).where(and(eq(commissionPlanPromoters.planId, planId), inArray(commissionPlanPromoters.promoterId, [...promoterIds])));
}

export async function planPromoterIds(db: DbOrTx, planId: number): Promise<number[]> {
  const rows = await db.select({ id: commissionPlanPromoters.promoterId }).from(commissionPlanPromoters).where(eq(commissionPlanPromoters.planId, planId));
  return rows.map((r) => r.id);
}

/** Inserts the plan; null when it would be a second GENERAL plan of the product. */
export async function insertPlan(db: DbOrTx, values: typeof commissionPlans.$inferInsert) {
  const [row] = await db.insert(commissionPlans).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export async function insertPlanPromoters(db: DbOrTx, planId: number, promoterIds: readonly number[]) {
  if (promoterIds.length === 0) return;
  await db.insert(commissionPlanPromoters).values(promoterIds.map((promoterId) => ({ planId, promoterId }))).onConflictDoNothing();
}

export async function updatePlanRates(db: DbOrTx, id: number, rates: PlanRates, at: Date) {
  const [row] = await db
    .update(commissionPlans)
    .set({ rateBps: rates.rateBps, pendingRateBps: rates.pendingRateBps, pendingEffectiveAt: rates.pendingEffectiveAt, updatedAt: at })
    .where(eq(commissionPlans.id, id))
    .returning();
  return row!;
}

export function planPromotersByPlanIds(db: DbOrTx, planIds: readonly number[]) {
  return db
    .select()
    .from(commissionPlanPromoters)
    .where(inArray(commissionPlanPromoters.planId, [...planIds]))
    .orderBy(asc(commissionPlanPromoters.planId), asc(commissionPlanPromoters.promoterId));
}

/** The ids among `ids` that are promoters. */
export async function promoterIdsAmong(db: DbOrTx, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ id: users.id }).from(users).where(and(inArray(users.id, [...ids]), eq(users.role, "PROMOTER")));
  return new Set(rows.map((r) => r.id));
}

/**
 * The commission rate a promoter earns on a product (R5): plans by priority, pending decreases, floors; and the SQL
 * pieces the selection center and the shelves reuse.
 */
import { and, asc, desc, eq, exists, gt, inArray, isNull, lte, notInArray, or, sql, type AnyColumn, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../db/client.js";
import { commissionPlanPromoters, commissionPlans, commissionRateFloors, products, shelfItems, shops, users } from "../../db/schema/index.js";
import { PLAN_PRIORITY, type PlanKind } from "./alliance.rules.js";

export const generalPlans = alias(commissionPlans, "general_plan");

/** The rate in force at `at`, in SQL: a scheduled decrease counts from its effective time on. */
/** A time: a value, or a placeholder of a prepared statement. */
export type At = Date | SQLWrapper;

const effectiveRate = (at: At) =>
  sql<number>`case when ${lte(commissionPlans.pendingEffectiveAt, at)} then ${commissionPlans.pendingRateBps} else ${commissionPlans.rateBps} end`;

/** Open at `at`: not closed, or closing later. */
export const openAt = (closesAt: SQLWrapper & AnyColumn, at: At) => or(isNull(closesAt), gt(closesAt, at));

/** The product is in the alliance library at `at`: it has an open GENERAL plan (joined as `general_plan`). */
export const inAlliance = (at: At) => and(eq(generalPlans.productId, products.id), eq(generalPlans.kind, "GENERAL"), openAt(generalPlans.closesAt, at));

const priorityOrder = sql.join(
  [sql`case ${commissionPlans.kind}`, ...Object.entries(PLAN_PRIORITY).map(([kind, rank]) => sql`when ${kind} then ${sql.raw(String(rank))}`), sql`end`],
  sql` `,
);

type PromoterRef = number | SQLWrapper;

/**
 * A LATERAL subquery over the outer `products` row: the open plan that pays `promoter` for it at `at`.
 * R5: PRODUCT_TARGETED > SHOP_TARGETED > GENERAL; within a kind the best rate wins, then the oldest plan.
 */
function resolvedPlan(db: DbOrTx, promoter: PromoterRef, at: At) {
  const targetsPromoter = exists(
    db
      .select({ one: sql`1` })
      .from(commissionPlanPromoters)
      .where(and(eq(commissionPlanPromoters.planId, commissionPlans.id), eq(commissionPlanPromoters.promoterId, promoter))),
  );
  const rate = effectiveRate(at);
  return db
    .select({
      planId: sql<number>`${commissionPlans.id}`.mapWith(Number).as("resolved_plan_id"),
      kind: commissionPlans.kind,
      rateBps: rate.mapWith(Number).as("resolved_rate_bps"),
    })
    .from(commissionPlans)
    .where(
      and(
        openAt(commissionPlans.closesAt, at),
        or(
          and(eq(commissionPlans.productId, products.id), eq(commissionPlans.kind, "GENERAL")),
          and(eq(commissionPlans.productId, products.id), eq(commissionPlans.kind, "PRODUCT_TARGETED"), targetsPromoter),
          and(eq(commissionPlans.shopId, products.shopId), eq(commissionPlans.kind, "SHOP_TARGETED"), targetsPromoter),
        ),
      ),
    )
    .orderBy(priorityOrder, desc(rate), asc(commissionPlans.id))
    .limit(1)
    .as("resolved");
}

/**
 * What a promoter earns on the outer `products` row: the resolved plan (join `resolved` laterally), unless a rate
 * floor (left join on `floorJoin`) keeps a better rate until midnight (R4: a decrease never takes effect mid-day).
 */
export function resolution(db: DbOrTx, promoter: PromoterRef, at: At) {
  const resolved = resolvedPlan(db, promoter, at);
  const floor = commissionRateFloors;
  const floorWins = sql`coalesce(${floor.rateBps} > ${resolved.rateBps}, false)`;
  return {
    resolved,
    floorJoin: and(eq(floor.promoterId, promoter), eq(floor.productId, products.id), gt(floor.until, at)),
    planId: sql<number>`case when ${floorWins} then ${floor.planId} else ${resolved.planId} end`.mapWith(Number),
    kind: sql<PlanKind>`case when ${floorWins} then ${floor.kind} else ${resolved.kind} end`,
    // greatest() skips nulls: no floor, the plan's rate; no plan (not in the alliance), null
    rateBps: sql<number>`greatest(${resolved.rateBps}, ${floor.rateBps})`.mapWith(Number),
  };
}

export interface ResolvedRate {
  rateBps: number;
  plan: PlanKind;
  planId: number;
}

/**
 * The rate each promoter would earn on each product at `at`, keyed `promoterId:productId`; products not in the
 * alliance library are absent. One SQL statement, however many pairs.
 */
export async function resolvePairs(
  db: DbOrTx,
  promoterIds: readonly number[],
  productIds: readonly number[],
  at: Date,
): Promise<Map<string, ResolvedRate>> {
  const result = new Map<string, ResolvedRate>();
  if (promoterIds.length === 0 || productIds.length === 0) return result;
  const promoter = sql`p.promoter_id`;
  const r = resolution(db, promoter, at);
  const rows = await db
    .select({ promoterId: sql<number>`${promoter}`.mapWith(Number), productId: products.id, planId: r.planId, kind: r.kind, rateBps: r.rateBps })
    .from(products)
    .innerJoin(sql`unnest(array[${sql.join(promoterIds.map((id) => sql`${id}`), sql`, `)}]::bigint[]) as p(promoter_id)`, sql`true`)
    .innerJoin(generalPlans, inAlliance(at))
    .innerJoinLateral(r.resolved, sql`true`)
    .leftJoin(commissionRateFloors, r.floorJoin)
    .where(inArray(products.id, [...productIds]));
  for (const row of rows) result.set(pairKey(row.promoterId, row.productId), { rateBps: Number(row.rateBps), plan: row.kind, planId: Number(row.planId) });
  return result;
}

export const pairKey = (promoterId: number, productId: number) => `${promoterId}:${productId}`;

/** The rate each product would earn this promoter at `at`; products not in the alliance library are absent. */
export async function resolveCommissionRates(
  db: DbOrTx,
  promoterId: number,
  productIds: readonly number[],
  at: Date,
): Promise<Map<number, ResolvedRate>> {
  const pairs = await resolvePairs(db, [promoterId], productIds, at);
  return new Map(productIds.flatMap((id) => (pairs.has(pairKey(promoterId, id)) ? [[id, pairs.get(pairKey(promoterId, id))!] as const] : [])));
}

/** R4: keeps each pair's rate (and the plan that paid it) until `until`; an existing floor is replaced. */
export async function upsertFloors(db: DbOrTx, floors: { promoterId: number; productId: number; rate: ResolvedRate }[], until: Date) {
  if (floors.length === 0) return;
  await db
    .insert(commissionRateFloors)
    .values(floors.map((f) => ({ promoterId: f.promoterId, productId: f.productId, planId: f.rate.planId, kind: f.rate.plan, rateBps: f.rate.rateBps, until })))
    .onConflictDoUpdate({
      target: [commissionRateFloors.promoterId, commissionRateFloors.productId],
      set: { planId: sql`excluded.plan_id`, kind: sql`excluded.kind`, rateBps: sql`excluded.rate_bps`, until: sql`excluded.until` },
    });
}

/** The shop's products in the alliance library at `at`. */
export async function allianceProductIds(db: DbOrTx, shopId: number, at: Date): Promise<number[]> {
  const rows = await db
    .select({ id: products.id })
    .from(products)
    .innerJoin(generalPlans, inAlliance(at))
    .where(eq(products.shopId, shopId));
  return rows.map((r) => r.id);
}

/** Serialises a shop's commission changes (their before/after comparisons); NO KEY so orders referencing it are not held up. */
export async function lockShopCommissions(db: DbOrTx, shopId: number) {
  const [row] = await db.select().from(shops).where(eq(shops.id, shopId)).for("no key update");
  return row ?? null;
}

export async function isOnShelf(db: DbOrTx, promoterId: number, productId: number): Promise<boolean> {
  const rows = await db
    .select({ productId: shelfItems.productId })
    .from(shelfItems)
    .where(and(eq(shelfItems.promoterId, promoterId), eq(shelfItems.productId, productId)));
  return rows.length > 0;
}

/** R6: the promoter's own shop (the oldest one that is not closed), or null. */
export async function promoterShopId(db: DbOrTx, promoterId: number): Promise<number | null> {
  const rows = await ownShopsByPromoterIds(db, [promoterId]);
  return rows[0]?.shopId ?? null;
}

export function ownShopsByPromoterIds(db: DbOrTx, promoterIds: readonly number[]) {
  return db
    .selectDistinctOn([shops.ownerId], { promoterId: shops.ownerId, shopId: shops.id })
    .from(shops)
    .innerJoin(users, eq(users.id, shops.ownerId))
    // A cross-border shop still under review, or rejected, is not (yet) the promoter's shop.
    .where(and(inArray(shops.ownerId, [...promoterIds]), eq(users.role, "PROMOTER"), notInArray(shops.status, ["CLOSED", "UNDER_REVIEW", "REJECTED"])))
    .orderBy(shops.ownerId, shops.id);
}

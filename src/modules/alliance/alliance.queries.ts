import { and, asc, desc, eq, exists, gt, gte, inArray, isNotNull, isNull, lte, notExists, notInArray, or, sql, type AnyColumn, type SQL, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../db/client.js";
import {
  commissionPlanPromoters,
  commissionPlans,
  commissionRateFloors,
  distributionApplications,
  orders,
  priceGuardRestrictions,
  products,
  promoterProfiles,
  qualityViolations,
  sampleRequests,
  shelfItems,
  shopRatings,
  shops,
  shopSettlementSettings,
  users,
} from "../../db/schema/index.js";
import {
  DSR_WINDOW_DAYS,
  GMV_WINDOW_DAYS,
  PLAN_PRIORITY,
  VIOLATION_WINDOW_DAYS,
  windowStart,
  type EligibilityFacts,
  type PlanKind,
  type PlanRates,
} from "./alliance.rules.js";

const NOT_SALES = ["CANCELLED", "REFUNDED"] as const;
const generalPlans = alias(commissionPlans, "general_plan");

// ---------------------------------------------------------------- commission resolution (R5)

/** The rate in force at `at`, in SQL: a scheduled decrease counts from its effective time on. */
/** A time: a value, or a placeholder of a prepared statement. */
type At = Date | SQLWrapper;

const effectiveRate = (at: At) =>
  sql<number>`case when ${lte(commissionPlans.pendingEffectiveAt, at)} then ${commissionPlans.pendingRateBps} else ${commissionPlans.rateBps} end`;

/** Open at `at`: not closed, or closing later. */
const openAt = (closesAt: SQLWrapper & AnyColumn, at: At) => or(isNull(closesAt), gt(closesAt, at));

/** The product is in the alliance library at `at`: it has an open GENERAL plan (joined as `general_plan`). */
const inAlliance = (at: At) => and(eq(generalPlans.productId, products.id), eq(generalPlans.kind, "GENERAL"), openAt(generalPlans.closesAt, at));

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
function resolution(db: DbOrTx, promoter: PromoterRef, at: At) {
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

// ---------------------------------------------------------------- eligibility (R1–R3)

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

// ---------------------------------------------------------------- plans (R4)

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

// ---------------------------------------------------------------- selection center (R6)

export interface SelectionQuery {
  promoterId: number;
  at: Date;
  category?: string;
  industryBelt?: string;
  crossBorder?: boolean;
  minPriceFen?: number;
  maxPriceFen?: number;
  minRateBps?: number;
  sort: "COMMISSION_RATE" | "PRICE" | "SALES" | "NEWEST";
  descending: boolean;
  after?: { value: string | number; id: number } | null;
  limit: number;
}

export const SALES_WINDOW_DAYS = 30;

const unitsSold = (at: At, from: At) =>
  sql<number>`(select coalesce(sum(${orders.quantity}), 0) from ${orders} where ${and(
    eq(orders.shopId, products.shopId),
    eq(orders.productId, products.id),
    gte(orders.createdAt, from),
    lte(orders.createdAt, at),
    notInArray(orders.status, [...NOT_SALES]),
  )})`;

/**
 * R14/R17: what the selection center offers: goods of shops that have the cart (status NORMAL, credit above 0), and
 * cross-border goods only while their shop is not under a price-guard restriction.
 */
function sellableAt(db: DbOrTx, at: At) {
  const r = priceGuardRestrictions;
  const restricted = db
    .select({ one: sql`1` })
    .from(r)
    .where(and(eq(r.shopId, shops.id), isNull(r.liftedAt), lte(r.startsAt, at), or(isNull(r.endsAt), gt(r.endsAt, at))));
  return and(eq(shops.status, "NORMAL"), gt(shops.creditScore, 0), or(eq(products.crossBorder, false), notExists(restricted)));
}

/** Which conditions a selection query has: one prepared statement per shape, values as placeholders. */
const selectionShape = (q: SelectionQuery) =>
  [
    q.sort,
    q.descending ? "d" : "a",
    ...(["category", "industryBelt", "crossBorder", "minPriceFen", "maxPriceFen", "minRateBps"] as const).map((k) => (q[k] === undefined ? "-" : "+")),
    q.after ? "+" : "-",
  ].join("");

function selectionStatement(db: DbOrTx, q: SelectionQuery) {
  const p = <T = unknown>(name: string) => sql.placeholder(name) as unknown as SQL<T>;
  const r = resolution(db, p("promoterId"), p("at"));
  const sold = unitsSold(p("at"), p("salesFrom"));
  const sortExpr: SQL = {
    COMMISSION_RATE: sql`${r.rateBps}`,
    PRICE: sql`${products.priceFen}`,
    SALES: sold,
    NEWEST: sql`${generalPlans.id}`,
  }[q.sort];
  const conditions: SQL[] = [];
  if (q.category !== undefined) conditions.push(eq(products.category, p("category")));
  if (q.industryBelt !== undefined) conditions.push(sql`${products.originBelt} = ${p("industryBelt")}`);
  if (q.crossBorder !== undefined) conditions.push(eq(products.crossBorder, p("crossBorder")));
  if (q.minPriceFen !== undefined) conditions.push(gte(products.priceFen, p("minPriceFen")));
  if (q.maxPriceFen !== undefined) conditions.push(lte(products.priceFen, p("maxPriceFen")));
  if (q.minRateBps !== undefined) conditions.push(sql`${r.rateBps} >= ${p("minRateBps")}`);
  if (q.after) {
    conditions.push(
      q.descending
        ? sql`(${sortExpr}, ${products.id}) < (${p("afterValue")}, ${p("afterId")})`
        : sql`(${sortExpr}, ${products.id}) > (${p("afterValue")}, ${p("afterId")})`,
    );
  }
  const direction = q.descending ? sql`desc` : sql`asc`;
  return db
    .select({
      product: products,
      generalPlanId: generalPlans.id,
      planId: r.planId,
      kind: r.kind,
      rateBps: r.rateBps,
      unitsSold: sold.mapWith(Number),
      onShelf: sql<boolean>`exists (select 1 from ${shelfItems} where ${and(
        eq(shelfItems.promoterId, p("promoterId")),
        eq(shelfItems.productId, products.id),
      )})`.mapWith(Boolean),
    })
    .from(products)
    .innerJoin(shops, and(eq(shops.id, products.shopId), sellableAt(db, p("at"))))
    .innerJoin(generalPlans, inAlliance(p("at")))
    .innerJoinLateral(r.resolved, sql`true`)
    .leftJoin(commissionRateFloors, r.floorJoin)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(sql`${sortExpr} ${direction}`, sql`${products.id} ${direction}`)
    .limit(sql.placeholder("limit"))
    .prepare(`selection_${selectionShape(q)}`);
}

const selectionStatements = new WeakMap<DbOrTx, Map<string, ReturnType<typeof selectionStatement>>>();

/**
 * One statement for a whole page: alliance products (an open GENERAL plan, the shop sellable) with the plan and
 * rate that resolve for this promoter, units sold in the last 30 days and whether it is on the shelf.
 * Keyset pagination on (sort value, product id). Prepared once per shape of query (at most 1,024 shapes).
 */
export async function selectionPage(db: DbOrTx, q: SelectionQuery) {
  let statements = selectionStatements.get(db);
  if (!statements) selectionStatements.set(db, (statements = new Map()));
  const shape = selectionShape(q);
  let statement = statements.get(shape);
  if (!statement) statements.set(shape, (statement = selectionStatement(db, q)));
  // Times as ISO text: PostgreSQL types each parameter from its comparison, on postgres.js and PGlite alike.
  const rows = await statement.execute({
    promoterId: q.promoterId,
    at: q.at.toISOString(),
    salesFrom: windowStart(q.at, SALES_WINDOW_DAYS).toISOString(),
    category: q.category,
    industryBelt: q.industryBelt,
    crossBorder: q.crossBorder,
    minPriceFen: q.minPriceFen,
    maxPriceFen: q.maxPriceFen,
    minRateBps: q.minRateBps,
    afterValue: q.after?.value,
    afterId: q.after?.id,
    limit: q.limit + 1,
  });
  const nodes = rows.slice(0, q.limit).map((r) => ({
    ...r,
    planId: Number(r.planId),
    rateBps: Number(r.rateBps),
  }));
  return { nodes, hasNextPage: rows.length > q.limit };
}

// ---------------------------------------------------------------- promoters, shelves, samples (R6, R7)

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

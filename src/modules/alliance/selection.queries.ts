/** The selection center (R6): sellable alliance products with the promoter's rate, one prepared statement per shape. */
import { and, eq, gt, gte, isNull, lte, notExists, notInArray, or, sql, type SQL } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { commissionPlans, commissionRateFloors, orders, priceGuardRestrictions, products, shelfItems, shops } from "../../db/schema/index.js";
import { windowStart } from "./alliance.rules.js";
import { generalPlans, inAlliance, resolution, type At } from "./commissions.queries.js";
import { NOT_SALES } from "./distribution.queries.js";

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

/**
 * The first time after `at` when the selection center changes by the clock alone: a pending decrease takes effect, a
 * plan closes, a rate floor ends, a price-guard restriction starts or ends. Null when nothing is scheduled.
 */
export async function nextSelectionBoundary(db: DbOrTx, at: Date): Promise<Date | null> {
  const t = sql`${at.toISOString()}::timestamptz`;
  const p = commissionPlans;
  const r = priceGuardRestrictions;
  // Milliseconds as float8: a number on postgres.js and PGlite alike (timestamps come back in driver-specific shapes).
  const [row] = resultRows<{ next: number | string | null }>(
    await db.execute(sql`select (extract(epoch from least(
      (select min(${p.pendingEffectiveAt}) from ${p} where ${p.pendingEffectiveAt} > ${t}),
      (select min(${p.closesAt}) from ${p} where ${p.closesAt} > ${t}),
      (select min(${commissionRateFloors.until}) from ${commissionRateFloors} where ${commissionRateFloors.until} > ${t}),
      (select min(${r.startsAt}) from ${r} where ${r.liftedAt} is null and ${r.startsAt} > ${t}),
      (select min(${r.endsAt}) from ${r} where ${r.liftedAt} is null and ${r.endsAt} > ${t})
    )) * 1000)::float8 as next`),
  );
  return row?.next == null ? null : new Date(Number(row.next));
}

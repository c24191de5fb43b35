import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toGlobalId } from "../../../src/shared/ids.js";
import { freshDatabase } from "../../support/fresh-database.js";
import { startTestGateway, type SentStatement, type TestGateway } from "../../support/gateway.js";
import { PromoterShelfDocument, SelectionCenterDocument, type SelectionCenterQueryVariables } from "../../support/generated/graphql.js";
import { buildReadPathData, type ReadPathData } from "../../support/read-path-data.js";

/**
 * Tables that grow with the catalogue and the promoters: a statement of the read path must reach them through an
 * index. (users and shops are a few pages here, where a sequential scan is the planner's right choice.)
 */
const BIG_TABLES = new Set(["products", "shelf_items", "commission_plans", "commission_plan_promoters", "commission_rate_floors", "orders"]);

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode, found: string[] = []): string[] {
  if (node["Node Type"] === "Seq Scan" && node["Relation Name"] && BIG_TABLES.has(node["Relation Name"])) found.push(node["Relation Name"]);
  for (const child of node.Plans ?? []) seqScans(child, found);
  return found;
}

/**
 * Plans must not depend on luck (issue 16): on a data set big enough for the planner to prefer indexes (10,000
 * products, 300 full shelves, targeted plans, orders; ANALYZEd), every statement the shelf and the selection
 * center send is EXPLAINed and none scans a big table sequentially. The selection center sorted by commission rate or
 * by sales is left out: those keys are computed per product, so that page reads every alliance product by design.
 */
describe("read-path plans on PostgreSQL", () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let gw: TestGateway;
  let data: ReadPathData;
  let explainer: postgres.Sql;
  beforeAll(async () => {
    fresh = await freshDatabase("plans");
    gw = await startTestGateway("postgres", { env: { DATABASE_URL: fresh.url } });
    data = await buildReadPathData(gw.database.db, { shops: 50, productsPerShop: 200, promoters: 300, shelfSize: 30, orders: 10_000 });
    explainer = postgres(fresh.url, { max: 1, onnotice: () => {} });
  }, 120_000);
  afterAll(async () => {
    await explainer?.end();
    await gw?.stop();
    await fresh?.drop();
  });

  /** The statements one request sent, each with its plan's sequential scans of big tables. */
  async function plansOf(send: () => Promise<{ errors?: unknown; statements: SentStatement[] }>) {
    const result = await send();
    expect(result.errors).toBeUndefined();
    const sent = result.statements;
    expect(sent.length).toBeGreaterThan(0);
    const plans = [];
    for (const { sql, params } of sent) {
      const [row] = await explainer.unsafe(`explain (format json) ${sql}`, params as never[]);
      const plan = (row!["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan;
      plans.push({ sql: sql.slice(0, 120), seqScans: seqScans(plan) });
    }
    return plans;
  }

  it("a promoter's shelf (anonymous and the promoter itself) uses indexes only", async () => {
    const promoter = data.promoterIds[17]!;
    const anonymous = await plansOf(() => gw.request(PromoterShelfDocument, { id: toGlobalId("Promoter", promoter) }));
    expect(anonymous.filter((p) => p.seqScans.length > 0)).toEqual([]);
    const token = await gw.token(promoter, "PROMOTER");
    const own = await plansOf(() => gw.request(PromoterShelfDocument, { id: toGlobalId("Promoter", promoter) }, token));
    expect(own.filter((p) => p.seqScans.length > 0)).toEqual([]);
  });

  it.each<[string, SelectionCenterQueryVariables]>([
    ["the default page (newest, 30 items)", { first: 30 }],
    ["a category", { first: 30, filter: { category: "bench/cat-7" } }],
    ["by price", { first: 30, orderBy: { field: "PRICE", direction: "ASC" } }],
  ])("the selection center, %s, uses indexes only", async (_, variables) => {
    const promoter = data.promoterIds[42]!;
    const token = await gw.token(promoter, "PROMOTER");
    const plans = await plansOf(() => gw.request(SelectionCenterDocument, variables, token));
    expect(plans.filter((p) => p.seqScans.length > 0)).toEqual([]);
  });
});

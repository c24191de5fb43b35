import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { PromoterDocument, SelectionCenterDocument } from "../../support/generated/graphql.js";

describe("alliance demo data (embedded default)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { env: { SEED_DEMO: "auto" } });
  });
  afterAll(() => gw?.stop());

  it("shows a populated selection center and shelf to the demo promoter", async () => {
    const [promoter] = await gw.database.db.select().from(users).where(eq(users.role, "PROMOTER")).orderBy(asc(users.id)).limit(1);
    const token = await gw.token(promoter!.id, "PROMOTER");
    const page = await gw.request(SelectionCenterDocument, { first: 30 }, token);
    const kinds = new Set(page.data!.selectionCenter.edges.map((e) => e.node.commissionPlanKind));
    expect(page.data!.selectionCenter.edges.length).toBeGreaterThanOrEqual(9);
    expect(kinds).toEqual(new Set(["GENERAL", "SHOP_TARGETED", "PRODUCT_TARGETED"]));
    const shelf = (await gw.request(PromoterDocument, { id: toGlobalId("Promoter", promoter!.id) }, token)).data!.promoter!;
    expect(shelf.onboarding.canPromote).toBe(true);
    expect(shelf.shelf.length).toBeGreaterThan(0);
    expect(shelf.shelf.every((i) => i.commissionRate !== null)).toBe(true);
  });
});

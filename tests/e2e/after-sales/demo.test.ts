import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { products, users } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { AfterSalesCasesDocument, CaseNodeDocument, ReconciliationDocument, ShopDepositDocument } from "../../support/generated/graphql.js";

describe("after-sales in the demo (embedded default)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { env: { SEED_DEMO: "auto", SETTLEMENT_INTERVAL_MS: "0", AFTER_SALES_SWEEP_MS: "0" } });
  });
  afterAll(() => gw?.stop());

  it("has an open case, an escalated one awaiting arbitration, and a 先行赔付 recovered from a deposit", async () => {
    const db = gw.database.db;
    const [admin] = await db.select().from(users).where(eq(users.role, "ADMIN")).limit(1);
    const token = await gw.token(admin!.id, "ADMIN");
    const cases = (await gw.request(AfterSalesCasesDocument, { first: 10 }, token)).data!.afterSalesCases.edges.map((e) => e.node);
    expect(cases.map((c) => [c.status, c.reason]).sort()).toEqual([
      ["AWAITING_MERCHANT", "DESCRIPTION_MISMATCH"],
      ["CLOSED", "QUALITY"],
      ["ESCALATED", "DESCRIPTION_MISMATCH"],
    ]);
    const closed = cases.find((c) => c.status === "CLOSED")!;
    const node = (await gw.request(CaseNodeDocument, { id: closed.id }, token)).data!.node as { status: string; order: { status: string } };
    expect(node.order.status).toBe("RECEIVED");
    const [bangle] = await db.select().from(products).where(eq(products.title, "Sihui jadeite bangle, ice type"));
    const deposit = (await gw.request(ShopDepositDocument, { shopId: toGlobalId("Shop", bangle!.shopId) }, token)).data!.shopDeposit;
    expect(deposit).toMatchObject({ balance: { amount: "1800.00" }, owed: { amount: "0.00" } });
    const reconciliation = (await gw.request(ReconciliationDocument, { from: new Date(0).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() }, token)).data!.reconciliation;
    expect(reconciliation).toMatchObject({ difference: { amount: "0.00" }, unbalancedPostings: 0 });
  });
});

import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, products, settlements, shops, users } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { PayoutStatementDocument, ReconciliationDocument, SettlementsDocument } from "../../support/generated/graphql.js";
import { DAY } from "../../support/settlement.js";

describe("money in the demo (embedded default)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // The schedule runs once at start: the demo's orders received 8 days ago settle then.
    gw = await startTestGateway("pglite", { env: { SEED_DEMO: "auto", SETTLEMENT_INTERVAL_MS: "3600000" } });
  });
  afterAll(() => gw?.stop());

  it("has a settled order split to the fen, the 凡星 rate on the promoter's own shop, a pending order, and payout statements", async () => {
    const db = gw.database.db;
    const deadline = Date.now() + 20_000;
    while ((await db.select().from(settlements)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const [bangle] = await db.select().from(products).where(eq(products.title, "Sihui jadeite bangle, ice type"));
    const [jade] = await db.select().from(shops).where(eq(shops.id, bangle!.shopId));
    const merchantToken = await gw.token(jade!.ownerId, "MERCHANT");
    const mine = (await gw.request(SettlementsDocument, { first: 10 }, merchantToken)).data!.settlements.edges.map((e) => e.node);
    // 1,288.00 at 35%: commission 450.80, of which 45.08 promotion fee and 405.72 to the promoter; 5% technical fee 64.40; merchant 772.80.
    expect(mine).toEqual([
      expect.objectContaining({
        base: { amount: "1288.00" },
        commissionRateBps: 3500,
        commission: { amount: "450.80" },
        promotionFee: { amount: "45.08" },
        promoterShare: { amount: "405.72" },
        technicalRateBps: 500,
        technicalFee: { amount: "64.40" },
        merchantShare: { amount: "772.80" },
        fanxingBase: { amount: "0.00" },
      }),
    ]);
    const all = await db.select().from(settlements).orderBy(asc(settlements.orderId));
    expect(all.map((s) => [s.baseFen, s.fanxingBaseFen, s.technicalFeeFen, s.merchantFen])).toContainEqual([52_000, 52_000, 520, 51_480]);
    expect((await db.select().from(orders).where(eq(orders.status, "RECEIVED"))).some((o) => o.totalFen === 59_900)).toBe(true);

    const now = new Date();
    const period = { from: new Date(now.getTime() - 30 * DAY).toISOString(), to: new Date(now.getTime() + DAY).toISOString() };
    const statement = (await gw.request(PayoutStatementDocument, { party: "SHOP", shopId: toGlobalId("Shop", jade!.id), ...period }, merchantToken)).data!.payoutStatement;
    expect(statement).toMatchObject({ opening: { amount: "0.00" }, closing: { amount: "772.80" }, held: { amount: "0.00" }, frozen: false });
    const [promoter] = await db.select().from(users).where(eq(users.role, "PROMOTER")).limit(1);
    const promoterStatement = (await gw.request(PayoutStatementDocument, { party: "PROMOTER", ...period }, await gw.token(promoter!.id, "PROMOTER"))).data!.payoutStatement;
    expect(promoterStatement.closing.amount).toBe("405.72");
    const [admin] = await db.select().from(users).where(eq(users.role, "ADMIN")).limit(1);
    const reconciliation = (await gw.request(ReconciliationDocument, { from: new Date(0).toISOString(), to: period.to }, await gw.token(admin!.id, "ADMIN"))).data!.reconciliation;
    expect(reconciliation).toMatchObject({ difference: { amount: "0.00" }, unbalancedPostings: 0 });
  });
});

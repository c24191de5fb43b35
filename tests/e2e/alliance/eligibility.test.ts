import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { distributionApplications, shops, shopSettlementSettings, users } from "../../../src/db/schema/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildDsr, buildViolation } from "../../support/alliance-builders.js";
import { buildMerchant, buildOrder, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  ApplyForDistributionDocument,
  DistributionApplicationDocument,
  DistributionApplicationsDocument,
  RecordFactoryInspectionDocument,
  ReviewDistributionApplicationDocument,
  ShopDistributionStatusDocument,
} from "../../support/generated/graphql.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 12:00 China time. */
const START = new Date("2026-03-10T04:00:00.000Z");

describe.each(BACKENDS)("distribution eligibility on %s", (backend) => {
  let gw: TestGateway;
  const clock = new ManualClock(START);
  beforeAll(async () => {
    gw = await startTestGateway(backend, { clock });
  });
  afterAll(() => gw?.stop());
  beforeEach(() => clock.set(START));

  /** A shop that meets every rule: GMV 100.00 in the window, DSR 4.70, nothing else wrong. */
  async function eligibleShop(options: { gmvFen?: number; fives?: number; fours?: number } = {}) {
    const merchant = await buildMerchant(gw.database.db, { creditScore: 90 });
    const buyer = await buildUser(gw.database.db, "BUYER");
    const product = await buildProduct(gw.database.db, merchant.shop.id);
    const now = clock.now();
    // R12: an order costs at least 0.01 a unit, so a shop without GMV simply has no order.
    if ((options.gmvFen ?? 10_000) > 0) {
      await buildOrder(gw.database.db, {
        buyerId: buyer.id,
        shopId: merchant.shop.id,
        productId: product.id,
        totalFen: options.gmvFen ?? 10_000,
        status: "RECEIVED",
        createdAt: new Date(now.getTime() - 29 * DAY),
      });
    }
    await buildDsr(gw.database.db, merchant.shop.id, options.fives ?? 7, options.fours ?? 3, new Date(now.getTime() - 89 * DAY));
    const token = await gw.token(merchant.user.id, "MERCHANT");
    return { ...merchant, buyer, product, token, shopGid: toGlobalId("Shop", merchant.shop.id) };
  }

  const apply = (shopId: string, token: string | null) => gw.request(ApplyForDistributionDocument, { input: { shopId } }, token);
  const applicationsOf = (shopId: number) =>
    gw.database.db.select().from(distributionApplications).where(eq(distributionApplications.shopId, shopId));

  it("passes a shop that meets every rule and reports each rule with value and threshold", async () => {
    const shop = await eligibleShop();
    const result = await apply(shop.shopGid, shop.token);
    expect(result.errors).toBeUndefined();
    const payload = result.data!.applyForDistribution;
    expect(payload.userErrors).toEqual([]);
    expect(payload.application!.status).toBe("PENDING_REVIEW");
    expect(payload.application!.checks).toEqual([
      { rule: "ACCOUNT_NOT_BANNED", passed: true, value: "NOT_BANNED", threshold: "NOT_BANNED" },
      { rule: "SHOP_STATUS_NORMAL", passed: true, value: "NORMAL", threshold: "NORMAL" },
      { rule: "CREDIT_SCORE_POSITIVE", passed: true, value: "90", threshold: "> 0" },
      { rule: "GMV_LAST_30_DAYS", passed: true, value: "100.00", threshold: ">= 100.00" },
      { rule: "DSR_LAST_90_DAYS", passed: true, value: "4.70", threshold: ">= 4.70" },
      { rule: "NO_SERIOUS_QUALITY_VIOLATION_365_DAYS", passed: true, value: "0", threshold: "0" },
      { rule: "SHORT_SETTLEMENT_DISABLED", passed: true, value: "DISABLED", threshold: "DISABLED" },
    ]);
    expect(payload.retryAt).toBeNull();
    const status = await gw.request(ShopDistributionStatusDocument, { id: shop.shopGid });
    expect(status.data!.shop!.distributionStatus).toBe("PENDING_REVIEW");
  });

  it("GMV boundary: 99.99 yuan fails, 100.00 passes; cancelled, refunded and older orders do not count", async () => {
    const short = await eligibleShop({ gmvFen: 9_999 });
    const now = clock.now();
    const order = { buyerId: short.buyer.id, shopId: short.shop.id, productId: short.product.id, totalFen: 50_000 };
    await buildOrder(gw.database.db, { ...order, status: "CANCELLED", createdAt: now });
    await buildOrder(gw.database.db, { ...order, status: "REFUNDED", createdAt: now });
    await buildOrder(gw.database.db, { ...order, status: "SETTLED", createdAt: new Date(now.getTime() - 31 * DAY) });
    const failed = (await apply(short.shopGid, short.token)).data!.applyForDistribution;
    expect(failed.application!.status).toBe("FAILED");
    expect(failed.application!.checks.filter((c) => !c.passed)).toEqual([
      { rule: "GMV_LAST_30_DAYS", passed: false, value: "99.99", threshold: ">= 100.00" },
    ]);
    expect(failed.retryAt).toBe(new Date(START.getTime() + DAY).toISOString());

    const enough = await eligibleShop({ gmvFen: 10_000 });
    const passed = (await apply(enough.shopGid, enough.token)).data!.applyForDistribution;
    expect(passed.application!.status).toBe("PENDING_REVIEW");
  });

  it("DSR boundary: 4.69 fails, 4.70 passes; ratings older than 90 days do not count", async () => {
    const low = await eligibleShop({ fives: 69, fours: 31 });
    await buildDsr(gw.database.db, low.shop.id, 100, 0, new Date(clock.now().getTime() - 91 * DAY));
    const failed = (await apply(low.shopGid, low.token)).data!.applyForDistribution;
    expect(failed.application!.checks.filter((c) => !c.passed)).toEqual([
      { rule: "DSR_LAST_90_DAYS", passed: false, value: "4.69", threshold: ">= 4.70" },
    ]);
    const ok = await eligibleShop({ fives: 70, fours: 30 });
    const passed = (await apply(ok.shopGid, ok.token)).data!.applyForDistribution;
    expect(passed.application!.checks.find((c) => c.rule === "DSR_LAST_90_DAYS")).toMatchObject({ passed: true, value: "4.70" });
    expect(passed.application!.status).toBe("PENDING_REVIEW");
  });

  it("names every failed rule: banned account, cart disabled, credit 0, serious violation, short settlement, no ratings", async () => {
    const shop = await eligibleShop({ gmvFen: 0, fives: 0, fours: 0 });
    const db = gw.database.db;
    const now = clock.now();
    await db.update(users).set({ banned: true }).where(eq(users.id, shop.user.id));
    await db.update(shops).set({ status: "CART_DISABLED", creditScore: 0 }).where(eq(shops.id, shop.shop.id));
    await buildViolation(db, shop.shop.id, { serious: true, occurredAt: new Date(now.getTime() - 364 * DAY) });
    await buildViolation(db, shop.shop.id, { serious: true, occurredAt: new Date(now.getTime() - 366 * DAY) });
    await buildViolation(db, shop.shop.id, { serious: false, occurredAt: now });
    await db.insert(shopSettlementSettings).values({ shopId: shop.shop.id, shortSettlementEnabled: true });
    const failed = (await apply(shop.shopGid, shop.token)).data!.applyForDistribution;
    expect(failed.application!.status).toBe("FAILED");
    expect(failed.application!.checks.map((c) => [c.rule, c.passed, c.value])).toEqual([
      ["ACCOUNT_NOT_BANNED", false, "BANNED"],
      ["SHOP_STATUS_NORMAL", false, "CART_DISABLED"],
      ["CREDIT_SCORE_POSITIVE", false, "0"],
      ["GMV_LAST_30_DAYS", false, "0.00"],
      ["DSR_LAST_90_DAYS", false, "NO_RATINGS"],
      ["NO_SERIOUS_QUALITY_VIOLATION_365_DAYS", false, "1"],
      ["SHORT_SETTLEMENT_DISABLED", false, "ENABLED"],
    ]);
  });

  it("R2: a failed shop may apply again only 24 hours later (23h59m refused with the retry time, 24h accepted)", async () => {
    const shop = await eligibleShop({ gmvFen: 9_999 });
    const first = (await apply(shop.shopGid, shop.token)).data!.applyForDistribution;
    expect(first.application!.status).toBe("FAILED");
    const retryAt = new Date(START.getTime() + DAY).toISOString();
    expect(first.application!.retryAfter).toBe(retryAt);

    await buildOrder(gw.database.db, { buyerId: shop.buyer.id, shopId: shop.shop.id, productId: shop.product.id, totalFen: 1, createdAt: START });
    clock.set(new Date(START.getTime() + 23 * HOUR + 59 * MINUTE));
    const early = (await apply(shop.shopGid, shop.token)).data!.applyForDistribution;
    expect(early.application).toBeNull();
    expect(early.retryAt).toBe(retryAt);
    expect(early.userErrors).toEqual([{ code: "RETRY_TOO_EARLY", field: ["shopId"], message: expect.stringContaining(retryAt) }]);
    expect(await applicationsOf(shop.shop.id)).toHaveLength(1);

    clock.set(new Date(START.getTime() + DAY));
    const again = (await apply(shop.shopGid, shop.token)).data!.applyForDistribution;
    expect(again.userErrors).toEqual([]);
    expect(again.application!.status).toBe("PENDING_REVIEW");
    expect(await applicationsOf(shop.shop.id)).toHaveLength(2);
  });

  it("R3: review approves, or requires a factory inspection that then approves or rejects", async () => {
    const admin = await buildUser(gw.database.db, "ADMIN");
    const adminToken = await gw.token(admin.id, "ADMIN");
    const direct = await eligibleShop();
    const inspected = await eligibleShop();
    const failing = await eligibleShop();
    const ids: string[] = [];
    for (const s of [direct, inspected, failing]) ids.push((await apply(s.shopGid, s.token)).data!.applyForDistribution.application!.id);

    const queue = await gw.request(DistributionApplicationsDocument, { status: "PENDING_REVIEW", first: 100 }, adminToken);
    expect(queue.data!.distributionApplications.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining(ids));

    const approved = await gw.request(ReviewDistributionApplicationDocument, { input: { applicationId: ids[0]!, decision: "APPROVE", note: "ok" } }, adminToken);
    expect(approved.data!.reviewDistributionApplication.application).toMatchObject({ status: "APPROVED", factoryInspectionRequired: false, reviewNote: "ok" });
    const again = await gw.request(ReviewDistributionApplicationDocument, { input: { applicationId: ids[0]!, decision: "REJECT" } }, adminToken);
    expect(again.data!.reviewDistributionApplication.userErrors.map((e) => e.code)).toEqual(["NOT_PENDING_REVIEW"]);

    for (const id of [ids[1]!, ids[2]!]) {
      const waiting = await gw.request(
        ReviewDistributionApplicationDocument,
        { input: { applicationId: id, decision: "APPROVE", factoryInspectionRequired: true } },
        adminToken,
      );
      expect(waiting.data!.reviewDistributionApplication.application).toMatchObject({ status: "AWAITING_INSPECTION", factoryInspectionRequired: true });
    }
    const pass = await gw.request(RecordFactoryInspectionDocument, { input: { applicationId: ids[1]!, passed: true, report: "Factory in Sihui checked" } }, adminToken);
    expect(pass.data!.recordFactoryInspection.application).toMatchObject({ status: "APPROVED", inspectionPassed: true });
    const fail = await gw.request(RecordFactoryInspectionDocument, { input: { applicationId: ids[2]!, passed: false, report: "No factory" } }, adminToken);
    expect(fail.data!.recordFactoryInspection.application).toMatchObject({ status: "REJECTED", inspectionPassed: false });
    const late = await gw.request(RecordFactoryInspectionDocument, { input: { applicationId: ids[0]!, passed: true, report: "x" } }, adminToken);
    expect(late.data!.recordFactoryInspection.userErrors.map((e) => e.code)).toEqual(["NOT_AWAITING_INSPECTION"]);

    const applyAgain = (await apply(direct.shopGid, direct.token)).data!.applyForDistribution;
    expect(applyAgain.userErrors.map((e) => e.code)).toEqual(["ALREADY_APPROVED"]);
    const reapplyRejected = (await apply(failing.shopGid, failing.token)).data!.applyForDistribution;
    expect(reapplyRejected.application!.status).toBe("PENDING_REVIEW");
  });

  it("refuses the wrong user and changes nothing", async () => {
    const shop = await eligibleShop();
    const stranger = await buildMerchant(gw.database.db);
    const strangerToken = await gw.token(stranger.user.id, "MERCHANT");
    const promoter = await buildUser(gw.database.db, "PROMOTER");
    expect((await apply(shop.shopGid, strangerToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await apply(shop.shopGid, await gw.token(promoter.id, "PROMOTER"))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await apply(shop.shopGid, null)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await applicationsOf(shop.shop.id)).toHaveLength(0);

    const id = (await apply(shop.shopGid, shop.token)).data!.applyForDistribution.application!.id;
    const selfReview = await gw.request(ReviewDistributionApplicationDocument, { input: { applicationId: id, decision: "APPROVE" } }, shop.token);
    expect(selfReview.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const peek = await gw.request(DistributionApplicationDocument, { id }, strangerToken);
    expect(peek.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(DistributionApplicationDocument, { id }, shop.token)).data!.distributionApplication!.status).toBe("PENDING_REVIEW");
    const rows = await applicationsOf(shop.shop.id);
    expect(rows.map((r) => r.status)).toEqual(["PENDING_REVIEW"]);
  });

  it("concurrent applications of one shop create exactly one", async () => {
    const shop = await eligibleShop();
    const results = await Promise.all(Array.from({ length: 6 }, () => apply(shop.shopGid, shop.token)));
    const payloads = results.map((r) => r.data!.applyForDistribution);
    expect(payloads.filter((p) => p.application?.status === "PENDING_REVIEW")).toHaveLength(1);
    expect(payloads.flatMap((p) => p.userErrors.map((e) => e.code))).toEqual(Array(5).fill("APPLICATION_IN_PROGRESS"));
    expect(await applicationsOf(shop.shop.id)).toHaveLength(1);
  });
});

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { commissionPlans } from "../../../src/db/schema/index.js";
import { resolveCommissionRates } from "../../../src/modules/alliance/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildApprovedMerchant, buildPlan, buildPromoter } from "../../support/alliance-builders.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CommissionPlanDocument,
  CreateCommissionPlanDocument,
  PublishToAllianceDocument,
  SelectionCenterDocument,
  ShopAllianceDocument,
  UpdateCommissionRateDocument,
  type CreateCommissionPlanInput,
} from "../../support/generated/graphql.js";

/** 12:00 China time on 10 March 2026. */
const NOON = new Date("2026-03-10T04:00:00.000Z");
const at = (chinaTime: string, day = "2026-03-10") => new Date(`${day}T${chinaTime}+08:00`);

describe.each(BACKENDS)("commission plans on %s", (backend) => {
  let gw: TestGateway;
  const clock = new ManualClock(NOON);
  beforeAll(async () => {
    gw = await startTestGateway(backend, { clock });
  });
  afterAll(() => gw?.stop());
  beforeEach(() => clock.set(NOON));

  async function approvedShop() {
    const merchant = await buildApprovedMerchant(gw.database.db);
    const category = `test/plans-${merchant.shop.id}`;
    const product = await buildProduct(gw.database.db, merchant.shop.id, { category });
    return { ...merchant, product, category, token: await gw.token(merchant.user.id, "MERCHANT"), productGid: toGlobalId("Product", product.id) };
  }

  const publish = (productId: string, ratePercent: string, token: string) =>
    gw.request(PublishToAllianceDocument, { input: { productId, ratePercent } }, token);
  const plansOf = (productId: number) => gw.database.db.select().from(commissionPlans).where(eq(commissionPlans.productId, productId));

  it("R4: rates 1% and 90% are accepted; 0.99%, 90.01% and junk are refused and nothing is stored", async () => {
    for (const [rate, code] of [
      ["0.99", "RATE_OUT_OF_RANGE"],
      ["90.01", "RATE_OUT_OF_RANGE"],
      ["0", "RATE_OUT_OF_RANGE"],
      ["12.345", "INVALID_RATE"],
      ["-5", "INVALID_RATE"],
      ["abc", "INVALID_RATE"],
    ] as const) {
      const shop = await approvedShop();
      const refused = (await publish(shop.productGid, rate, shop.token)).data!.publishToAlliance;
      expect(refused.plan).toBeNull();
      expect(refused.userErrors).toEqual([expect.objectContaining({ code, field: ["ratePercent"] })]);
      expect(await plansOf(shop.product.id)).toHaveLength(0);
    }
    for (const [rate, bps, percent] of [
      ["1", 100, "1.00"],
      ["90", 9_000, "90.00"],
      ["12.5", 1_250, "12.50"],
    ] as const) {
      const shop = await approvedShop();
      const ok = (await publish(shop.productGid, rate, shop.token)).data!.publishToAlliance;
      expect(ok.userErrors).toEqual([]);
      expect(ok.plan).toMatchObject({ kind: "GENERAL", currentRate: { basisPoints: bps, percent }, pendingRate: null, product: { id: shop.productGid } });
    }
  });

  it("only approved shops publish; a product is published once", async () => {
    const pending = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, pending.shop.id);
    const token = await gw.token(pending.user.id, "MERCHANT");
    const refused = (await publish(toGlobalId("Product", product.id), "10", token)).data!.publishToAlliance;
    expect(refused.userErrors.map((e) => e.code)).toEqual(["SHOP_NOT_APPROVED"]);
    expect(await plansOf(product.id)).toHaveLength(0);

    const shop = await approvedShop();
    expect((await publish(shop.productGid, "10", shop.token)).data!.publishToAlliance.userErrors).toEqual([]);
    const twice = (await publish(shop.productGid, "20", shop.token)).data!.publishToAlliance;
    expect(twice.userErrors.map((e) => e.code)).toEqual(["ALREADY_PUBLISHED"]);
    expect((await plansOf(shop.product.id)).map((p) => p.rateBps)).toEqual([1_000]);
  });

  it("R5: each priority pair resolves PRODUCT_TARGETED > SHOP_TARGETED > GENERAL, whatever the rates", async () => {
    const db = gw.database.db;
    const [targeted, other] = [await buildPromoter(db), await buildPromoter(db)];
    const category = `test/pairs-${targeted.user.id}`;
    /** One shop per pair, so that each pair is alone; the targeted plan always pays less than the one it beats. */
    async function pair(kinds: ("SHOP_TARGETED" | "PRODUCT_TARGETED")[]) {
      const { shop } = await buildApprovedMerchant(db);
      const product = await buildProduct(db, shop.id, { category });
      await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 3_000 });
      const plans: Record<string, number> = {};
      for (const kind of kinds) {
        const rateBps = kind === "SHOP_TARGETED" ? 2_000 : 1_000;
        const plan = await buildPlan(db, { shopId: shop.id, productId: kind === "PRODUCT_TARGETED" ? product.id : null, kind, rateBps, promoterIds: [targeted.user.id] });
        plans[kind] = plan.id;
      }
      return { product, plans };
    }
    const shopOverGeneral = await pair(["SHOP_TARGETED"]);
    const productOverGeneral = await pair(["PRODUCT_TARGETED"]);
    const productOverShop = await pair(["SHOP_TARGETED", "PRODUCT_TARGETED"]);
    const { shop: lone } = await buildApprovedMerchant(db);
    const notInAlliance = await buildProduct(db, lone.id, { category });
    await buildPlan(db, { shopId: lone.id, kind: "SHOP_TARGETED", rateBps: 5_000, promoterIds: [targeted.user.id] });

    const ids = [shopOverGeneral.product.id, productOverGeneral.product.id, productOverShop.product.id, notInAlliance.id];
    gw.statements.length = 0;
    const mine = await resolveCommissionRates(db, targeted.user.id, ids, clock.now());
    expect(gw.statements).toHaveLength(1);
    expect(mine.get(shopOverGeneral.product.id)).toEqual({ rateBps: 2_000, plan: "SHOP_TARGETED", planId: shopOverGeneral.plans.SHOP_TARGETED });
    expect(mine.get(productOverGeneral.product.id)).toEqual({ rateBps: 1_000, plan: "PRODUCT_TARGETED", planId: productOverGeneral.plans.PRODUCT_TARGETED });
    expect(mine.get(productOverShop.product.id)).toEqual({ rateBps: 1_000, plan: "PRODUCT_TARGETED", planId: productOverShop.plans.PRODUCT_TARGETED });
    // A shop-targeted plan alone does not put a product in the alliance library.
    expect(mine.has(notInAlliance.id)).toBe(false);

    const theirs = await resolveCommissionRates(db, other.user.id, ids, clock.now());
    expect([...theirs.values()].map((r) => [r.plan, r.rateBps])).toEqual(Array(3).fill(["GENERAL", 3_000]));

    // The same resolution through the API, for the promoter viewing the selection center.
    const token = await gw.token(targeted.user.id, "PROMOTER");
    const page = await gw.request(SelectionCenterDocument, { filter: { category }, orderBy: { field: "COMMISSION_RATE", direction: "ASC" } }, token);
    expect(page.data!.selectionCenter.edges.map((e) => [e.node.product.id, e.node.commissionPlanKind, e.node.commissionRate.percent])).toEqual([
      [toGlobalId("Product", productOverGeneral.product.id), "PRODUCT_TARGETED", "10.00"],
      [toGlobalId("Product", productOverShop.product.id), "PRODUCT_TARGETED", "10.00"],
      [toGlobalId("Product", shopOverGeneral.product.id), "SHOP_TARGETED", "20.00"],
    ]);
  });

  it("creates targeted plans for chosen promoters, refusing what breaks a rule", async () => {
    const shop = await approvedShop();
    const promoter = await buildPromoter(gw.database.db);
    const buyer = await buildUser(gw.database.db, "BUYER");
    const promoterIds = [toGlobalId("Promoter", promoter.user.id)];
    const create = (input: CreateCommissionPlanInput) => gw.request(CreateCommissionPlanDocument, { input }, shop.token);

    const notPublished = (await create({ kind: "PRODUCT_TARGETED", productId: shop.productGid, promoterIds, ratePercent: "20" })).data!.createCommissionPlan;
    expect(notPublished.userErrors.map((e) => e.code)).toEqual(["PRODUCT_NOT_IN_ALLIANCE"]);
    await publish(shop.productGid, "10", shop.token);
    const bad = (
      await create({ kind: "PRODUCT_TARGETED", productId: shop.productGid, promoterIds: [...promoterIds, toGlobalId("Promoter", buyer.id)], ratePercent: "95" })
    ).data!.createCommissionPlan;
    expect(bad.userErrors.map((e) => [e.code, e.field])).toEqual([
      ["RATE_OUT_OF_RANGE", ["ratePercent"]],
      ["UNKNOWN_PROMOTER", ["promoterIds", "1"]],
    ]);
    expect((await create({ kind: "SHOP_TARGETED", promoterIds: [], ratePercent: "20" })).data!.createCommissionPlan.userErrors.map((e) => e.code)).toEqual([
      "TARGET_REQUIRED",
    ]);

    const made = (await create({ kind: "PRODUCT_TARGETED", productId: shop.productGid, promoterIds, ratePercent: "20" })).data!.createCommissionPlan;
    expect(made.userErrors).toEqual([]);
    expect(made.plan).toMatchObject({ kind: "PRODUCT_TARGETED", currentRate: { basisPoints: 2_000 }, promoters: [{ id: promoterIds[0] }] });
    const shopWide = (await create({ kind: "SHOP_TARGETED", shopId: toGlobalId("Shop", shop.shop.id), promoterIds, ratePercent: "15" })).data!
      .createCommissionPlan;
    expect(shopWide.plan).toMatchObject({ kind: "SHOP_TARGETED", product: null, shop: { id: toGlobalId("Shop", shop.shop.id) } });

    const listed = await gw.request(ShopAllianceDocument, { id: toGlobalId("Shop", shop.shop.id) }, shop.token);
    expect(listed.data!.shop!.distributionStatus).toBe("APPROVED");
    expect(listed.data!.shop!.commissionPlans.map((p) => p.kind)).toEqual(["GENERAL", "PRODUCT_TARGETED", "SHOP_TARGETED"]);
  });

  it("R4: an increase applies at once; a decrease waits for 00:00 China time", async () => {
    const shop = await approvedShop();
    const promoter = await buildPromoter(gw.database.db);
    const planId = (await publish(shop.productGid, "20", shop.token)).data!.publishToAlliance.plan!.id;
    const update = (ratePercent: string) => gw.request(UpdateCommissionRateDocument, { input: { planId, ratePercent } }, shop.token);
    const rateNow = async () => (await resolveCommissionRates(gw.database.db, promoter.user.id, [shop.product.id], clock.now())).get(shop.product.id)!.rateBps;

    const up = (await update("25")).data!.updateCommissionRate;
    expect(up.plan).toMatchObject({ currentRate: { basisPoints: 2_500 }, pendingRate: null, pendingEffectiveAt: null });
    expect(await rateNow()).toBe(2_500);

    clock.set(at("23:49:00"));
    const down = (await update("15")).data!.updateCommissionRate;
    expect(down.userErrors).toEqual([]);
    expect(down.plan).toMatchObject({
      currentRate: { basisPoints: 2_500 },
      pendingRate: { basisPoints: 1_500, percent: "15.00" },
      pendingEffectiveAt: at("00:00:00", "2026-03-11").toISOString(),
    });
    clock.set(at("23:59:59.999"));
    expect(await rateNow()).toBe(2_500);
    const token = await gw.token(promoter.user.id, "PROMOTER");
    const before = await gw.request(SelectionCenterDocument, { filter: { category: shop.category } }, token);
    expect(before.data!.selectionCenter.edges[0]!.node.commissionRate.basisPoints).toBe(2_500);

    clock.set(at("00:00:00", "2026-03-11"));
    expect(await rateNow()).toBe(1_500);
    const after = await gw.request(SelectionCenterDocument, { filter: { category: shop.category } }, token);
    expect(after.data!.selectionCenter.edges[0]!.node.commissionRate.basisPoints).toBe(1_500);
    const plan = await gw.request(CommissionPlanDocument, { id: planId }, shop.token);
    expect(plan.data!.commissionPlan).toMatchObject({ currentRate: { basisPoints: 1_500 }, pendingRate: null, pendingEffectiveAt: null });
  });

  it("R4: a decrease at 23:50 China time is refused and changes nothing; an increase is still fine", async () => {
    const shop = await approvedShop();
    const planId = (await publish(shop.productGid, "20", shop.token)).data!.publishToAlliance.plan!.id;
    const update = (ratePercent: string) => gw.request(UpdateCommissionRateDocument, { input: { planId, ratePercent } }, shop.token);
    clock.set(at("23:50:00"));
    const refused = (await update("19.99")).data!.updateCommissionRate;
    expect(refused.plan).toBeNull();
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: "DECREASE_WINDOW_CLOSED", field: ["ratePercent"] })]);
    const [row] = await plansOf(shop.product.id);
    expect(row).toMatchObject({ rateBps: 2_000, pendingRateBps: null, pendingEffectiveAt: null });
    clock.set(at("23:59:59"));
    expect((await update("21")).data!.updateCommissionRate.plan!.currentRate.basisPoints).toBe(2_100);
    clock.set(at("00:00:00", "2026-03-11"));
    expect((await update("10")).data!.updateCommissionRate.plan!.pendingEffectiveAt).toBe(at("00:00:00", "2026-03-12").toISOString());
  });

  it("a withdrawn decrease: setting the current rate again cancels the pending one", async () => {
    const shop = await approvedShop();
    const planId = (await publish(shop.productGid, "20", shop.token)).data!.publishToAlliance.plan!.id;
    const update = (ratePercent: string) => gw.request(UpdateCommissionRateDocument, { input: { planId, ratePercent } }, shop.token);
    expect((await update("10")).data!.updateCommissionRate.plan!.pendingRate!.basisPoints).toBe(1_000);
    expect((await update("20")).data!.updateCommissionRate.plan).toMatchObject({ currentRate: { basisPoints: 2_000 }, pendingRate: null });
  });

  it("refuses the wrong user and changes nothing", async () => {
    const shop = await approvedShop();
    const stranger = await buildApprovedMerchant(gw.database.db);
    const strangerToken = await gw.token(stranger.user.id, "MERCHANT");
    const promoter = await buildPromoter(gw.database.db);
    const promoterToken = await gw.token(promoter.user.id, "PROMOTER");
    expect((await publish(shop.productGid, "10", strangerToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await publish(shop.productGid, "10", promoterToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await plansOf(shop.product.id)).toHaveLength(0);

    const planId = (await publish(shop.productGid, "20", shop.token)).data!.publishToAlliance.plan!.id;
    const hijack = await gw.request(UpdateCommissionRateDocument, { input: { planId, ratePercent: "1" } }, strangerToken);
    expect(hijack.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const targeted = await gw.request(
      CreateCommissionPlanDocument,
      { input: { kind: "PRODUCT_TARGETED", productId: shop.productGid, promoterIds: [toGlobalId("Promoter", promoter.user.id)], ratePercent: "80" } },
      strangerToken,
    );
    expect(targeted.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(CommissionPlanDocument, { id: planId }, strangerToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(ShopAllianceDocument, { id: toGlobalId("Shop", shop.shop.id) }, promoterToken)).errors?.[0]?.extensions?.code).toBe(
      "FORBIDDEN",
    );
    expect((await plansOf(shop.product.id)).map((p) => [p.kind, p.rateBps, p.pendingRateBps])).toEqual([["GENERAL", 2_000, null]]);
  });
});

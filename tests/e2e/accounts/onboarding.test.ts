import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, qualityViolations, shopRatings, shops, shopSettlementSettings } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildOrder, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  ApplyForDistributionDocument,
  CreateFlashSaleDocument,
  CreateProductDocument,
  FileAgreedPriceDocument,
  OpenShopDocument,
  PinToCartDocument,
  PlaceOrderDocument,
  PriceGuardViolationsDocument,
  PromoterDocument,
  RateShopDocument,
  RecordQualityViolationDocument,
  ReviewShopDocument,
  SetShopSettlementDocument,
  ShopsDocument,
  StartLiveSessionDocument,
} from "../../support/generated/graphql.js";

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe.each(BACKENDS)("onboarding through the API on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  const tokenOf = async (role: "BUYER" | "MERCHANT" | "PROMOTER" | "ADMIN" | "ANALYST") => {
    const user = await buildUser(gw.database.db, role);
    return { user, token: await gw.token(user.id, role) };
  };
  const shopRow = async (gid: string) => (await gw.database.db.select().from(shops).where(eq(shops.id, Number(Buffer.from(gid, "base64url").toString().split(":")[1]))))[0]!;

  it("a merchant opens a regular shop (NORMAL at once) and a cross-border one that waits for an admin's review", async () => {
    const merchant = await tokenOf("MERCHANT");
    const regular = await gw.request(OpenShopDocument, { input: { name: " 四会玉器坊 ", industryBelt: "JADE_SIHUI" as never } }, merchant.token);
    expect(regular.data!.openShop).toMatchObject({ shop: { name: "四会玉器坊", kind: "REGULAR", status: "NORMAL", bondedWarehouse: null }, userErrors: [] });
    expect(await shopRow(regular.data!.openShop.shop!.id)).toMatchObject({ ownerId: merchant.user.id, industryBelt: "JADE_SIHUI", status: "NORMAL" });

    const blank = await gw.request(OpenShopDocument, { input: { name: "", kind: "CROSS_BORDER" as never } }, merchant.token);
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });
    const refused = await gw.request(OpenShopDocument, { input: { name: "x", kind: "CROSS_BORDER" as never } }, merchant.token);
    expect(refused.data!.openShop.userErrors.map((e) => e.code).sort()).toEqual(["BONDED_WAREHOUSE_REQUIRED"]);
    const noWarehouse = await gw.request(OpenShopDocument, { input: { name: "x", bondedWarehouse: "宁波保税仓" } }, merchant.token);
    expect(noWarehouse.data!.openShop.userErrors.map((e) => e.code)).toEqual(["BONDED_WAREHOUSE_NOT_ALLOWED"]);

    const crossBorder = await gw.request(OpenShopDocument, { input: { name: "海淘优选", kind: "CROSS_BORDER" as never, bondedWarehouse: "宁波保税仓" } }, merchant.token);
    const shopId = crossBorder.data!.openShop.shop!.id;
    expect(crossBorder.data!.openShop.shop).toMatchObject({ kind: "CROSS_BORDER", status: "UNDER_REVIEW", bondedWarehouse: "宁波保税仓" });

    const admin = await tokenOf("ADMIN");
    const pending = await gw.request(ShopsDocument, { status: "UNDER_REVIEW" as never, first: 100 }, admin.token);
    expect(pending.data!.shops.edges.map((e) => e.node.id)).toContain(shopId);
    const own = await gw.request(ShopsDocument, { first: 100 }, merchant.token);
    expect(own.data!.shops.edges.map((e) => e.node.id).sort()).toEqual([regular.data!.openShop.shop!.id, shopId].sort());

    const approved = await gw.request(ReviewShopDocument, { input: { shopId, approve: true, note: "保税仓备案核验通过" } }, admin.token);
    expect(approved.data!.reviewShop).toMatchObject({ shop: { status: "NORMAL", reviewNote: "保税仓备案核验通过" }, userErrors: [] });
    expect(await shopRow(shopId)).toMatchObject({ status: "NORMAL", reviewerId: admin.user.id });
    const twice = await gw.request(ReviewShopDocument, { input: { shopId, approve: false } }, admin.token);
    expect(twice.data!.reviewShop.userErrors.map((e) => e.code)).toEqual(["NOT_UNDER_REVIEW"]);
    expect((await shopRow(shopId)).status).toBe("NORMAL");

    const another = await gw.request(OpenShopDocument, { input: { name: "海淘二店", kind: "CROSS_BORDER" as never, bondedWarehouse: "郑州保税仓" } }, merchant.token);
    const rejected = await gw.request(ReviewShopDocument, { input: { shopId: another.data!.openShop.shop!.id, approve: false, note: "仓库备案不符" } }, admin.token);
    expect(rejected.data!.reviewShop.shop!.status).toBe("REJECTED");
  });

  it("a promoter opens its own shop (小店) once, even when it asks many times at once", async () => {
    const promoter = await tokenOf("PROMOTER");
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => gw.request(OpenShopDocument, { input: { name: `主播小店 ${i}` } }, promoter.token)));
    expect(results.filter((r) => r.data!.openShop.shop)).toHaveLength(1);
    expect(results.flatMap((r) => r.data!.openShop.userErrors.map((e) => e.code))).toEqual(Array(4).fill("PROMOTER_HAS_SHOP"));
    expect(await gw.database.db.select().from(shops).where(eq(shops.ownerId, promoter.user.id))).toHaveLength(1);
  });

  it("a promoter's cross-border shop counts as its own (R6) only once approved; rejected, the promoter opens another", async () => {
    const promoter = await tokenOf("PROMOTER");
    const admin = await tokenOf("ADMIN");
    const promoterId = toGlobalId("Promoter", promoter.user.id);
    const ownShop = async () => (await gw.request(PromoterDocument, { id: promoterId }, promoter.token)).data!.promoter!;
    const first = await gw.request(OpenShopDocument, { input: { name: "海外代购", kind: "CROSS_BORDER" as never, bondedWarehouse: "天津保税仓" } }, promoter.token);
    expect((await ownShop()).onboarding.ownShop).toBe(false);
    await gw.request(ReviewShopDocument, { input: { shopId: first.data!.openShop.shop!.id, approve: false } }, admin.token);
    expect((await ownShop()).onboarding.ownShop).toBe(false);
    const second = await gw.request(OpenShopDocument, { input: { name: "主播好物" } }, promoter.token);
    expect(second.data!.openShop.userErrors).toEqual([]);
    expect(await ownShop()).toMatchObject({ shop: { id: second.data!.openShop.shop!.id }, onboarding: { ownShop: true } });
  });

  it("a cross-border shop under review cannot sell; approved it can", async () => {
    const merchant = await tokenOf("MERCHANT");
    const opened = await gw.request(OpenShopDocument, { input: { name: "跨境店", kind: "CROSS_BORDER" as never, bondedWarehouse: "广州南沙保税仓" } }, merchant.token);
    const shopId = opened.data!.openShop.shop!.id;
    const product = await gw.request(CreateProductDocument, { input: { shopId, title: "进口奶粉", category: "baby/formula", price: "268.00", stock: 50, crossBorder: true } }, merchant.token);
    const productId = product.data!.createProduct.product!.id;
    const session = await gw.request(StartLiveSessionDocument, { input: { title: "店播" } }, merchant.token);
    const liveSessionId = session.data!.startLiveSession.liveSession!.id;
    const pin = await gw.request(PinToCartDocument, { input: { liveSessionId, productId } }, merchant.token);
    expect(pin.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["SHOP_CANNOT_SELL"]);
    const admin = await tokenOf("ADMIN");
    await gw.request(ReviewShopDocument, { input: { shopId, approve: true } }, admin.token);
    expect((await gw.request(PinToCartDocument, { input: { liveSessionId, productId } }, merchant.token)).data!.pinToCart.userErrors).toEqual([]);
  });

  it("direct selling: a host sells its own shop's goods on its cart without the alliance, and earns no commission", async () => {
    const promoter = await tokenOf("PROMOTER");
    const shop = await gw.request(OpenShopDocument, { input: { name: "主播自营" } }, promoter.token);
    const product = await gw.request(CreateProductDocument, { input: { shopId: shop.data!.openShop.shop!.id, title: "自营手镯", category: "jade/bangle", price: "99.00", stock: 10 } }, promoter.token);
    const productId = product.data!.createProduct.product!.id;
    const session = await gw.request(StartLiveSessionDocument, { input: { title: "自营专场" } }, promoter.token);
    const liveSessionId = session.data!.startLiveSession.liveSession!.id;
    expect((await gw.request(PinToCartDocument, { input: { liveSessionId, productId } }, promoter.token)).data!.pinToCart.userErrors).toEqual([]);

    // another shop's goods still need the shelf (and so the alliance)
    const { shop: foreign } = await buildMerchant(gw.database.db);
    const foreignProduct = await buildProduct(gw.database.db, foreign.id);
    const refused = await gw.request(PinToCartDocument, { input: { liveSessionId, productId: toGlobalId("Product", foreignProduct.id) } }, promoter.token);
    expect(refused.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["NOT_ON_SHELF"]);

    const sale = await gw.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId, productId, flashPrice: "79.00", allocatedUnits: 3, perBuyerLimit: 1, endsAt: inAnHour() } },
      promoter.token,
    );
    expect(sale.data!.createFlashSale.userErrors).toEqual([]);
    const buyer = await tokenOf("BUYER");
    const bought = await gw.request(PlaceOrderDocument, { input: { flashSaleId: sale.data!.createFlashSale.flashSale!.id, quantity: 1, idempotencyKey: "direct-1" } }, buyer.token);
    expect(bought.data!.placeOrder.userErrors).toEqual([]);
    expect(bought.data!.placeOrder.order).toMatchObject({ commissionRateBps: 0, commissionPlan: null, total: { amount: "79.00" } });
    const [row] = await gw.database.db.select().from(orders).where(eq(orders.buyerId, buyer.user.id));
    expect(row).toMatchObject({ commissionRateBps: 0, totalFen: 7_900 });
  });

  it("a merchant streaming its own shop answers for its own subsidy under the price guard (the shop's violation, not a promoter's)", async () => {
    const merchant = await tokenOf("MERCHANT");
    const shop = await gw.request(OpenShopDocument, { input: { name: "品牌直营" } }, merchant.token);
    const shopId = shop.data!.openShop.shop!.id;
    const product = await gw.request(CreateProductDocument, { input: { shopId, title: "品牌精华", category: "beauty/serum", price: "100.00", stock: 10 } }, merchant.token);
    const productId = product.data!.createProduct.product!.id;
    const session = await gw.request(StartLiveSessionDocument, { input: { title: "品牌店播" } }, merchant.token);
    const liveSessionId = session.data!.startLiveSession.liveSession!.id;
    expect((await gw.request(PinToCartDocument, { input: { liveSessionId, productId, subsidy: "20.00" } }, merchant.token)).data!.pinToCart.userErrors).toEqual([]);
    // the brand files its agreed hand price after its own offer went out
    expect((await gw.request(FileAgreedPriceDocument, { input: { productId, agreedPrice: "90.00" } }, merchant.token)).data!.fileAgreedPrice.userErrors).toEqual([]);
    const buyer = await tokenOf("BUYER");
    // a committed sale below the floor is the violation (R14): the shop's, whose host set the subsidy
    const sold = await gw.request(PlaceOrderDocument, { input: { liveSessionId, productId, quantity: 1, idempotencyKey: "own-subsidy" } }, buyer.token);
    expect(sold.data!.placeOrder.userErrors).toEqual([]);
    const admin = await tokenOf("ADMIN");
    const violated = async () =>
      (await gw.request(PriceGuardViolationsDocument, { first: 10, shopId }, admin.token)).data!.priceGuardViolations.edges.map((e) => [e.node.party, e.node.shop?.id]);
    const deadline = Date.now() + 5_000;
    while ((await violated()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await violated()).toEqual([["MERCHANT", shopId]]);
  });

  it("buyers rate their received orders once (DSR); admins may record ratings; scores are 1–5", async () => {
    const { shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id);
    const buyer = await tokenOf("BUYER");
    const received = await buildOrder(gw.database.db, { buyerId: buyer.user.id, shopId: shop.id, productId: product.id, totalFen: 19_900, status: "RECEIVED" });
    const open = await buildOrder(gw.database.db, { buyerId: buyer.user.id, shopId: shop.id, productId: product.id, totalFen: 19_900 });
    const orderId = toGlobalId("Order", received.id);

    const bad = await gw.request(RateShopDocument, { input: { orderId, description: 0, service: 6, logistics: 5 } }, buyer.token);
    expect(bad.data!.rateShop.userErrors.map((e) => e.field![0])).toEqual(["description", "service"]);
    const rated = await gw.request(RateShopDocument, { input: { orderId, description: 5, service: 4, logistics: 5 } }, buyer.token);
    expect(rated.data!.rateShop).toMatchObject({ rating: { orderId, description: 5, service: 4, logistics: 5 }, userErrors: [] });
    const again = await gw.request(RateShopDocument, { input: { orderId, description: 1, service: 1, logistics: 1 } }, buyer.token);
    expect(again.data!.rateShop.userErrors.map((e) => e.code)).toEqual(["ALREADY_RATED"]);
    const early = await gw.request(RateShopDocument, { input: { orderId: toGlobalId("Order", open.id), description: 5, service: 5, logistics: 5 } }, buyer.token);
    expect(early.data!.rateShop.userErrors.map((e) => e.code)).toEqual(["ORDER_NOT_RECEIVED"]);
    const stranger = await tokenOf("BUYER");
    const foreign = await gw.request(RateShopDocument, { input: { orderId, description: 1, service: 1, logistics: 1 } }, stranger.token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const noOrder = await gw.request(RateShopDocument, { input: { shopId: toGlobalId("Shop", shop.id), description: 1, service: 1, logistics: 1 } }, buyer.token);
    expect(noOrder.data!.rateShop.userErrors.map((e) => e.code)).toEqual(["TARGET_REQUIRED"]);

    const admin = await tokenOf("ADMIN");
    const recorded = await gw.request(RateShopDocument, { input: { shopId: toGlobalId("Shop", shop.id), description: 5, service: 5, logistics: 5 } }, admin.token);
    expect(recorded.data!.rateShop.userErrors).toEqual([]);
    const rows = await gw.database.db.select().from(shopRatings).where(eq(shopRatings.shopId, shop.id));
    expect(rows.map((r) => [r.orderId, r.ratedBy, r.descriptionScore + r.serviceScore + r.logisticsScore]).sort()).toEqual(
      [
        [received.id, buyer.user.id, 14],
        [null, admin.user.id, 15],
      ].sort(),
    );
  });

  it("admins record quality violations with evidence; a serious one and the short settlement period each fail R1 by name", async () => {
    const { user, shop } = await buildMerchant(gw.database.db);
    const merchantToken = await gw.token(user.id, "MERCHANT");
    const shopId = toGlobalId("Shop", shop.id);
    const product = await buildProduct(gw.database.db, shop.id);
    const { shop: other } = await buildMerchant(gw.database.db);
    const otherProduct = await buildProduct(gw.database.db, other.id);
    const admin = await tokenOf("ADMIN");

    const blank = await gw.request(
      RecordQualityViolationDocument,
      { input: { shopId, productId: toGlobalId("Product", otherProduct.id), serious: true, reason: " ", evidence: [], occurredAt: inAnHour() } },
      admin.token,
    );
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.reason" });
    const refused = await gw.request(
      RecordQualityViolationDocument,
      { input: { shopId, productId: toGlobalId("Product", otherProduct.id), serious: true, reason: "cracked", evidence: [], occurredAt: inAnHour() } },
      admin.token,
    );
    expect(refused.data!.recordQualityViolation.userErrors.map((e) => e.code).sort()).toEqual(["EVIDENCE_REQUIRED", "OCCURRED_IN_FUTURE", "PRODUCT_NOT_OF_SHOP"]);
    const recorded = await gw.request(
      RecordQualityViolationDocument,
      { input: { shopId, productId: toGlobalId("Product", product.id), serious: true, reason: "抽检：材质与描述不符", evidence: ["质检报告 QC-2026-0117", "https://evidence.example/photo/1.jpg"] } },
      admin.token,
    );
    expect(recorded.data!.recordQualityViolation).toMatchObject({ violation: { serious: true, evidence: ["质检报告 QC-2026-0117", "https://evidence.example/photo/1.jpg"] }, userErrors: [] });
    const [violation] = await gw.database.db.select().from(qualityViolations).where(eq(qualityViolations.shopId, shop.id));
    expect(violation).toMatchObject({ serious: true, productId: product.id, recordedBy: admin.user.id });

    expect((await gw.request(SetShopSettlementDocument, { input: { shopId, shortSettlementEnabled: true } }, merchantToken)).data!.setShopSettlement).toMatchObject({
      settlement: { shopId, shortSettlementEnabled: true },
      userErrors: [],
    });
    const strangerMerchant = await tokenOf("MERCHANT");
    const foreign = await gw.request(SetShopSettlementDocument, { input: { shopId, shortSettlementEnabled: false } }, strangerMerchant.token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const [setting] = await gw.database.db.select().from(shopSettlementSettings).where(eq(shopSettlementSettings.shopId, shop.id));
    expect(setting!.shortSettlementEnabled).toBe(true);

    const applied = await gw.request(ApplyForDistributionDocument, { input: { shopId } }, merchantToken);
    const checks = Object.fromEntries(applied.data!.applyForDistribution.application!.checks.map((c) => [c.rule, c.passed]));
    expect(checks).toMatchObject({ NO_SERIOUS_QUALITY_VIOLATION_365_DAYS: false, SHORT_SETTLEMENT_DISABLED: false });
  });
});

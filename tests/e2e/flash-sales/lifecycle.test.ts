import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commissionPlans, flashSales, orders, products } from "../../../src/db/schema/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { idOf, toGlobalId } from "../../../src/shared/ids.js";
import { buildPlan } from "../../support/alliance-builders.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateCouponDocument,
  CreateFlashSaleDocument,
  EndLiveSessionDocument,
  FlashSaleDocument,
  LiveSessionDocument,
  LiveSessionsDocument,
  OrderDocument,
  PinToCartDocument,
  PlaceOrderDocument,
  StartLiveSessionDocument,
  UnpinFromCartDocument,
} from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";

describe.each(BACKENDS)("live sessions and flash sales on %s", (backend) => {
  let gw: TestGateway;
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    gw = await startTestGateway(backend, { clock });
  });
  afterAll(() => gw?.stop());

  const buyer = async () => {
    const user = await buildUser(gw.database.db, "BUYER");
    return { user, token: await gw.token(user.id, "BUYER") };
  };

  it("takes the allocation from stock, sells at the flash price and freezes the order's terms", async () => {
    const s = await liveSale(gw, { units: 10, limit: 2, stock: 50, flashPrice: "59.90" });
    const [product] = await gw.database.db.select().from(products).where(eq(products.id, s.product.id));
    expect(product!.stock).toBe(40);
    const b = await buyer();
    const placed = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 2, idempotencyKey: "k1" } }, b.token);
    expect(placed.data!.placeOrder.userErrors).toEqual([]);
    expect(placed.data!.placeOrder.order).toMatchObject({ quantity: 2, status: "ACCEPTED", unitPrice: { amount: "59.90" }, total: { amount: "119.80" }, handPrice: { amount: "59.90" } });
    const [row] = await gw.database.db.select().from(orders).where(eq(orders.buyerId, b.user.id));
    expect(row).toMatchObject({ quantity: 2, totalFen: 11_980, flashSaleId: idOf("FlashSale", s.flashSaleId!), promoterId: s.promoter.id });
    const sale = await gw.request(FlashSaleDocument, { id: s.flashSaleId! });
    expect(sale.data!.flashSale).toMatchObject({ soldUnits: 2, remainingUnits: 8, status: "RUNNING" });
    const seen = await gw.request(OrderDocument, { id: placed.data!.placeOrder.order!.id }, b.token);
    expect(seen.data!.order).toMatchObject({ quantity: 2, flashSale: { id: s.flashSaleId } });
    const other = await buyer();
    expect((await gw.request(OrderDocument, { id: placed.data!.placeOrder.order!.id }, other.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("freezes the promoter's resolved commission rate onto the order (R5)", async () => {
    const s = await liveSale(gw, { units: 10, limit: 5 });
    await buildPlan(gw.database.db, { shopId: s.merchant.shop.id, productId: s.product.id, kind: "GENERAL", rateBps: 1_500 });
    const targeted = await buildPlan(gw.database.db, {
      shopId: s.merchant.shop.id,
      productId: s.product.id,
      kind: "PRODUCT_TARGETED",
      rateBps: 2_500,
      promoterIds: [s.promoter.id],
    });
    const b = await buyer();
    const first = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "r1" } }, b.token);
    expect(first.data!.placeOrder.order).toMatchObject({ commissionRateBps: 2_500, commissionPlan: "PRODUCT_TARGETED" });
    await gw.database.db.update(commissionPlans).set({ rateBps: 3_000 }).where(eq(commissionPlans.id, targeted.id));
    const second = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "r2" } }, b.token);
    expect(second.data!.placeOrder.order!.commissionRateBps).toBe(3_000);
    const [kept] = await gw.database.db.select().from(orders).where(eq(orders.id, idOf("Order", first.data!.placeOrder.order!.id)));
    expect(kept!.commissionRateBps).toBe(2_500);
  });

  it("refuses past the per-buyer limit, and once sold out", async () => {
    const s = await liveSale(gw, { units: 3, limit: 2 });
    const a = await buyer();
    const first = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 2, idempotencyKey: "a1" } }, a.token);
    expect(first.data!.placeOrder.order).not.toBeNull();
    const over = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "a2" } }, a.token);
    expect(over.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["LIMIT_REACHED"]);
    const b = await buyer();
    const tooMany = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 2, idempotencyKey: "b1" } }, b.token);
    expect(tooMany.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["NOT_ENOUGH_UNITS"]);
    expect((await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "b2" } }, b.token)).data!.placeOrder.order).not.toBeNull();
    const c = await buyer();
    const late = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "c1" } }, c.token);
    expect(late.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["SOLD_OUT"]);
    const [sale] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, idOf("FlashSale", s.flashSaleId!)));
    expect(sale).toMatchObject({ soldUnits: 3, status: "SOLD_OUT" });
    expect(await gw.database.db.select().from(orders).where(eq(orders.flashSaleId, sale!.id))).toHaveLength(2);
  });

  it("returns the same order for a repeated idempotency key and takes stock once", async () => {
    const s = await liveSale(gw, { units: 5, limit: 5 });
    const b = await buyer();
    const input = { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "same" };
    const results = await Promise.all(Array.from({ length: 8 }, () => gw.request(PlaceOrderDocument, { input }, b.token)));
    const ids = new Set(results.map((r) => r.data!.placeOrder.order?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeTruthy();
    const [sale] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, idOf("FlashSale", s.flashSaleId!)));
    expect(sale!.soldUnits).toBe(1);
    expect(await gw.database.db.select().from(orders).where(eq(orders.buyerId, b.user.id))).toHaveLength(1);
  });

  it("refuses before the start (NOT_STARTED), starts on time, and at the end returns unsold units to stock", async () => {
    const startsAt = new Date(clock.now().getTime() + 60_000);
    const endsAt = new Date(clock.now().getTime() + 120_000);
    const s = await liveSale(gw, { units: 10, limit: 5, stock: 30, startsAt, endsAt });
    expect((await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!.status).toBe("SCHEDULED");
    const b = await buyer();
    const early = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "e1" } }, b.token);
    expect(early.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["NOT_STARTED"]);

    clock.set(startsAt);
    await gw.services.flashSales.sweep();
    expect((await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!.status).toBe("RUNNING");
    const bought = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 3, idempotencyKey: "e2" } }, b.token);
    expect(bought.data!.placeOrder.order?.quantity).toBe(3);

    clock.set(new Date(endsAt.getTime() - 1));
    const lastMs = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "e3" } }, b.token);
    expect(lastMs.data!.placeOrder.order?.quantity).toBe(1);
    clock.set(endsAt);
    const ended = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "e4" } }, b.token);
    expect(ended.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["ENDED"]);
    await gw.services.flashSales.sweep();
    const sale = (await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!;
    expect(sale).toMatchObject({ status: "ENDED", soldUnits: 4, returnedUnits: 6, product: { stock: 26 } });
    await gw.services.flashSales.sweep();
    expect((await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!.product.stock).toBe(26);
    clock.set(new Date());
  });

  it("a sweep asked for while one runs reads the clock after the call (it is not handed the running one)", async () => {
    const startsAt = new Date(clock.now().getTime() + 60_000);
    const s = await liveSale(gw, { units: 5, stock: 5, startsAt, endsAt: new Date(startsAt.getTime() + 60_000) });
    try {
      const running = gw.services.flashSales.sweep(); // reads the clock now, before the start
      clock.set(startsAt);
      await gw.services.flashSales.sweep();
      await running;
      expect((await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!.status).toBe("RUNNING");
    } finally {
      clock.set(new Date());
    }
  });

  it("ending the session ends its sales; only the session's promoter may run it", async () => {
    const s = await liveSale(gw, { units: 10, stock: 10 });
    const stranger = await buildUser(gw.database.db, "PROMOTER");
    const strangerToken = await gw.token(stranger.id, "PROMOTER");
    const refused = await gw.request(EndLiveSessionDocument, { id: s.liveSessionId }, strangerToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const refusedSale = await gw.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId: s.liveSessionId, productId: s.productId, flashPrice: "1.00", allocatedUnits: 1, perBuyerLimit: 1, endsAt: new Date(Date.now() + 60_000).toISOString() } },
      strangerToken,
    );
    expect(refusedSale.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const b = await buyer();
    expect((await gw.request(EndLiveSessionDocument, { id: s.liveSessionId }, b.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!.status).toBe("RUNNING");

    const ended = await gw.request(EndLiveSessionDocument, { id: s.liveSessionId }, s.promoterToken);
    expect(ended.data!.endLiveSession.liveSession!.status).toBe("ENDED");
    const session = (await gw.request(LiveSessionDocument, { id: s.liveSessionId })).data!.liveSession!;
    expect(session.flashSales[0]).toMatchObject({ status: "ENDED", endReason: "SESSION_ENDED", returnedUnits: 10, product: { stock: 10 } });
    const again = await gw.request(EndLiveSessionDocument, { id: s.liveSessionId }, s.promoterToken);
    expect(again.data!.endLiveSession.userErrors.map((e) => e.code)).toEqual(["SESSION_NOT_LIVE"]);
    const listed = await gw.request(LiveSessionsDocument, { first: 100, status: "ENDED" });
    expect(listed.data!.liveSessions.edges.some((e) => e.node.id === s.liveSessionId)).toBe(true);
  });

  it("validates flash sales: cart, units, limit, window", async () => {
    const s = await liveSale(gw, { units: 0, stock: 5 });
    const base = { liveSessionId: s.liveSessionId, productId: s.productId, flashPrice: "9.90", allocatedUnits: 2, perBuyerLimit: 1, startsAt: undefined as string | undefined, endsAt: new Date(Date.now() + 60_000).toISOString() };
    const cases: [Partial<typeof base>, string][] = [
      [{ allocatedUnits: 6 }, "INSUFFICIENT_STOCK"],
      [{ allocatedUnits: 0 }, "INVALID_UNITS"],
      [{ perBuyerLimit: 3 }, "INVALID_LIMIT"],
      [{ flashPrice: "0" }, "INVALID_PRICE"],
      [{ endsAt: new Date(clock.now().getTime() - 1000).toISOString() }, "INVALID_WINDOW"],
      [{ flashPrice: "100.01" }, "ABOVE_LIST_PRICE"],
      [{ startsAt: new Date(clock.now().getTime() - 3 * 60_000).toISOString() }, "STARTS_IN_PAST"],
      [{ startsAt: new Date(clock.now().getTime() + 60_000).toISOString(), endsAt: new Date(clock.now().getTime() + 30_000).toISOString() }, "INVALID_WINDOW"],
      [{ endsAt: new Date(clock.now().getTime() + 24 * 3600_000 + 1000).toISOString() }, "TOO_LONG"],
    ];
    for (const [change, code] of cases) {
      const result = await gw.request(CreateFlashSaleDocument, { input: { ...base, ...change } }, s.promoterToken);
      expect(result.data!.createFlashSale.userErrors.map((e) => e.code), code).toContain(code);
    }
    // A start inside the documented clock skew (2 minutes) is taken as now; the list price itself is allowed.
    const skewed = await gw.request(
      CreateFlashSaleDocument,
      { input: { ...base, flashPrice: "100.00", allocatedUnits: 1, startsAt: new Date(clock.now().getTime() - 60_000).toISOString() } },
      s.promoterToken,
    );
    expect(skewed.data!.createFlashSale.userErrors).toEqual([]);
    expect(skewed.data!.createFlashSale.flashSale).toMatchObject({ status: "RUNNING" });
    const [stored] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, idOf("FlashSale", skewed.data!.createFlashSale.flashSale!.id)));
    expect(stored!.startsAt.getTime()).toBe(clock.now().getTime());
    // R12: the room's subsidy may not reach the flash price, nor a later subsidy an open flash price.
    const subsidised = await gw.request(PinToCartDocument, { input: { liveSessionId: s.liveSessionId, productId: s.productId, subsidy: "100.00" } }, s.promoterToken);
    expect(subsidised.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["DISCOUNT_EXCEEDS_PRICE"]);
    expect((await gw.request(PinToCartDocument, { input: { liveSessionId: s.liveSessionId, productId: s.productId, subsidy: "9.90" } }, s.promoterToken)).data!.pinToCart.userErrors).toEqual([]);
    const underSubsidy = await gw.request(CreateFlashSaleDocument, { input: { ...base, flashPrice: "9.90", allocatedUnits: 1 } }, s.promoterToken);
    expect(underSubsidy.data!.createFlashSale.userErrors.map((e) => e.code)).toEqual(["DISCOUNT_EXCEEDS_PRICE"]);
    await gw.request(UnpinFromCartDocument, { input: { liveSessionId: s.liveSessionId, productId: s.productId } }, s.promoterToken);
    const unpinned = await gw.request(CreateFlashSaleDocument, { input: base }, s.promoterToken);
    expect(unpinned.data!.createFlashSale.userErrors.map((e) => e.code)).toEqual(["NOT_ON_CART"]);
    const [product] = await gw.database.db.select().from(products).where(eq(products.id, s.product.id));
    expect(product!.stock).toBe(4);
  });

  it("sells from the cart with subsidy, coupon and points: the hand price per unit (R12)", async () => {
    const s = await liveSale(gw, { units: 0, stock: 20, priceFen: 10_000, subsidy: "5.00" });
    const merchantToken = await gw.token(s.merchant.user.id, "MERCHANT");
    const code = `SHOP${Date.now().toString(36)}${backend}`.slice(0, 32);
    const coupon = await gw.request(
      CreateCouponDocument,
      { input: { productId: s.productId, code, amount: "10.00", validUntil: new Date(Date.now() + 86_400_000).toISOString(), totalQuantity: 100 } },
      merchantToken,
    );
    expect(coupon.data!.createCoupon.coupon).toMatchObject({ issuer: "SHOP", amount: { amount: "10.00" } });
    const b = await buyer();
    const input = { liveSessionId: s.liveSessionId, productId: s.productId, quantity: 3, couponCode: code, points: 2_000, idempotencyKey: "cart-1" };
    const placed = await gw.request(PlaceOrderDocument, { input }, b.token);
    expect(placed.data!.placeOrder.userErrors).toEqual([]);
    // 3 × 100.00 − 3 × 5.00 subsidy − 10.00 coupon − 20.00 points = 255.00; per unit 85.00
    expect(placed.data!.placeOrder.order).toMatchObject({
      total: { amount: "255.00" },
      handPrice: { amount: "85.00" },
      subsidy: { amount: "15.00" },
      shopCoupon: { amount: "10.00" },
      points: { amount: "20.00" },
    });
    const [product] = await gw.database.db.select().from(products).where(eq(products.id, s.product.id));
    expect(product!.stock).toBe(17);
    const overCap = await gw.request(PlaceOrderDocument, { input: { ...input, couponCode: null, points: 3_001, idempotencyKey: "cart-2" } }, b.token);
    expect(overCap.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["POINTS_OVER_CAP"]);
    const badCoupon = await gw.request(PlaceOrderDocument, { input: { ...input, couponCode: "NOPE-NOPE", idempotencyKey: "cart-3" } }, b.token);
    expect(badCoupon.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["COUPON_INVALID"]);
    const again = await gw.request(PlaceOrderDocument, { input }, b.token);
    expect(again.data!.placeOrder.order!.id).toBe(placed.data!.placeOrder.order!.id);
    const [after] = await gw.database.db.select().from(products).where(eq(products.id, s.product.id));
    expect(after!.stock).toBe(17);
  });

  it("pins only with the session's promoter, and lists the cart", async () => {
    const s = await liveSale(gw, { units: 0 });
    const { shop } = await buildMerchant(gw.database.db);
    const other = await buildProduct(gw.database.db, shop.id);
    const stranger = await buildUser(gw.database.db, "PROMOTER");
    const refused = await gw.request(PinToCartDocument, { input: { liveSessionId: s.liveSessionId, productId: toGlobalId("Product", other.id) } }, await gw.token(stranger.id, "PROMOTER"));
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const session = (await gw.request(LiveSessionDocument, { id: s.liveSessionId })).data!.liveSession!;
    expect(session.cart.map((c) => c.product.id)).toEqual([s.productId]);
    const badSubsidy = await gw.request(PinToCartDocument, { input: { liveSessionId: s.liveSessionId, productId: s.productId, subsidy: "1000.00" } }, s.promoterToken);
    expect(badSubsidy.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["DISCOUNT_EXCEEDS_PRICE"]);
    const asBuyer = await gw.request(StartLiveSessionDocument, { input: { title: "x" } }, (await buyer()).token);
    expect(asBuyer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

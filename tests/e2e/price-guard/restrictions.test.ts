import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { priceGuardRestrictions, products } from "../../../src/db/schema/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { idOf, toGlobalId } from "../../../src/shared/ids.js";
import { buildProduct, buildUser } from "../../support/builders.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateCouponDocument,
  CreateFlashSaleDocument,
  FlashSaleInventoryDocument,
  LiftRestrictionDocument,
  LiveRoomPriceGuardDocument,
  PinToCartDocument,
  PlaceOrderDocument,
  RestrictionNodeDocument,
  ShopRestrictionsDocument,
  StartLiveSessionDocument,
} from "../../support/generated/graphql.js";
import { BONDED, fileAgreedPrice, guardedRoom, secondProduct } from "../../support/price-guard.js";
import { putOnShelf } from "../../support/shelf.js";

const DAY = 24 * 3600 * 1000;

describe("a restriction stops a shop's running cross-border flash sales (two instances, real Redis)", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = { INVENTORY_COALESCE_MS: "20" };
    [a, b] = await Promise.all([startTestGateway("postgres", { env }), startTestGateway("postgres", { env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("ends them at once (subscribers on the other instance see ENDED); the shop's regular goods keep selling", async () => {
    const db = a.database.db;
    const room = await guardedRoom(a, { priceFen: 10_000 });
    const bonded = await buildProduct(db, room.merchant.shop.id, { priceFen: 20_000, stock: 50, crossBorder: true, bondedWarehouse: BONDED });
    const regular = await buildProduct(db, room.merchant.shop.id, { priceFen: 20_000, stock: 50 });
    const [bondedId, regularId] = [toGlobalId("Product", bonded.id), toGlobalId("Product", regular.id)];

    // another promoter's room runs flash sales of the shop's bonded and regular goods
    const promoter = await buildUser(db, "PROMOTER");
    const promoterToken = await b.token(promoter.id, "PROMOTER");
    const liveSessionId = (await b.request(StartLiveSessionDocument, { input: { title: "Second room" } }, promoterToken)).data!.startLiveSession.liveSession!.id;
    const flashSale = async (productId: string) => {
      await putOnShelf(db, promoter.id, idOf("Product", productId));
      await b.request(PinToCartDocument, { input: { liveSessionId, productId } }, promoterToken);
      const created = await b.request(
        CreateFlashSaleDocument,
        { input: { liveSessionId, productId, flashPrice: "150.00", allocatedUnits: 10, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
        promoterToken,
      );
      expect(created.data!.createFlashSale.userErrors).toEqual([]);
      return created.data!.createFlashSale.flashSale!.id;
    };
    const bondedSale = await flashSale(bondedId);
    const regularSale = await flashSale(regularId);
    const inventory = collect(b.ws(null), FlashSaleInventoryDocument, { liveSessionId });
    const events = collect(b.ws(null), LiveRoomPriceGuardDocument, { liveSessionId });
    await inventory.until(() => inventory.messages.length >= 1);
    await events.until(() => events.messages.length >= 1);

    // the brand files above the shop's own list price; a sale in the first room is then a violation of the shop
    await fileAgreedPrice(a, room.merchantToken, room.productId, "105.00");
    const buyer = await buildUser(db, "BUYER");
    const buyerToken = await a.token(buyer.id, "BUYER");
    const sold = await a.request(PlaceOrderDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId, quantity: 1, idempotencyKey: "v" } }, buyerToken);
    expect(sold.data!.placeOrder.userErrors).toEqual([]);

    const statusOf = (saleId: string) => inventory.messages.at(-1)!.data!.flashSaleInventory.sales.find((s) => s.flashSaleId === saleId)?.status;
    await inventory.until(() => statusOf(bondedSale) === "ENDED");
    expect(statusOf(regularSale)).toBe("RUNNING");
    await events.until(() => events.messages.some((m) => m.data!.liveSessionEvents.__typename === "CartItemUnpinned"));
    expect(events.messages.map((m) => m.data!.liveSessionEvents).filter((e) => e.__typename === "FlashSaleEnded")).toEqual([
      { __typename: "FlashSaleEnded", flashSaleId: bondedSale, reason: "RESTRICTED" },
    ]);
    // the bonded goods left the second room's cart too (the regular ones stay), units back to stock
    expect(events.messages.map((m) => m.data!.liveSessionEvents).filter((e) => e.__typename === "CartItemUnpinned")).toEqual([{ __typename: "CartItemUnpinned", productId: bondedId }]);
    expect((await db.select().from(products).where(eq(products.id, bonded.id)))[0]!.stock).toBe(50);

    // cross-border goods: no new flash sale, pin, coupon or order; regular goods: business as usual
    const again = await b.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId, productId: bondedId, flashPrice: "150.00", allocatedUnits: 1, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
      promoterToken,
    );
    expect(again.data!.createFlashSale.userErrors.map((e) => e.code)).toEqual(["NOT_ON_CART"]);
    const repin = await b.request(PinToCartDocument, { input: { liveSessionId, productId: bondedId } }, promoterToken);
    expect(repin.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["RESTRICTED"]);
    await putOnShelf(db, room.promoter.id, bonded.id);
    const pin = await a.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: bondedId } }, room.promoterToken);
    expect(pin.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["RESTRICTED"]);
    const coupon = await a.request(
      CreateCouponDocument,
      { input: { productId: bondedId, code: `R${Date.now().toString(36)}`, amount: "1.00", validUntil: new Date(Date.now() + 3_600_000).toISOString(), totalQuantity: 10 } },
      room.merchantToken,
    );
    expect(coupon.data!.createCoupon.userErrors.map((e) => e.code)).toEqual(["RESTRICTED"]);
    const cart = await b.request(PlaceOrderDocument, { input: { liveSessionId, productId: bondedId, quantity: 1, idempotencyKey: "c" } }, buyerToken);
    expect(cart.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["NOT_ON_CART"]);
    const bought = await b.request(PlaceOrderDocument, { input: { flashSaleId: regularSale, quantity: 1, idempotencyKey: "r" } }, buyerToken);
    expect(bought.data!.placeOrder.order).toMatchObject({ quantity: 1, unitPrice: { amount: "150.00" } });
    inventory.dispose();
    events.dispose();
  }, 60_000);
});

describe("the penalty ladder with an injected clock (real PostgreSQL)", () => {
  const clock = new ManualClock(new Date());
  let gw: TestGateway;
  beforeAll(async () => {
    // The clock jumps months ahead: keep this gateway's flash-sale sweeper from ending other files' sales meanwhile.
    gw = await startTestGateway("postgres", { clock, env: { SWEEP_INTERVAL_MS: "60000" } });
  });
  afterAll(async () => {
    clock.set(new Date());
    await gw?.stop();
  });

  it("restricts 15 days (day 15 restricted, day 16 free), then 30, then suspends until an admin lifts it", async () => {
    const room = await guardedRoom(gw, { priceFen: 10_000 });
    const regular = await secondProduct(gw, room, { crossBorder: false });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");
    const buyer = await buildUser(gw.database.db, "BUYER");
    const buyerToken = await gw.token(buyer.id, "BUYER");
    let key = 0;
    const order = async (points = 0, productId = room.productId) => {
      const placed = await gw.request(PlaceOrderDocument, { input: { liveSessionId: room.liveSessionId, productId, quantity: 1, points, idempotencyKey: `k${key++}` } }, buyerToken);
      return placed.data!.placeOrder.userErrors[0]?.code ?? "ACCEPTED";
    };
    // a sale below the floor at the shop's own price: the brand files above the list price for one order
    const violate = async () => {
      await fileAgreedPrice(gw, room.merchantToken, room.productId, "105.00");
      const outcome = await order();
      await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");
      return outcome;
    };
    // a restriction takes the bonded goods off the cart; once it ends they can be pinned again
    const repin = async () =>
      (await gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId } }, room.promoterToken)).data!.pinToCart.userErrors.map((e) => e.code);
    const restrictions = async () =>
      gw.database.db.select().from(priceGuardRestrictions).where(eq(priceGuardRestrictions.shopId, room.merchant.shop.id)).orderBy(priceGuardRestrictions.id);

    // step 1: 15 days
    const t0 = clock.now();
    expect(await violate()).toBe("ACCEPTED");
    expect((await restrictions()).map((r) => [r.penalty, r.step, r.endsAt?.getTime()])).toEqual([["RESTRICTED_15_DAYS", 1, t0.getTime() + 15 * DAY]]);
    clock.set(new Date(t0.getTime() + 15 * DAY - 1));
    expect(await order()).toBe("NOT_ON_CART");
    expect(await repin()).toEqual(["RESTRICTED"]);
    expect(await order(0, regular.productId)).toBe("ACCEPTED");
    clock.set(new Date(t0.getTime() + 15 * DAY));
    expect(await repin()).toEqual([]);
    expect(await order()).toBe("ACCEPTED");

    // step 2: 30 days
    const t1 = clock.now();
    expect(await violate()).toBe("ACCEPTED");
    expect((await restrictions()).at(-1)).toMatchObject({ penalty: "RESTRICTED_30_DAYS", step: 2, endsAt: new Date(t1.getTime() + 30 * DAY) });
    clock.set(new Date(t1.getTime() + 30 * DAY - 1));
    expect(await repin()).toEqual(["RESTRICTED"]);
    clock.set(new Date(t1.getTime() + 30 * DAY));
    expect(await repin()).toEqual([]);
    expect(await order()).toBe("ACCEPTED");

    // step 3: suspended until lifted
    expect(await violate()).toBe("ACCEPTED");
    expect((await restrictions()).at(-1)).toMatchObject({ penalty: "SUSPENDED", step: 3, endsAt: null });
    clock.advance(365 * DAY);
    expect(await repin()).toEqual(["RESTRICTED"]);

    const shown = await gw.request(ShopRestrictionsDocument, { id: room.shopId }, room.merchantToken);
    expect(shown.data!.shop!.restrictions.map((r) => [r.penalty, r.active])).toEqual([
      ["SUSPENDED", true],
      ["RESTRICTED_30_DAYS", false],
      ["RESTRICTED_15_DAYS", false],
    ]);
    expect((await gw.request(ShopRestrictionsDocument, { id: room.shopId, activeOnly: true }, room.merchantToken)).data!.shop!.restrictions).toHaveLength(1);
    const analyst = await buildUser(gw.database.db, "ANALYST");
    expect((await gw.request(ShopRestrictionsDocument, { id: room.shopId }, await gw.token(analyst.id, "ANALYST"))).data!.shop!.restrictions).toHaveLength(3);
    expect((await gw.request(ShopRestrictionsDocument, { id: room.shopId }, room.promoterToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(ShopRestrictionsDocument, { id: room.shopId }, null)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const suspension = shown.data!.shop!.restrictions[0]!.id;
    const admin = await buildUser(gw.database.db, "ADMIN");
    const adminToken = await gw.token(admin.id, "ADMIN");
    expect((await gw.request(LiftRestrictionDocument, { input: { restrictionId: suspension, reason: "appeal" } }, room.merchantToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(LiftRestrictionDocument, { input: { restrictionId: suspension, reason: " " } }, adminToken)).errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.reason" });
    const lifted = await gw.request(LiftRestrictionDocument, { input: { restrictionId: suspension, reason: "Brand and shop settled; prices restored" } }, adminToken);
    expect(lifted.data!.liftRestriction).toMatchObject({ restriction: { penalty: "SUSPENDED", active: false, liftReason: "Brand and shop settled; prices restored" }, userErrors: [] });
    expect((await gw.request(LiftRestrictionDocument, { input: { restrictionId: suspension, reason: "again" } }, adminToken)).data!.liftRestriction.userErrors.map((e) => e.code)).toEqual(["NOT_ACTIVE"]);
    expect((await gw.request(RestrictionNodeDocument, { id: suspension }, room.merchantToken)).data!.node).toMatchObject({ penalty: "SUSPENDED", active: false });
    expect(await repin()).toEqual([]);
    expect(await order()).toBe("ACCEPTED");

    // repeated violations suspend again
    expect(await violate()).toBe("ACCEPTED");
    expect((await restrictions()).at(-1)).toMatchObject({ penalty: "SUSPENDED", step: 4, endsAt: null });
    expect(await order()).toBe("NOT_ON_CART");
    expect(await repin()).toEqual(["RESTRICTED"]);
  }, 60_000);
});

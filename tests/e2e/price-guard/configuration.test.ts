import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMerchant, buildUser } from "../../support/builders.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateCouponDocument,
  CreateFlashSaleDocument,
  FileAgreedPriceDocument,
  LiveRoomPriceGuardDocument,
  LiveSessionDocument,
  PinToCartDocument,
  PriceGuardAlertsDocument,
  ProductAgreedPriceDocument,
  ProductAgreedPriceHistoryDocument,
} from "../../support/generated/graphql.js";
import { alertSubscribers, alertSubscribersReach, fileAgreedPrice, guardedRoom } from "../../support/price-guard.js";

describe.each(BACKENDS)("price guard at configuration time on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

  it("files agreed prices: the product's merchant or an admin, history kept, the newest applies", async () => {
    const room = await guardedRoom(gw);
    const first = await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");
    expect(first).toMatchObject({ agreedPrice: { amount: "90.00" }, unitsPerOrder: 1, gifts: [], product: { id: room.productId } });
    const admin = await buildUser(gw.database.db, "ADMIN");
    const adminToken = await gw.token(admin.id, "ADMIN");
    const byAdmin = await gw.request(FileAgreedPriceDocument, { input: { productId: room.productId, agreedPrice: "95.50", unitsPerOrder: 2, gifts: [" sample vial "] } }, adminToken);
    expect(byAdmin.data!.fileAgreedPrice.agreedPrice).toMatchObject({ agreedPrice: { amount: "95.50" }, unitsPerOrder: 2, gifts: ["sample vial"] });

    const current = await gw.request(ProductAgreedPriceDocument, { id: room.productId }, room.promoterToken);
    expect(current.data!.product!.agreedPrice).toMatchObject({ agreedPrice: { amount: "95.50" }, unitsPerOrder: 2 });
    const history = await gw.request(ProductAgreedPriceHistoryDocument, { id: room.productId }, room.merchantToken);
    expect(history.data!.product!.agreedPriceHistory.map((f) => f.agreedPrice.amount)).toEqual(["95.50", "90.00"]);
    expect((await gw.request(ProductAgreedPriceHistoryDocument, { id: room.productId }, room.promoterToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const buyer = await buildUser(gw.database.db, "BUYER");
    const buyerToken = await gw.token(buyer.id, "BUYER");
    expect((await gw.request(ProductAgreedPriceDocument, { id: room.productId }, buyerToken)).data!.product!.agreedPrice).toBeNull();
    expect((await gw.request(FileAgreedPriceDocument, { input: { productId: room.productId, agreedPrice: "1.00" } }, buyerToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const stranger = await buildMerchant(gw.database.db);
    const foreign = await gw.request(FileAgreedPriceDocument, { input: { productId: room.productId, agreedPrice: "1.00" } }, await gw.token(stranger.user.id, "MERCHANT"));
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const blankGift = await gw.request(FileAgreedPriceDocument, { input: { productId: room.productId, agreedPrice: "1.00", gifts: [""] } }, room.merchantToken);
    expect(blankGift.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.gifts.0" });
    const bad = await gw.request(FileAgreedPriceDocument, { input: { productId: room.productId, agreedPrice: "0", unitsPerOrder: 0, gifts: Array.from({ length: 21 }, (_, i) => `gift ${i}`) } }, room.merchantToken);
    expect(bad.data!.fileAgreedPrice.userErrors.map((e) => e.code).sort()).toEqual(["INVALID_GIFTS", "INVALID_PRICE", "INVALID_UNITS"]);
    expect((await gw.request(ProductAgreedPriceDocument, { id: room.productId }, room.merchantToken)).data!.product!.agreedPrice!.agreedPrice.amount).toBe("95.50");
  });

  it("a cart subsidy reaching exactly the floor is a WARNING, one fen under is BLOCKED (points stack up to 10%)", async () => {
    const room = await guardedRoom(gw, { priceFen: 10_000 });
    const baseline = alertSubscribers(gw);
    const alerts = collect(gw.ws(room.merchantToken), PriceGuardAlertsDocument, { shopId: room.shopId });
    const roomEvents = collect(gw.ws(null), LiveRoomPriceGuardDocument, { liveSessionId: room.liveSessionId });
    await alertSubscribersReach(gw, baseline + 1);
    await roomEvents.until(() => roomEvents.messages.length >= 1);
    const pin = (subsidy: string) => gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId, subsidy } }, room.promoterToken);

    // 100.00 − 10.00 points = 90.00: more than 5% above 80.00, no alert
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "80.00");
    expect((await pin("0.00")).data!.pinToCart.userErrors).toEqual([]);

    await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");
    expect((await pin("0.00")).data!.pinToCart.userErrors).toEqual([]);
    const refused = await pin("0.01");
    expect(refused.data!.pinToCart.cartItem).toBeNull();
    expect(refused.data!.pinToCart.userErrors).toHaveLength(1);
    expect(refused.data!.pinToCart.userErrors[0]).toMatchObject({ code: "PRICE_GUARD", field: ["subsidy"] });
    expect(refused.data!.pinToCart.userErrors[0]!.message).toContain("89.99");
    expect(refused.data!.pinToCart.userErrors[0]!.message).toContain("90.00");
    const session = await gw.request(LiveSessionDocument, { id: room.liveSessionId });
    expect(session.data!.liveSession!.cart[0]!.subsidy.amount).toBe("0.00");

    await alerts.until(() => alerts.messages.length >= 2);
    expect(alerts.messages.map((m) => m.data!.priceGuardAlerts)).toMatchObject([
      { level: "WARNING", offer: "CART_SUBSIDY", handPrice: { amount: "90.00" }, floor: { amount: "90.00" }, productId: room.productId, shopId: room.shopId, liveSessionId: room.liveSessionId, party: null, violationId: null },
      { level: "BLOCKED", offer: "CART_SUBSIDY", handPrice: { amount: "89.99" }, floor: { amount: "90.00" }, product: { id: room.productId } },
    ]);
    const inRoom = () => roomEvents.messages.map((m) => m.data!.liveSessionEvents).filter((e) => e.__typename === "PriceGuardAlert");
    await roomEvents.until(() => inRoom().length >= 2);
    expect(inRoom()).toMatchObject([
      { level: "WARNING", handPrice: { amount: "90.00" } },
      { level: "BLOCKED", handPrice: { amount: "89.99" }, floor: { amount: "90.00" } },
    ]);
    alerts.dispose();
    roomEvents.dispose();
  });

  it("checks a flash sale's price with the room's subsidy and the coupons that stack", async () => {
    const room = await guardedRoom(gw, { priceFen: 12_000, subsidy: "1.00" });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "80.00");
    const sale = (flashPrice: string) =>
      gw.request(
        CreateFlashSaleDocument,
        { input: { liveSessionId: room.liveSessionId, productId: room.productId, flashPrice, allocatedUnits: 5, perBuyerLimit: 1, endsAt: inAnHour() } },
        room.promoterToken,
      );
    // 90.00 − 1.00 subsidy − 9.00 points = 80.00: at the floor
    const atFloor = await sale("90.00");
    expect(atFloor.data!.createFlashSale.userErrors).toEqual([]);
    // 89.99 − 1.00 − 9.00 = 79.99
    const under = await sale("89.99");
    expect(under.data!.createFlashSale.userErrors.map((e) => [e.code, e.field])).toEqual([["PRICE_GUARD", ["flashPrice"]]]);
    expect(under.data!.createFlashSale.flashSale).toBeNull();
    const session = await gw.request(LiveSessionDocument, { id: room.liveSessionId });
    expect(session.data!.liveSession!.flashSales).toHaveLength(1);

    // a shop coupon of 3.00 now stacks on the running sale's 80.00: refused, and so is a bigger subsidy
    const coupon = await gw.request(
      CreateCouponDocument,
      { input: { productId: room.productId, code: `C${Date.now().toString(36)}${backend}`.slice(0, 32), amount: "3.00", validUntil: inAnHour(), totalQuantity: 10 } },
      room.merchantToken,
    );
    expect(coupon.data!.createCoupon.userErrors.map((e) => e.code)).toEqual(["PRICE_GUARD"]);
    const subsidy = await gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId, subsidy: "1.50" } }, room.promoterToken);
    expect(subsidy.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["PRICE_GUARD"]);
  });

  it("checks coupons against every room selling the product, stacking the best coupon of each issuer", async () => {
    const room = await guardedRoom(gw, { priceFen: 10_000, subsidy: "5.00" });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "80.00");
    const coupon = (amount: string, minSpend?: string) =>
      gw.request(
        CreateCouponDocument,
        { input: { productId: room.productId, code: `C${Math.random().toString(36).slice(2, 12)}`, amount, minSpend, validUntil: inAnHour(), totalQuantity: 10 } },
        room.merchantToken,
      );
    // 100.00 − 5.00 subsidy − 10.00 points − 5.00 = 80.00
    expect((await coupon("5.00")).data!.createCoupon.userErrors).toEqual([]);
    // a second shop coupon does not stack with the first: the best one counts, 6.00 reaches 79.00
    const refused = await coupon("6.00");
    expect(refused.data!.createCoupon.userErrors.map((e) => e.code)).toEqual(["PRICE_GUARD"]);
    expect(refused.data!.createCoupon.userErrors[0]!.message).toContain("79.00");
    // 20.00 off from 300.00: three units, (300 − 15 − 30 − 20) / 3 = 78.33
    expect((await coupon("20.00", "300.00")).data!.createCoupon.userErrors.map((e) => e.code)).toEqual(["PRICE_GUARD"]);
    // 15.00 off from 300.00: (300 − 15 − 30 − 15) / 3 = 80.00
    expect((await coupon("15.00", "300.00")).data!.createCoupon.userErrors).toEqual([]);
  });

  it("refuses alert subscriptions to anyone but the shop's merchant, the room's promoter and admins", async () => {
    const room = await guardedRoom(gw);
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");
    const refusedWith = async (token: string | null, variables: Record<string, unknown>) => {
      const sub = collect(gw.ws(token), PriceGuardAlertsDocument, variables);
      await sub.until(() => sub.completed || sub.error !== null);
      return sub.messages[0]?.errors?.[0]?.extensions?.code;
    };
    const buyer = await buildUser(gw.database.db, "BUYER");
    const otherMerchant = await buildMerchant(gw.database.db);
    const otherPromoter = await buildUser(gw.database.db, "PROMOTER");
    const analyst = await buildUser(gw.database.db, "ANALYST");
    expect(await refusedWith(null, { shopId: room.shopId })).toBe("UNAUTHENTICATED");
    expect(await refusedWith(await gw.token(buyer.id, "BUYER"), { shopId: room.shopId })).toBe("FORBIDDEN");
    expect(await refusedWith(await gw.token(buyer.id, "BUYER"), { liveSessionId: room.liveSessionId })).toBe("FORBIDDEN");
    expect(await refusedWith(await gw.token(otherMerchant.user.id, "MERCHANT"), { shopId: room.shopId })).toBe("FORBIDDEN");
    expect(await refusedWith(await gw.token(otherPromoter.id, "PROMOTER"), { liveSessionId: room.liveSessionId })).toBe("FORBIDDEN");
    expect(await refusedWith(room.promoterToken, { shopId: room.shopId })).toBe("FORBIDDEN");
    expect(await refusedWith(await gw.token(analyst.id, "ANALYST"), { liveSessionId: room.liveSessionId })).toBe("FORBIDDEN");
    expect(await refusedWith(room.merchantToken, {})).toBe("BAD_USER_INPUT");

    const admin = await buildUser(gw.database.db, "ADMIN");
    const baseline = alertSubscribers(gw);
    const everything = collect(gw.ws(await gw.token(admin.id, "ADMIN")), PriceGuardAlertsDocument, {});
    const overlay = collect(gw.ws(room.promoterToken), PriceGuardAlertsDocument, { liveSessionId: room.liveSessionId });
    // the merchant watching its shop within a room it does not run sees its own shop's alerts there
    const merchantInRoom = collect(gw.ws(room.merchantToken), PriceGuardAlertsDocument, { shopId: room.shopId, liveSessionId: room.liveSessionId });
    await alertSubscribersReach(gw, baseline + 3);
    await gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId, subsidy: "0.01" } }, room.promoterToken);
    for (const sub of [everything, overlay, merchantInRoom]) {
      await sub.until(() => sub.messages.some((m) => m.data?.priceGuardAlerts.productId === room.productId));
      expect(sub.messages.find((m) => m.data?.priceGuardAlerts.productId === room.productId)!.data!.priceGuardAlerts.level).toBe("BLOCKED");
      sub.dispose();
    }
  });
});

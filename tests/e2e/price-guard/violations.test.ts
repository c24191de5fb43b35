import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { transaction } from "../../../src/db/transaction.js";
import { flashSales, orders, priceGuardAttempts, priceGuardRestrictions, priceGuardViolations } from "../../../src/db/schema/index.js";
import { idOf, toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildUser } from "../../support/builders.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateFlashSaleDocument,
  FlashSaleDocument,
  LiveRoomPriceGuardDocument,
  PinToCartDocument,
  PlaceOrderDocument,
  PriceGuardAlertsDocument,
  PriceGuardViolationsDocument,
} from "../../support/generated/graphql.js";
import { alertSubscribers, alertSubscribersReach, fileAgreedPrice, guardedRoom, secondProduct } from "../../support/price-guard.js";
import { givePromoterShop } from "../../support/promoter-shop.js";

type Room = Awaited<ReturnType<typeof guardedRoom>>;

describe.each(BACKENDS)("price guard at sale time on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  const buyer = async () => {
    const user = await buildUser(gw.database.db, "BUYER");
    return { user, token: await gw.token(user.id, "BUYER") };
  };
  const buyFromCart = async (room: Room, token: string, input: { quantity?: number; points?: number; key: string; productId?: string }) =>
    (
      await gw.request(
        PlaceOrderDocument,
        { input: { liveSessionId: room.liveSessionId, productId: input.productId ?? room.productId, quantity: input.quantity ?? 1, points: input.points, idempotencyKey: input.key } },
        token,
      )
    ).data!.placeOrder;
  const violationsOf = (productId: number) =>
    gw.database.db.select().from(priceGuardViolations).where(eq(priceGuardViolations.productId, productId));

  const attemptsOf = (productId: number) => gw.database.db.select().from(priceGuardAttempts).where(eq(priceGuardAttempts.productId, productId));

  it("a buyer's points taking the hand price below the floor: the order is refused and logged as an attempt; nobody is penalised", async () => {
    // pinned before the brand filed: 100.00 less 10.00 of points is 90.00, below the 95.00 filed afterwards
    const room = await guardedRoom(gw, { priceFen: 10_000 });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "95.00");
    const b = await buyer();
    const refused = await buyFromCart(room, b.token, { points: 1_000, key: "below" });
    expect(refused.order).toBeNull();
    expect(refused.userErrors.map((e) => e.code)).toEqual(["PRICE_GUARD"]);
    expect(refused.userErrors[0]!.message).toContain("90.00");
    expect(refused.userErrors[0]!.message).toContain("95.00");
    expect(await gw.database.db.select().from(orders).where(eq(orders.buyerId, b.user.id))).toEqual([]);
    expect(await attemptsOf(room.product.id)).toEqual([
      expect.objectContaining({ reason: "POINTS_BELOW_FLOOR", productShopId: room.merchant.shop.id, quantity: 1, pointsFen: 1_000, handPriceFen: 9_000, floorFen: 9_500 }),
    ]);
    expect(await violationsOf(room.product.id)).toEqual([]);
    expect(await gw.database.db.select().from(priceGuardRestrictions).where(eq(priceGuardRestrictions.shopId, room.merchant.shop.id))).toEqual([]);
    // the shop keeps selling its cross-border goods
    const lawful = await buyFromCart(room, b.token, { key: "lawful" });
    expect(lawful.userErrors).toEqual([]);
    expect(lawful.order).toMatchObject({ handPrice: { amount: "100.00" } });
  });

  it("a committed sale below the floor at the merchant's own price is the violation: recorded with the sale, restricted, alerted after commit; the goods leave the rooms", async () => {
    // the brand files 105.00 for goods the shop lists at 100.00: the shop's own price part breaks it
    const room = await guardedRoom(gw, { priceFen: 10_000 });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "105.00");
    const baseline = alertSubscribers(gw);
    const alerts = collect(gw.ws(room.merchantToken), PriceGuardAlertsDocument, { shopId: room.shopId });
    const roomEvents = collect(gw.ws(null), LiveRoomPriceGuardDocument, { liveSessionId: room.liveSessionId });
    await alertSubscribersReach(gw, baseline + 1);
    await roomEvents.until(() => roomEvents.messages.length >= 1);

    const b = await buyer();
    const sold = await buyFromCart(room, b.token, { key: "sold" });
    expect(sold.userErrors).toEqual([]);
    expect(sold.order).toMatchObject({ handPrice: { amount: "100.00" } });
    const [order] = await gw.database.db.select().from(orders).where(eq(orders.buyerId, b.user.id));
    const [violation] = await violationsOf(room.product.id);
    expect(violation).toMatchObject({ kind: "BELOW_FLOOR", party: "MERCHANT", shopId: room.merchant.shop.id, handPriceFen: 10_000, floorFen: 10_500, quantity: 1 });
    expect(order!.createdAt.getTime()).toBe(violation!.occurredAt.getTime());
    expect(violation!.alertedAt).not.toBeNull();
    const [restriction] = await gw.database.db.select().from(priceGuardRestrictions).where(eq(priceGuardRestrictions.id, violation!.restrictionId!));
    expect(restriction).toMatchObject({ shopId: room.merchant.shop.id, penalty: "RESTRICTED_15_DAYS", step: 1 });
    expect(await attemptsOf(room.product.id)).toEqual([]);

    await alerts.until(() => alerts.messages.length >= 1);
    expect(alerts.messages[0]!.data!.priceGuardAlerts).toMatchObject({
      level: "VIOLATION",
      offer: "ORDER",
      party: "MERCHANT",
      penalty: "RESTRICTED_15_DAYS",
      violatingShopId: room.shopId,
      violationId: toGlobalId("PriceGuardViolation", violation!.id),
      handPrice: { amount: "100.00" },
      floor: { amount: "105.00" },
    });
    // the restriction took the cross-border goods off the room's cart in the announcing transaction
    await roomEvents.until(() => roomEvents.messages.some((m) => m.data!.liveSessionEvents.__typename === "CartItemUnpinned"));
    const events = roomEvents.messages.map((m) => m.data!.liveSessionEvents);
    expect(events.find((e) => e.__typename === "PriceGuardAlert")).toMatchObject({ level: "VIOLATION", party: "MERCHANT" });
    expect(events.find((e) => e.__typename === "CartItemUnpinned")).toMatchObject({ productId: room.productId });
    expect((await buyFromCart(room, b.token, { key: "after" })).userErrors.map((e) => e.code)).toEqual(["NOT_ON_CART"]);
    const repin = await gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId: room.productId } }, room.promoterToken);
    expect(repin.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["RESTRICTED"]);
    expect(await violationsOf(room.product.id)).toHaveLength(1);
    alerts.dispose();
    roomEvents.dispose();
  });

  it("records a flash-sale violation with the sale, in the batch transaction, against the promoter who set the flash price", async () => {
    const room = await guardedRoom(gw, { priceFen: 12_000 });
    const promoterShop = await givePromoterShop(gw.database.db, room.promoter.id);
    const created = await gw.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId: room.liveSessionId, productId: room.productId, flashPrice: "90.00", allocatedUnits: 10, perBuyerLimit: 2, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
      room.promoterToken,
    );
    const flashSaleId = created.data!.createFlashSale.flashSale!.id;
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "95.00");

    const buyers = await Promise.all([buyer(), buyer(), buyer()]);
    const results = await Promise.all(
      buyers.map((b) => gw.request(PlaceOrderDocument, { input: { flashSaleId, quantity: 1, idempotencyKey: "fs" } }, b.token)),
    );
    // the first order sold breaks the floor; the restriction it triggers stops the sale for the rest of the batch and after it
    const codes = results.map((r): string => r.data!.placeOrder.userErrors[0]?.code ?? "ACCEPTED");
    expect(codes.filter((c) => c === "ACCEPTED")).toHaveLength(1);
    expect(codes.filter((c) => c !== "ACCEPTED").every((c) => c === "RESTRICTED" || c === "ENDED")).toBe(true);
    const violations = await violationsOf(room.product.id);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      party: "PROMOTER",
      promoterId: room.promoter.id,
      shopId: promoterShop.attributedShopId,
      flashSaleId: idOf("FlashSale", flashSaleId),
      handPriceFen: 9_000,
    });
    const [restriction] = await gw.database.db.select().from(priceGuardRestrictions).where(eq(priceGuardRestrictions.id, violations[0]!.restrictionId!));
    expect(restriction).toMatchObject({ promoterId: room.promoter.id, shopId: promoterShop.attributedShopId, penalty: "RESTRICTED_15_DAYS" });

    const [sale] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, idOf("FlashSale", flashSaleId)));
    const accepted = codes.filter((c) => c === "ACCEPTED").length;
    expect(sale!.soldUnits).toBe(accepted);
    const buyerOf = buyers[codes.indexOf("ACCEPTED")]!;
    expect(await gw.database.db.select().from(orders).where(eq(orders.buyerId, buyerOf.user.id))).toEqual([expect.objectContaining({ flashSaleId: idOf("FlashSale", flashSaleId), handPriceFen: 9_000 })]);
    // the restriction ended the promoter's running flash sale of cross-border goods, and gave the units back
    const ended = await gw.request(FlashSaleDocument, { id: flashSaleId });
    expect(ended.data!.flashSale).toMatchObject({ status: "ENDED", soldUnits: accepted, returnedUnits: 10 - accepted });
    expect(sale).toMatchObject({ status: "ENDED", endReason: "RESTRICTED" });
  });

  it("refuses an order off the filed spec without holding the buyer's choice against a shop; a restricted shop's regular goods keep selling", async () => {
    const room = await guardedRoom(gw, { priceFen: 6_000, crossBorder: false });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "50.00", 2);
    const b = await buyer();
    const split = await buyFromCart(room, b.token, { quantity: 3, key: "three" });
    expect(split.userErrors.map((e) => e.code)).toEqual(["SPEC_MISMATCH"]);
    // the quantity is the buyer's, not a price part any shop set: refused, but no violation and no restriction
    expect(await violationsOf(room.product.id)).toEqual([]);
    expect(await gw.database.db.select().from(priceGuardRestrictions).where(eq(priceGuardRestrictions.shopId, room.merchant.shop.id))).toEqual([]);
    expect((await attemptsOf(room.product.id)).map((a) => [a.reason, a.quantity])).toEqual([["SPEC_MISMATCH", 3]]);

    const now = new Date();
    await gw.database.db
      .insert(priceGuardRestrictions)
      .values({ shopId: room.merchant.shop.id, penalty: "RESTRICTED_15_DAYS", step: 1, startsAt: now, endsAt: new Date(now.getTime() + 15 * 86_400_000) });
    const twin = await buyFromCart(room, b.token, { quantity: 2, key: "two" });
    expect(twin.userErrors).toEqual([]);
    expect(twin.order).toMatchObject({ quantity: 2, handPrice: { amount: "60.00" } });
    const four = await buyFromCart(room, b.token, { quantity: 4, key: "four" });
    expect(four.order?.quantity).toBe(4);
  });

  it("lists violations to admins, analysts and the merchants concerned, without a query per row", async () => {
    const room = await guardedRoom(gw, { priceFen: 10_000, crossBorder: false });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "105.00");
    const b = await buyer();
    // regular goods keep selling under a restriction: each sale below the floor is one more violation
    for (let i = 0; i < 2; i++) expect((await buyFromCart(room, b.token, { key: `v${i}` })).userErrors).toEqual([]);
    const analyst = await buildUser(gw.database.db, "ANALYST");
    const analystToken = await gw.token(analyst.id, "ANALYST");
    const listed = async (token: string, variables: Record<string, unknown> = { shopId: room.shopId }) => gw.request(PriceGuardViolationsDocument, { first: 10, ...variables }, token);

    await listed(analystToken); // the viewer's role is read once, then cached by the process
    const seen = await listed(analystToken);
    const statementsForTwo = seen.statements.length;
    const nodes = seen.data!.priceGuardViolations.edges.map((e) => e.node);
    expect(nodes).toHaveLength(2);
    expect(nodes[0]).toMatchObject({ kind: "BELOW_FLOOR", party: "MERCHANT", shop: { id: room.shopId }, product: { id: room.productId }, liveSession: { id: room.liveSessionId }, flashSale: null });
    // the first one restricted the shop; the second, while it was restricted, did not step the ladder up
    expect(nodes[1]!.restriction).toMatchObject({ penalty: "RESTRICTED_15_DAYS", step: 1, active: true });
    expect(nodes[0]!.restriction).toBeNull();

    for (let i = 2; i < 6; i++) await buyFromCart(room, b.token, { key: `v${i}` });
    const six = await listed(analystToken);
    expect(six.data!.priceGuardViolations.edges).toHaveLength(6);
    expect(six.statements.length).toBe(statementsForTwo);

    expect((await listed(room.merchantToken, {})).data!.priceGuardViolations.edges.length).toBeGreaterThanOrEqual(6);
    const other = await buildMerchant(gw.database.db);
    expect((await listed(await gw.token(other.user.id, "MERCHANT"))).data!.priceGuardViolations.edges).toEqual([]);
    expect((await listed(b.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const page = await gw.request(PriceGuardViolationsDocument, { first: 4, shopId: room.shopId }, analystToken);
    const rest = await gw.request(PriceGuardViolationsDocument, { first: 4, shopId: room.shopId, after: page.data!.priceGuardViolations.pageInfo.endCursor }, analystToken);
    expect(page.data!.priceGuardViolations.pageInfo.hasNextPage).toBe(true);
    expect(rest.data!.priceGuardViolations.edges).toHaveLength(2);
    const rows = await gw.database.db.select().from(priceGuardViolations).where(eq(priceGuardViolations.productId, room.product.id));
    expect(rows.every((r) => r.alertedAt !== null)).toBe(true);
  });
});

// On PGlite the database is this gateway's alone: no other test's gateway can announce the violation first.
describe("price guard outbox on pglite", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite");
  });
  afterAll(() => gw?.stop());

  it("announces at start the violations a stopped process committed but never announced", async () => {
    const room = await guardedRoom(gw, { priceFen: 10_000 });
    const bonded = await secondProduct(gw, room, { crossBorder: true });
    const sale = await gw.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId: room.liveSessionId, productId: bonded.productId, flashPrice: "90.00", allocatedUnits: 5, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
      room.promoterToken,
    );
    const flashSaleId = sale.data!.createFlashSale.flashSale!.id;
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "95.00");
    const guard = gw.services.priceGuard;
    // the process "dies" between the commit and the announcement
    const announce = vi.spyOn(guard.outbox, "announceCommitted").mockResolvedValue(0);
    const refusal = await transaction(gw.database.db, (tx) =>
      guard.checks.checkOrder(
        tx,
        {
          productId: room.product.id,
          shopId: room.merchant.shop.id,
          promoterId: room.promoter.id,
          promoterShopId: null,
          directSale: false,
          liveSessionId: idOf("LiveSession", room.liveSessionId),
          flashSaleId: null,
          quantity: 1,
          unitPriceFen: 9_000,
          listPriceFen: 9_000,
          shopCouponFen: 0,
          promoterCouponFen: 0,
          pointsFen: 0,
          subsidyPerUnitFen: 0,
          handPriceFen: 9_000,
        },
        new Date(),
      ),
    );
    announce.mockRestore();
    expect(refusal).toBeNull();
    expect((await gw.database.db.select().from(priceGuardViolations).where(eq(priceGuardViolations.productId, room.product.id)))[0]!.alertedAt).toBeNull();
    expect((await gw.request(FlashSaleDocument, { id: flashSaleId })).data!.flashSale!.status).toBe("RUNNING");
    expect(await guard.recover()).toBe(1);
    expect((await gw.database.db.select().from(priceGuardViolations).where(eq(priceGuardViolations.productId, room.product.id)))[0]!.alertedAt).not.toBeNull();
    expect((await gw.request(FlashSaleDocument, { id: flashSaleId })).data!.flashSale!.status).toBe("ENDED");
    expect(await guard.recover()).toBe(0);
  });
});

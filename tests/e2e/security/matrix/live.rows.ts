import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { cartItems, coupons, flashSales, liveSessions, orders, products } from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildFlashOrder, buildLiveRoom } from "../../../support/live-builders.js";
import { buildMerchant, buildProduct, buildUser } from "../../../support/builders.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";

/** Only the session's own promoter runs its room. */
const sessionPromoterOnly = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed" });
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

export const liveRows: MatrixRow[] = [
  {
    covers: "Mutation.startLiveSession",
    document: `mutation MatrixStart($input: StartLiveSessionInput!) { startLiveSession(input: $input) { liveSession { id } userErrors { code } } }`,
    async setup(db) {
      const promoter = await buildUser(db, "PROMOTER");
      const title = `matrix-${Math.random().toString(36).slice(2)}`;
      return {
        owner: { id: promoter.id, role: "PROMOTER" },
        variables: { input: { title } },
        snapshot: () => db.select().from(liveSessions).where(eq(liveSessions.title, title)),
      };
    },
    // Any promoter may go live, and any merchant (streaming its own shop's goods); nobody else.
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", PROMOTER: "allowed", MERCHANT: "allowed" }),
  },
  {
    covers: "Mutation.endLiveSession",
    document: `mutation MatrixEnd($id: ID!) { endLiveSession(id: $id) { liveSession { status } userErrors { code } } }`,
    async setup(db) {
      const room = await buildLiveRoom(db, { flashSale: true });
      return {
        owner: { id: room.promoter.id, role: "PROMOTER" },
        variables: { id: toGlobalId("LiveSession", room.session.id) },
        snapshot: async () => [
          await db.select().from(liveSessions).where(eq(liveSessions.id, room.session.id)),
          await db.select().from(flashSales).where(eq(flashSales.liveSessionId, room.session.id)),
        ],
      };
    },
    expect: sessionPromoterOnly,
    allowed: (data) => expect(data.endLiveSession.liveSession.status).toBe("ENDED"),
  },
  {
    covers: "Mutation.pinToCart",
    document: `mutation MatrixPin($input: PinToCartInput!) { pinToCart(input: $input) { cartItem { id } userErrors { code } } }`,
    async setup(db) {
      const room = await buildLiveRoom(db);
      const other = await buildProduct(db, room.merchant.shop.id);
      const { putOnShelf } = await import("../../../support/shelf.js");
      await putOnShelf(db, room.promoter.id, other.id);
      return {
        owner: { id: room.promoter.id, role: "PROMOTER" },
        variables: { input: { liveSessionId: toGlobalId("LiveSession", room.session.id), productId: toGlobalId("Product", other.id), subsidy: "1.00" } },
        snapshot: () => db.select().from(cartItems).where(eq(cartItems.liveSessionId, room.session.id)),
      };
    },
    expect: sessionPromoterOnly,
  },
  {
    covers: "Mutation.unpinFromCart",
    document: `mutation MatrixUnpin($input: UnpinFromCartInput!) { unpinFromCart(input: $input) { cartItem { id } userErrors { code } } }`,
    async setup(db) {
      const room = await buildLiveRoom(db);
      return {
        owner: { id: room.promoter.id, role: "PROMOTER" },
        variables: { input: { liveSessionId: toGlobalId("LiveSession", room.session.id), productId: toGlobalId("Product", room.product.id) } },
        snapshot: () => db.select().from(cartItems).where(eq(cartItems.liveSessionId, room.session.id)),
      };
    },
    expect: sessionPromoterOnly,
  },
  {
    covers: "Mutation.createFlashSale",
    document: `mutation MatrixFlashSale($input: CreateFlashSaleInput!) { createFlashSale(input: $input) { flashSale { id } userErrors { code } } }`,
    async setup(db) {
      const room = await buildLiveRoom(db);
      return {
        owner: { id: room.promoter.id, role: "PROMOTER" },
        variables: {
          input: {
            liveSessionId: toGlobalId("LiveSession", room.session.id),
            productId: toGlobalId("Product", room.product.id),
            flashPrice: "19.90",
            allocatedUnits: 5,
            perBuyerLimit: 1,
            endsAt: inAnHour(),
          },
        },
        snapshot: async () => [
          await db.select().from(flashSales).where(eq(flashSales.liveSessionId, room.session.id)),
          await db.select({ stock: products.stock }).from(products).where(eq(products.id, room.product.id)),
        ],
      };
    },
    expect: sessionPromoterOnly,
  },
  {
    covers: "Mutation.placeOrder",
    document: `mutation MatrixOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code } } }`,
    async setup(db) {
      const room = await buildLiveRoom(db, { flashSale: true });
      const buyer = await buildUser(db, "BUYER");
      return {
        owner: { id: buyer.id, role: "BUYER" },
        variables: { input: { flashSaleId: toGlobalId("FlashSale", room.sale!.id), quantity: 1, idempotencyKey: "matrix" } },
        snapshot: async () => [
          await db.select().from(orders).where(eq(orders.flashSaleId, room.sale!.id)),
          await db.select({ sold: flashSales.soldUnits }).from(flashSales).where(eq(flashSales.id, room.sale!.id)),
        ],
      };
    },
    // Buyers buy; every buyer is entitled to.
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", BUYER: "allowed" }),
  },
  {
    covers: "Mutation.createCoupon",
    document: `mutation MatrixCoupon($input: CreateCouponInput!) { createCoupon(input: $input) { coupon { code } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      const product = await buildProduct(db, shop.id, { priceFen: 10_000 });
      const code = `M${Math.random().toString(36).slice(2, 12)}`;
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { productId: toGlobalId("Product", product.id), code, amount: "1.00", validUntil: inAnHour(), totalQuantity: 10 } },
        snapshot: () => db.select().from(coupons).where(and(eq(coupons.productId, product.id), eq(coupons.code, code))),
      };
    },
    // The product's merchant, or a promoter promoting it (it is on no promoter's shelf here).
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed" }),
  },
  {
    covers: "Node:LiveSession",
    document: NODE_QUERY,
    async setup(db) {
      const room = await buildLiveRoom(db);
      return { owner: { id: room.promoter.id, role: "PROMOTER" }, variables: { id: toGlobalId("LiveSession", room.session.id) } };
    },
    expect: outcomes("allowed"),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "LiveSession", id: f.variables.id }),
  },
  {
    covers: "Node:FlashSale",
    document: NODE_QUERY,
    async setup(db) {
      const room = await buildLiveRoom(db, { flashSale: true });
      return { owner: { id: room.promoter.id, role: "PROMOTER" }, variables: { id: toGlobalId("FlashSale", room.sale!.id) } };
    },
    expect: outcomes("allowed"),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "FlashSale", id: f.variables.id }),
  },
  {
    // An order is visible to its buyer, its shop's merchant, its promoter, and staff.
    covers: "Node:Order",
    document: NODE_QUERY,
    async setup(db) {
      const room = await buildLiveRoom(db, { flashSale: true });
      const { buyer, order } = await buildFlashOrder(db, room);
      return { owner: { id: buyer.id, role: "BUYER" }, variables: { id: toGlobalId("Order", order.id) } };
    },
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed", ANALYST: "allowed" }),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "Order", id: f.variables.id }),
  },
];

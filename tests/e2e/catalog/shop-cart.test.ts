import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cartItems, flashSales, products, shops } from "../../../src/db/schema/index.js";
import { idOf, toGlobalId } from "../../../src/shared/ids.js";
import { buildApprovedMerchant, buildPlan } from "../../support/alliance-builders.js";
import { buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateFlashSaleDocument,
  LiveRoomPriceGuardDocument,
  PinToCartDocument,
  SelectionCenterDocument,
  SetShopCartDocument,
  StartLiveSessionDocument,
} from "../../support/generated/graphql.js";
import { putOnShelf } from "../../support/shelf.js";

/** R17: a shop that loses the cart leaves every live room and the selection center, in one transaction. */
describe.each(BACKENDS)("a shop losing the cart on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  /** A shop's alliance product pinned in two promoters' rooms, with a running flash sale in the first. */
  async function shopInTwoRooms() {
    const db = gw.database.db;
    const merchant = await buildApprovedMerchant(db);
    const category = `test/cart-${merchant.shop.id}`;
    const product = await buildProduct(db, merchant.shop.id, { priceFen: 10_000, stock: 100, category });
    await buildPlan(db, { shopId: merchant.shop.id, productId: product.id, kind: "GENERAL", rateBps: 1_500 });
    const productId = toGlobalId("Product", product.id);
    const rooms = [];
    for (const title of ["Room one", "Room two"]) {
      const promoter = await buildUser(db, "PROMOTER");
      await putOnShelf(db, promoter.id, product.id);
      const token = await gw.token(promoter.id, "PROMOTER");
      const liveSessionId = (await gw.request(StartLiveSessionDocument, { input: { title } }, token)).data!.startLiveSession.liveSession!.id;
      expect((await gw.request(PinToCartDocument, { input: { liveSessionId, productId } }, token)).data!.pinToCart.userErrors).toEqual([]);
      rooms.push({ promoter, token, liveSessionId });
    }
    const sale = await gw.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId: rooms[0]!.liveSessionId, productId, flashPrice: "80.00", allocatedUnits: 10, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
      rooms[0]!.token,
    );
    expect(sale.data!.createFlashSale.userErrors).toEqual([]);
    const admin = await buildUser(db, "ADMIN");
    return { merchant, product, productId, category, rooms, saleId: idOf("FlashSale", sale.data!.createFlashSale.flashSale!.id), adminToken: await gw.token(admin.id, "ADMIN") };
  }
  type Shop = Awaited<ReturnType<typeof shopInTwoRooms>>;

  const state = async (s: Shop) => {
    const db = gw.database.db;
    const [shop] = await db.select().from(shops).where(eq(shops.id, s.merchant.shop.id));
    const [sale] = await db.select().from(flashSales).where(eq(flashSales.id, s.saleId));
    const [product] = await db.select().from(products).where(eq(products.id, s.product.id));
    const pins = await db.select().from(cartItems).where(and(eq(cartItems.productId, s.product.id), isNull(cartItems.unpinnedAt)));
    return { status: shop!.status, sale: [sale!.status, sale!.endReason, sale!.returnedUnits], stock: product!.stock, pins: pins.length };
  };
  const selection = async (s: Shop) =>
    (await gw.request(SelectionCenterDocument, { first: 5, filter: { category: s.category } }, s.rooms[1]!.token)).data!.selectionCenter.edges.map((e) => e.node.product.id);
  const setCart = (s: Shop, enabled: boolean) =>
    gw.request(SetShopCartDocument, { input: { shopId: toGlobalId("Shop", s.merchant.shop.id), enabled, reason: "after-sales credit at zero" } }, s.adminToken);

  it("ends its running sales (units back to stock), removes its pins in every room and takes it out of the selection center; subscribers see ENDED and unpinned", async () => {
    const s = await shopInTwoRooms();
    const events = s.rooms.map((r) => collect(gw.ws(null), LiveRoomPriceGuardDocument, { liveSessionId: r.liveSessionId }));
    for (const e of events) await e.until(() => e.messages.length >= 1);
    expect(await state(s)).toEqual({ status: "NORMAL", sale: ["RUNNING", null, 0], stock: 90, pins: 2 });
    expect(await selection(s)).toEqual([s.productId]);

    const lost = (await setCart(s, false)).data!.setShopCart;
    expect(lost).toMatchObject({ shop: { status: "CART_DISABLED" }, userErrors: [] });
    expect(await state(s)).toEqual({ status: "CART_DISABLED", sale: ["ENDED", "CART_DISABLED", 10], stock: 100, pins: 0 });
    expect(await selection(s)).toEqual([]);
    const kinds = (i: number) => events[i]!.messages.map((m) => m.data!.liveSessionEvents.__typename);
    await events[0]!.until(() => kinds(0).includes("CartItemUnpinned") && kinds(0).includes("FlashSaleEnded"));
    await events[1]!.until(() => kinds(1).includes("CartItemUnpinned"));
    expect(events[0]!.messages.map((m) => m.data!.liveSessionEvents).find((e) => e.__typename === "FlashSaleEnded")).toMatchObject({ reason: "CART_DISABLED" });
    const repin = await gw.request(PinToCartDocument, { input: { liveSessionId: s.rooms[1]!.liveSessionId, productId: s.productId } }, s.rooms[1]!.token);
    expect(repin.data!.pinToCart.userErrors.map((e) => e.code)).toEqual(["SHOP_CANNOT_SELL"]);

    expect((await setCart(s, true)).data!.setShopCart.userErrors).toEqual([]);
    expect(await selection(s)).toEqual([s.productId]);
    for (const e of events) e.dispose();
  });

  it("is one transaction: if withdrawing fails after the sale ended, the shop keeps its cart, its sale and its pins", async () => {
    const s = await shopInTwoRooms();
    const original = gw.services.flashSales.endSalesWhere.bind(gw.services.flashSales);
    // the sale has ended (in the transaction) when the failure strikes
    const spy = vi.spyOn(gw.services.flashSales, "endSalesWhere").mockImplementationOnce(async (...args) => {
      expect(await original(...args)).toBe(1);
      throw new Error("injected failure while withdrawing");
    });
    const failed = await setCart(s, false);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(failed.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(await state(s)).toEqual({ status: "NORMAL", sale: ["RUNNING", null, 0], stock: 90, pins: 2 });
    spy.mockRestore();
  });
});

import { expect } from "vitest";
import { toGlobalId } from "../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "./builders.js";
import type { TestGateway } from "./gateway.js";
import { FileAgreedPriceDocument, PinToCartDocument, StartLiveSessionDocument } from "./generated/graphql.js";
import { putOnShelf } from "./shelf.js";

export const BONDED = "Ningbo Meishan Bonded Port";

/** A merchant's shop (cross-border by default) with a product, and a promoter live with the product pinned (through the API). */
export async function guardedRoom(gw: TestGateway, options: { priceFen?: number; crossBorder?: boolean; subsidy?: string; stock?: number } = {}) {
  const db = gw.database.db;
  const crossBorder = options.crossBorder ?? true;
  const merchant = await buildMerchant(db, crossBorder ? { kind: "CROSS_BORDER", bondedWarehouse: BONDED } : {});
  const product = await buildProduct(db, merchant.shop.id, {
    priceFen: options.priceFen ?? 10_000,
    stock: options.stock ?? 1_000,
    ...(crossBorder && { crossBorder: true, bondedWarehouse: BONDED }),
  });
  const promoter = await buildUser(db, "PROMOTER");
  await putOnShelf(db, promoter.id, product.id);
  const promoterToken = await gw.token(promoter.id, "PROMOTER");
  const merchantToken = await gw.token(merchant.user.id, "MERCHANT");
  const started = await gw.request(StartLiveSessionDocument, { input: { title: "Bonded goods night" } }, promoterToken);
  const liveSessionId = started.data!.startLiveSession.liveSession!.id;
  const productId = toGlobalId("Product", product.id);
  const shopId = toGlobalId("Shop", merchant.shop.id);
  const pinned = await gw.request(PinToCartDocument, { input: { liveSessionId, productId, subsidy: options.subsidy } }, promoterToken);
  expect(pinned.data!.pinToCart.userErrors).toEqual([]);
  return { merchant, merchantToken, shopId, product, productId, promoter, promoterToken, liveSessionId };
}

/** Another product of the same shop, pinned in the same room. */
export async function secondProduct(gw: TestGateway, room: Awaited<ReturnType<typeof guardedRoom>>, options: { crossBorder: boolean; priceFen?: number }) {
  const product = await buildProduct(gw.database.db, room.merchant.shop.id, {
    priceFen: options.priceFen ?? 10_000,
    stock: 1_000,
    ...(options.crossBorder && { crossBorder: true, bondedWarehouse: BONDED }),
  });
  await putOnShelf(gw.database.db, room.promoter.id, product.id);
  const productId = toGlobalId("Product", product.id);
  const pinned = await gw.request(PinToCartDocument, { input: { liveSessionId: room.liveSessionId, productId } }, room.promoterToken);
  expect(pinned.data!.pinToCart.userErrors).toEqual([]);
  return { product, productId };
}

export async function fileAgreedPrice(gw: TestGateway, token: string, productId: string, agreedPrice: string, unitsPerOrder?: number) {
  const filed = await gw.request(FileAgreedPriceDocument, { input: { productId, agreedPrice, unitsPerOrder } }, token);
  expect(filed.errors).toBeUndefined();
  expect(filed.data!.fileAgreedPrice.userErrors).toEqual([]);
  return filed.data!.fileAgreedPrice.agreedPrice!;
}

export async function eventually(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Price-guard alert subscriptions in place on the gateway (their bus subscription made). */
export const alertSubscribers = (gw: TestGateway): number => gw.busSubscriptions("priceGuardAlert");

/** Waits until `count` price-guard alert subscriptions are in place on the gateway. */
export async function alertSubscribersReach(gw: TestGateway, count: number): Promise<void> {
  await eventually(() => alertSubscribers(gw) >= count, `${count} price-guard alert subscribers`);
}

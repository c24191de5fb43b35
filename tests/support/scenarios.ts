import { expect } from "vitest";
import { buildMerchant, buildProduct, buildUser } from "./builders.js";
import type { TestGateway } from "./gateway.js";
import { CreateFlashSaleDocument, PinToCartDocument, StartLiveSessionDocument } from "./generated/graphql.js";
import { toGlobalId } from "../../src/shared/ids.js";
import { putOnShelf } from "./shelf.js";

export interface LiveSaleOptions {
  units?: number;
  limit?: number;
  stock?: number;
  priceFen?: number;
  flashPrice?: string;
  subsidy?: string;
  startsAt?: Date;
  endsAt?: Date;
  productTitle?: string;
  sessionTitle?: string;
  shop?: Parameters<typeof buildMerchant>[0] extends never ? never : Record<string, unknown>;
}

/** A merchant's product on a promoter's shelf, pinned to a live session's cart, with a flash sale on it (through the API). */
export async function liveSale(gw: TestGateway, options: LiveSaleOptions = {}) {
  const db = gw.database.db;
  const merchant = await buildMerchant(db, options.shop as never);
  const product = await buildProduct(db, merchant.shop.id, {
    stock: options.stock ?? 1000,
    priceFen: options.priceFen ?? 10_000,
    ...(options.productTitle && { title: options.productTitle }),
  });
  const promoter = await buildUser(db, "PROMOTER");
  await putOnShelf(db, promoter.id, product.id);
  const promoterToken = await gw.token(promoter.id, "PROMOTER");
  const started = await gw.request(StartLiveSessionDocument, { input: { title: options.sessionTitle ?? "Jade night" } }, promoterToken);
  const liveSessionId = started.data!.startLiveSession.liveSession!.id;
  const productId = toGlobalId("Product", product.id);
  const pinned = await gw.request(PinToCartDocument, { input: { liveSessionId, productId, subsidy: options.subsidy } }, promoterToken);
  expect(pinned.data!.pinToCart.userErrors).toEqual([]);
  let flashSaleId: string | null = null;
  if (options.units !== 0) {
    const sale = await gw.request(
      CreateFlashSaleDocument,
      {
        input: {
          liveSessionId,
          productId,
          flashPrice: options.flashPrice ?? "59.00",
          allocatedUnits: options.units ?? 100,
          perBuyerLimit: options.limit ?? 1,
          startsAt: options.startsAt?.toISOString(),
          endsAt: (options.endsAt ?? new Date(Date.now() + 3600_000)).toISOString(),
        },
      },
      promoterToken,
    );
    expect(sale.errors).toBeUndefined();
    expect(sale.data!.createFlashSale.userErrors).toEqual([]);
    flashSaleId = sale.data!.createFlashSale.flashSale!.id;
  }
  return { merchant, product, productId, promoter, promoterToken, liveSessionId, flashSaleId };
}

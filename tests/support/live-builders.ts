import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/client.js";
import { cartItems, flashSales, liveSessions, orders } from "../../src/db/schema/index.js";
import { buildMerchant, buildProduct, buildUser } from "./builders.js";
import { putOnShelf } from "./shelf.js";

/** A promoter live with a shelf product pinned to the cart and, optionally, a running flash sale (straight into the tables). */
export async function buildLiveRoom(db: Db, options: { flashSale?: boolean; units?: number } = {}) {
  const merchant = await buildMerchant(db);
  const product = await buildProduct(db, merchant.shop.id, { stock: 100 });
  const promoter = await buildUser(db, "PROMOTER");
  await putOnShelf(db, promoter.id, product.id);
  const now = new Date();
  const [session] = await db.insert(liveSessions).values({ promoterId: promoter.id, title: `room-${randomUUID().slice(0, 8)}`, startedAt: now }).returning();
  const [cartItem] = await db.insert(cartItems).values({ liveSessionId: session!.id, productId: product.id, pinnedAt: now }).returning();
  let sale: typeof flashSales.$inferSelect | null = null;
  if (options.flashSale) {
    [sale] = await db
      .insert(flashSales)
      .values({
        liveSessionId: session!.id,
        productId: product.id,
        shopId: merchant.shop.id,
        flashPriceFen: 5_000,
        allocatedUnits: options.units ?? 10,
        perBuyerLimit: 1,
        startsAt: now,
        endsAt: new Date(now.getTime() + 3600_000),
        status: "RUNNING",
      })
      .returning();
  }
  return { merchant, product, promoter, session: session!, cartItem: cartItem!, sale };
}

export async function buildFlashOrder(db: Db, room: Awaited<ReturnType<typeof buildLiveRoom>>) {
  const buyer = await buildUser(db, "BUYER");
  const [order] = await db
    .insert(orders)
    .values({
      buyerId: buyer.id,
      shopId: room.merchant.shop.id,
      productId: room.product.id,
      promoterId: room.promoter.id,
      liveSessionId: room.session.id,
      flashSaleId: room.sale?.id ?? null,
      quantity: 1,
      unitPriceFen: 5_000,
      totalFen: 5_000,
      handPriceFen: 5_000,
      idempotencyKey: randomUUID(),
    })
    .returning();
  return { buyer, order: order! };
}

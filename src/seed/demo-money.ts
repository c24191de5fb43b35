import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Tx } from "../db/client.js";
import { orderEvents, orders, products, shipments, shops, users } from "../db/schema/index.js";
import { DAY_MS } from "../shared/clock.js";


/**
 * Money in the demo: two orders shipped, received 8 days ago and so due for settlement (the gateway's first
 * scheduled run settles them at start), and one received 2 days ago (still pending). The promoter's own shop
 * joined in the 凡星 window (Oct 2020), so its direct sale pays the 1% technical fee.
 */
export async function seedDemoMoney(tx: Tx, now: Date): Promise<void> {
  const [buyer] = await tx.select().from(users).where(eq(users.role, "BUYER")).limit(1);
  const [promoter] = await tx.select().from(users).where(eq(users.role, "PROMOTER")).limit(1);
  const [bangle] = await tx.select().from(products).where(eq(products.title, "Sihui jadeite bangle, ice type"));
  const [pendant] = await tx.select().from(products).where(eq(products.title, "Hand-carved jade pendant by Xu"));
  const [coat] = await tx.select().from(products).where(eq(products.title, "Double-faced wool coat"));
  if (!buyer || !promoter || !bangle || !pendant || !coat) return;
  await tx.update(shops).set({ createdAt: new Date("2020-10-08T10:00:00+08:00") }).where(eq(shops.id, pendant.shopId));
  const at = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const sold = [
    // Through the promoter at its product-targeted 35% rate (R5): the split worked by hand in the README.
    { product: bangle, promoterId: promoter.id, rateBps: 3_500, plan: "PRODUCT_TARGETED", receivedDaysAgo: 8 },
    { product: pendant, promoterId: null, rateBps: 0, plan: null, receivedDaysAgo: 8 },
    { product: coat, promoterId: promoter.id, rateBps: 2_500, plan: "SHOP_TARGETED", receivedDaysAgo: 2 },
  ];
  for (const s of sold) {
    const [order] = await tx
      .insert(orders)
      .values({
        buyerId: buyer.id,
        shopId: s.product.shopId,
        productId: s.product.id,
        promoterId: s.promoterId,
        quantity: 1,
        unitPriceFen: s.product.priceFen,
        totalFen: s.product.priceFen,
        handPriceFen: s.product.priceFen,
        commissionRateBps: s.rateBps,
        commissionPlan: s.plan,
        status: "RECEIVED",
        idempotencyKey: randomUUID(),
        createdAt: at(s.receivedDaysAgo + 4),
        receivedAt: at(s.receivedDaysAgo),
      })
      .returning();
    const [owner] = await tx.select({ id: shops.ownerId }).from(shops).where(eq(shops.id, s.product.shopId));
    await tx.insert(shipments).values({ orderId: order!.id, carrier: "SF Express", trackingNumber: `SF${1_000_000 + order!.id}`, shippedBy: owner!.id, shippedAt: at(s.receivedDaysAgo + 3) });
    await tx.insert(orderEvents).values([
      { orderId: order!.id, kind: "SHIPPED", fromStatus: "ACCEPTED", toStatus: "SHIPPED", actorId: owner!.id, actorRole: "MERCHANT", note: "SF Express", at: at(s.receivedDaysAgo + 3) },
      { orderId: order!.id, kind: "RECEIVED", fromStatus: "SHIPPED", toStatus: "RECEIVED", actorId: buyer.id, actorRole: "BUYER", at: at(s.receivedDaysAgo) },
    ]);
  }
}

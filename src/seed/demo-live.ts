import { and, eq } from "drizzle-orm";
import type { Tx } from "../db/client.js";
import { cartItems, flashSales, liveSessions, products, users } from "../db/schema/index.js";
import { DAY_MS } from "../shared/clock.js";


/** The demo's live room: the promoter streams, two products on the cart, one running flash sale (units from stock). */
export async function seedDemoLive(tx: Tx, now: Date): Promise<void> {
  const [promoter] = await tx.select().from(users).where(eq(users.role, "PROMOTER")).limit(1);
  const [carving] = await tx.select().from(products).where(eq(products.title, "Zhenping jade carving, small"));
  const [pendant] = await tx.select().from(products).where(eq(products.title, "Hetian jade pendant, carved lotus"));
  if (!promoter || !carving || !pendant) return;
  const [session] = await tx.insert(liveSessions).values({ promoterId: promoter.id, title: "源头好货 · 镇平玉雕专场 (demo)", startedAt: now }).returning();
  await tx.insert(cartItems).values([
    { liveSessionId: session!.id, productId: carving.id, pinnedAt: now },
    { liveSessionId: session!.id, productId: pendant.id, subsidyFen: 1_000, pinnedAt: now },
  ]);
  const units = 1_000;
  await tx
    .update(products)
    .set({ stock: carving.stock - units })
    .where(and(eq(products.id, carving.id)));
  await tx.insert(flashSales).values({
    liveSessionId: session!.id,
    productId: carving.id,
    shopId: carving.shopId,
    flashPriceFen: 9_900,
    allocatedUnits: units,
    perBuyerLimit: 2,
    startsAt: now,
    endsAt: new Date(now.getTime() + 30 * DAY_MS),
    status: "RUNNING",
  });
}

import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/client.js";
import { orders, products, shops, users } from "../../src/db/schema/index.js";

/** Seed builders: every test makes its own rows, so tests can run concurrently and in any order. */
export async function buildUser(db: Db, role: "BUYER" | "MERCHANT" | "PROMOTER" | "ADMIN" | "ANALYST", name?: string) {
  const [row] = await db.insert(users).values({ name: name ?? `${role.toLowerCase()}-${randomUUID().slice(0, 8)}`, role }).returning();
  return row!;
}

export async function buildShop(db: Db, ownerId: number, values: Partial<typeof shops.$inferInsert> = {}) {
  const [row] = await db
    .insert(shops)
    .values({ ownerId, name: `shop-${randomUUID().slice(0, 8)}`, ...values })
    .returning();
  return row!;
}

export async function buildProduct(db: Db, shopId: number, values: Partial<typeof products.$inferInsert> = {}) {
  const [row] = await db
    .insert(products)
    .values({ shopId, title: `product-${randomUUID().slice(0, 8)}`, category: "jade/bangle", priceFen: 19_900, stock: 100, ...values })
    .returning();
  return row!;
}

/** A merchant with its shop. */
export async function buildMerchant(db: Db, shopValues: Partial<typeof shops.$inferInsert> = {}) {
  const user = await buildUser(db, "MERCHANT");
  const shop = await buildShop(db, user.id, shopValues);
  return { user, shop };
}

/** A delivered order, for tests of rules computed from sales (GMV, eligibility, settlement). */
export async function buildOrder(
  db: Db,
  values: { buyerId: number; shopId: number; productId: number; totalFen: number } & Partial<typeof orders.$inferInsert>,
) {
  // R12: the stored parts add up to the total; a total that does not divide by the quantity is reached with points.
  const quantity = values.quantity ?? 1;
  const unitPriceFen = values.unitPriceFen ?? Math.ceil(values.totalFen / quantity);
  const pointsFen = values.pointsFen ?? unitPriceFen * quantity - values.totalFen;
  const [row] = await db
    .insert(orders)
    .values({ quantity, unitPriceFen, pointsFen, handPriceFen: Math.round(values.totalFen / quantity), idempotencyKey: randomUUID(), ...values })
    .returning();
  return row!;
}

/** Many users at once (one statement), e.g. a crowd of buyers. */
export async function buildUsers(db: Db, role: "BUYER" | "MERCHANT" | "PROMOTER", count: number) {
  const tag = randomUUID().slice(0, 8);
  return db
    .insert(users)
    .values(Array.from({ length: count }, (_, i) => ({ name: `${role.toLowerCase()}-${tag}-${i}`, role })))
    .returning();
}

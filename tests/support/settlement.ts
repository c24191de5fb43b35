import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";
import { orderEvents, orderRefunds, orders, shops } from "../../src/db/schema/index.js";
import { toGlobalId } from "../../src/shared/ids.js";
import { openDatabase } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { buildMerchant, buildProduct, buildUser } from "./builders.js";
import { freshDatabase } from "./fresh-database.js";
import type { TestGateway } from "./gateway.js";

/** Gateways of the money tests: no scheduled settlement (tests run it by hand, on their clock). */
export const MONEY_ENV = { SETTLEMENT_INTERVAL_MS: "0", AUTO_RECEIVE_DAYS: "10" };

export interface Party {
  id: number;
  token: string;
}

/** A shop with a product and its merchant; `shop` values (e.g. createdAt for 凡星) and the product's category. */
export async function moneyShop(gw: TestGateway, options: { shop?: Partial<typeof shops.$inferInsert>; category?: string; priceFen?: number } = {}) {
  const db = gw.database.db;
  const merchant = await buildMerchant(db, options.shop ?? {});
  const product = await buildProduct(db, merchant.shop.id, { category: options.category ?? `cat-${randomUUID().slice(0, 8)}`, priceFen: options.priceFen ?? 10_000 });
  return { merchant: { id: merchant.user.id, token: await gw.token(merchant.user.id, "MERCHANT") }, shop: merchant.shop, product };
}

export async function party(gw: TestGateway, role: "BUYER" | "PROMOTER" | "ADMIN" | "ANALYST" | "MERCHANT"): Promise<Party> {
  const user = await buildUser(gw.database.db, role);
  return { id: user.id, token: await gw.token(user.id, role) };
}

/** An order in any status, written directly (the order path is not under test here). */
export async function moneyOrder(
  db: Db,
  values: { buyerId: number; shopId: number; productId: number; totalFen: number; promoterId?: number | null; rateBps?: number; status?: typeof orders.$inferInsert.status; receivedAt?: Date | null; createdAt?: Date },
) {
  const [row] = await db
    .insert(orders)
    .values({
      buyerId: values.buyerId,
      shopId: values.shopId,
      productId: values.productId,
      promoterId: values.promoterId ?? null,
      quantity: 1,
      unitPriceFen: values.totalFen,
      totalFen: values.totalFen,
      handPriceFen: values.totalFen,
      commissionRateBps: values.rateBps ?? 0,
      status: values.status ?? "ACCEPTED",
      receivedAt: values.receivedAt ?? null,
      idempotencyKey: randomUUID(),
      ...(values.createdAt ? { createdAt: values.createdAt } : {}),
    })
    .returning();
  return { row: row!, id: toGlobalId("Order", row!.id) };
}

/** What a refused transition must leave untouched. */
export async function orderState(db: Db, orderId: number) {
  const [row] = await db.select().from(orders).where(eq(orders.id, orderId));
  const [{ events }] = (await db.select({ events: sql<number>`count(*)::int` }).from(orderEvents).where(eq(orderEvents.orderId, orderId))) as [{ events: number }];
  const [{ refunds }] = (await db.select({ refunds: sql<number>`count(*)::int` }).from(orderRefunds).where(eq(orderRefunds.orderId, orderId))) as [{ refunds: number }];
  return { status: row!.status, receivedAt: row!.receivedAt, events, refunds };
}

export const DAY = 86_400_000;

/**
 * A migrated database of its own for a test file that runs settlements: a run settles every due order of the
 * database, and the other files' orders must not be settled under them, nor theirs under it.
 */
export async function ownDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const fresh = await freshDatabase(label);
  const database = await openDatabase({ url: fresh.url });
  await migrateDatabase(database);
  await database.close();
  return fresh;
}

import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { creditEntries, creditHolds } from "../../db/schema/index.js";

export async function entryTotals(db: DbOrTx, shopId: number): Promise<{ count: number; sum: number }> {
  const [row] = await db
    .select({ count: sql<string>`count(*)`, sum: sql<string>`coalesce(sum(${creditEntries.points}), 0)` })
    .from(creditEntries)
    .where(eq(creditEntries.shopId, shopId));
  return { count: Number(row!.count), sum: Number(row!.sum) };
}

/** null when the case already booked this cause (each cause once per case). */
export async function insertEntry(db: DbOrTx, values: typeof creditEntries.$inferInsert) {
  const [row] = await db.insert(creditEntries).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export function entriesOfShop(db: DbOrTx, shopId: number, limit: number) {
  return db.select().from(creditEntries).where(eq(creditEntries.shopId, shopId)).orderBy(desc(creditEntries.id)).limit(limit);
}

export async function openHold(db: DbOrTx, shopId: number) {
  const [row] = await db.select().from(creditHolds).where(and(eq(creditHolds.shopId, shopId), isNull(creditHolds.liftedAt)));
  return row ?? null;
}

export async function insertHold(db: DbOrTx, values: typeof creditHolds.$inferInsert) {
  const [row] = await db.insert(creditHolds).values(values).returning();
  return row!;
}

export async function liftHold(db: DbOrTx, id: number, by: number | null, at: Date) {
  await db.update(creditHolds).set({ liftedAt: at, liftedBy: by }).where(eq(creditHolds.id, id));
}

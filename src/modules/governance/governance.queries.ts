import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { qualityViolations, shopRatings, shopSettlementSettings } from "../../db/schema/index.js";

/** null when the order was rated already (one rating per order). */
export async function insertRating(db: DbOrTx, values: typeof shopRatings.$inferInsert) {
  const [row] = await db.insert(shopRatings).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export async function insertQualityViolation(db: DbOrTx, values: typeof qualityViolations.$inferInsert) {
  const [row] = await db.insert(qualityViolations).values(values).returning();
  return row!;
}

export async function upsertSettlement(db: DbOrTx, shopId: number, shortSettlementEnabled: boolean, at: Date) {
  const [row] = await db
    .insert(shopSettlementSettings)
    .values({ shopId, shortSettlementEnabled, updatedAt: at })
    .onConflictDoUpdate({ target: shopSettlementSettings.shopId, set: { shortSettlementEnabled, updatedAt: at } })
    .returning();
  return row!;
}

export function violationsOfShop(db: DbOrTx, shopId: number) {
  return db.select().from(qualityViolations).where(eq(qualityViolations.shopId, shopId)).orderBy(qualityViolations.id);
}

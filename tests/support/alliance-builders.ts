import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/client.js";
import {
  commissionPlanPromoters,
  commissionPlans,
  distributionApplications,
  promoterProfiles,
  qualityViolations,
  shelfItems,
  shopRatings,
  shops,
} from "../../src/db/schema/index.js";
import { buildMerchant, buildShop, buildUser } from "./builders.js";

/** Ratings with the same stars in all three DSR dimensions, one row per entry of `stars`. */
export async function buildRatings(db: Db, shopId: number, stars: number[], createdAt: Date) {
  if (stars.length === 0) return;
  await db
    .insert(shopRatings)
    .values(stars.map((s) => ({ shopId, descriptionScore: s, serviceScore: s, logisticsScore: s, createdAt })));
}

/** `fives` five-star and `fours` four-star ratings: DSR = (5·fives + 4·fours) / (fives + fours). */
export function buildDsr(db: Db, shopId: number, fives: number, fours: number, createdAt: Date) {
  return buildRatings(db, shopId, [...Array<number>(fives).fill(5), ...Array<number>(fours).fill(4)], createdAt);
}

export async function buildViolation(db: Db, shopId: number, values: { serious: boolean; occurredAt: Date }) {
  await db.insert(qualityViolations).values({ shopId, reason: "test", ...values });
}

/** A merchant whose shop is already approved for distribution. */
export async function buildApprovedMerchant(db: Db, shopValues: Partial<typeof shops.$inferInsert> = {}, at = new Date()) {
  const merchant = await buildMerchant(db, shopValues);
  await db.insert(distributionApplications).values({
    shopId: merchant.shop.id,
    applicantId: merchant.user.id,
    status: "APPROVED",
    checks: [],
    submittedAt: at,
    updatedAt: at,
  });
  return merchant;
}

export async function buildPlan(
  db: Db,
  values: { shopId: number; productId?: number | null; kind: "GENERAL" | "SHOP_TARGETED" | "PRODUCT_TARGETED"; rateBps: number; promoterIds?: number[] },
  at = new Date(),
) {
  const [plan] = await db
    .insert(commissionPlans)
    .values({ shopId: values.shopId, productId: values.productId ?? null, kind: values.kind, rateBps: values.rateBps, createdAt: at, updatedAt: at })
    .returning();
  if (values.promoterIds?.length) {
    await db.insert(commissionPlanPromoters).values(values.promoterIds.map((promoterId) => ({ planId: plan!.id, promoterId })));
  }
  return plan!;
}

/** A promoter; `onboarded` gives it its own shop, a PID and a signed payout account (R6). */
export async function buildPromoter(db: Db, options: { onboarded?: boolean } = {}) {
  const user = await buildUser(db, "PROMOTER");
  if (!options.onboarded) return { user, shop: null };
  const shop = await buildShop(db, user.id);
  const at = new Date();
  await db.insert(promoterProfiles).values({
    userId: user.id,
    promotionPid: `pid_${randomUUID().slice(0, 12)}`,
    pidBoundAt: at,
    payoutChannel: "ALIPAY",
    payoutAccountName: user.name,
    payoutAccountTail: "1234",
    payoutSignedAt: at,
    updatedAt: at,
  });
  return { user, shop };
}

export async function buildShelf(db: Db, promoterId: number, productIds: number[], at = new Date()) {
  await db.insert(shelfItems).values(productIds.map((productId, i) => ({ promoterId, productId, position: i + 1, addedAt: at })));
}

import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { products, shops } from "./catalog.js";
import { textLimit } from "./text-limits.js";

export const couponIssuer = pgEnum("coupon_issuer", ["SHOP", "PROMOTER"]);

/** A coupon for one product, paid by the issuing shop: the merchant's shop, or the promoter's own shop. */
export const coupons = pgTable(
  "coupons",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    code: text("code").notNull().unique(),
    issuer: couponIssuer("issuer").notNull(),
    issuerShopId: bigint("issuer_shop_id", { mode: "number" }).notNull().references(() => shops.id),
    createdBy: bigint("created_by", { mode: "number" }).notNull().references(() => users.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    amountFen: bigint("amount_fen", { mode: "number" }).notNull(),
    minSpendFen: bigint("min_spend_fen", { mode: "number" }).notNull().default(0),
    validFrom: timestamp("valid_from", { withTimezone: true, mode: "date" }).notNull(),
    validUntil: timestamp("valid_until", { withTimezone: true, mode: "date" }).notNull(),
    /** How many orders may redeem it in all. */
    totalQuantity: integer("total_quantity").notNull().default(1),
    /** How many orders of one buyer may redeem it. */
    perBuyerLimit: integer("per_buyer_limit").notNull().default(1),
    /** Orders that redeemed it; raised under the coupon's row lock in the order's transaction. */
    redeemedCount: integer("redeemed_count").notNull().default(0),
  },
  (t) => [
    index("coupons_product_idx").on(t.productId),
    check("coupons_amount_positive", sql`${t.amountFen} > 0`),
    textLimit("coupons_code_length", t.code, 32),
    check("coupons_min_spend_nonnegative", sql`${t.minSpendFen} >= 0`),
    check("coupons_window", sql`${t.validUntil} > ${t.validFrom}`),
    check("coupons_quantities", sql`${t.totalQuantity} > 0 and ${t.perBuyerLimit} > 0`),
    check("coupons_redeemed_within_quantity", sql`${t.redeemedCount} >= 0 and ${t.redeemedCount} <= ${t.totalQuantity}`),
  ],
);

export type CouponRow = typeof coupons.$inferSelect;

import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { products, shops } from "./catalog.js";
import { coupons } from "./offers.js";
import { textLimit } from "./text-limits.js";

export const orderStatus = pgEnum("order_status", ["ACCEPTED", "SHIPPED", "RECEIVED", "SETTLED", "CANCELLED", "REFUNDED"]);

/**
 * Orders are the ledger of sales: GMV, eligibility, commissions and settlement are computed from them.
 * Prices are per unit in fen; the discount columns are order totals by who pays them.
 */
export const orders = pgTable(
  "orders",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    buyerId: bigint("buyer_id", { mode: "number" }).notNull().references(() => users.id),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    /** The promoter whose room or shelf sold it; null for a direct sale. */
    promoterId: bigint("promoter_id", { mode: "number" }).references(() => users.id),
    liveSessionId: bigint("live_session_id", { mode: "number" }),
    flashSaleId: bigint("flash_sale_id", { mode: "number" }),
    quantity: integer("quantity").notNull(),
    unitPriceFen: bigint("unit_price_fen", { mode: "number" }).notNull(),
    shopCouponFen: bigint("shop_coupon_fen", { mode: "number" }).notNull().default(0),
    promoterCouponFen: bigint("promoter_coupon_fen", { mode: "number" }).notNull().default(0),
    pointsFen: bigint("points_fen", { mode: "number" }).notNull().default(0),
    subsidyFen: bigint("subsidy_fen", { mode: "number" }).notNull().default(0),
    /** What the buyer pays for the whole order. */
    totalFen: bigint("total_fen", { mode: "number" }).notNull(),
    /** R12: per-unit hand price, total ÷ quantity rounded half-even. */
    handPriceFen: bigint("hand_price_fen", { mode: "number" }).notNull(),
    /** R5: the promoter's resolved commission rate, frozen at purchase (basis points). */
    commissionRateBps: integer("commission_rate_bps").notNull().default(0),
    commissionPlan: text("commission_plan"),
    status: orderStatus("status").notNull().default("ACCEPTED"),
    /** The coupon the order redeemed (its amount is shopCouponFen or promoterCouponFen, by issuer). */
    couponId: bigint("coupon_id", { mode: "number" }).references(() => coupons.id),
    idempotencyKey: text("idempotency_key").notNull(),
    /** R10: a digest of the request the key was first used with; a replay must match it. */
    requestHash: text("request_hash"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    uniqueIndex("orders_idempotency_idx").on(t.buyerId, t.idempotencyKey),
    index("orders_shop_created_idx").on(t.shopId, t.createdAt),
    index("orders_flash_sale_buyer_idx").on(t.flashSaleId, t.buyerId),
    index("orders_promoter_idx").on(t.promoterId, t.createdAt),
    index("orders_product_idx").on(t.productId, t.createdAt),
    // Fulfilment and settlement find their due orders through these (small: only orders in that state).
    index("orders_shipped_idx").on(t.id).where(sql`${t.status} = 'SHIPPED'`),
    index("orders_received_due_idx").on(t.receivedAt, t.id).where(sql`${t.status} = 'RECEIVED'`),
    check("orders_quantity_positive", sql`${t.quantity} > 0`),
    check("orders_total_nonnegative", sql`${t.totalFen} >= 0`),
    // R12: the stored parts add up to what the buyer pays, and no unit goes below 1 fen.
    check(
      "orders_parts_add_up",
      sql`${t.totalFen} = ${t.unitPriceFen} * ${t.quantity} - ${t.subsidyFen} - ${t.shopCouponFen} - ${t.promoterCouponFen} - ${t.pointsFen}`,
    ),
    check("orders_parts_nonnegative", sql`${t.unitPriceFen} > 0 and ${t.subsidyFen} >= 0 and ${t.shopCouponFen} >= 0 and ${t.promoterCouponFen} >= 0 and ${t.pointsFen} >= 0`),
    check("orders_unit_at_least_one_fen", sql`${t.totalFen} >= ${t.quantity}`),
    textLimit("orders_idempotency_key_length", t.idempotencyKey, 64),
    index("orders_coupon_buyer_idx").on(t.couponId, t.buyerId).where(sql`${t.couponId} is not null`),
  ],
);

export type OrderRow = typeof orders.$inferSelect;

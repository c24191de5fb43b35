import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { products, shops } from "./catalog.js";
import { flashSales, liveSessions } from "./live.js";
import { TEXT_LIMITS } from "../../shared/text.js";
import { textLimit } from "./text-limits.js";

/** R12: agreed hand prices (约定到手价) filed by the brand; every filing is kept, the newest one applies. */
export const agreedPrices = pgTable(
  "agreed_prices",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    /** Per-unit floor of the buyer's hand price (fen). */
    agreedPriceFen: bigint("agreed_price_fen", { mode: "number" }).notNull(),
    /** The filed spec: units an order holds (an order must hold whole specs). */
    unitsPerOrder: integer("units_per_order").notNull().default(1),
    gifts: text("gifts").array().notNull().default(sql`'{}'::text[]`),
    filedBy: bigint("filed_by", { mode: "number" }).notNull().references(() => users.id),
    filedAt: timestamp("filed_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    index("agreed_prices_product_idx").on(t.productId, t.filedAt, t.id),
    check("agreed_prices_price_positive", sql`${t.agreedPriceFen} > 0`),
    check("agreed_prices_units_positive", sql`${t.unitsPerOrder} >= 1`),
    // Each gift is a free-text field (TEXT_LIMITS.gift); the list as a whole is bounded here.
    textLimit("agreed_prices_gifts_length", sql`array_to_string(${t.gifts}, '')`, 20 * 4 * TEXT_LIMITS.gift.max),
  ],
);

export const priceGuardPenalty = pgEnum("price_guard_penalty", ["RESTRICTED_15_DAYS", "RESTRICTED_30_DAYS", "SUSPENDED"]);
export const priceGuardParty = pgEnum("price_guard_party", ["MERCHANT", "PROMOTER"]);
export const priceGuardViolationKind = pgEnum("price_guard_violation_kind", ["BELOW_FLOOR", "SPEC_MISMATCH"]);

/**
 * R14: a restriction of cross-border sales. Its subject is a shop; a promoter-paid violation whose promoter has
 * no shop of its own is held against the promoter (shop_id null). promoter_id is set on every promoter-paid one,
 * so the promoter's rooms are covered whichever shop it sells through.
 */
export const priceGuardRestrictions = pgTable(
  "price_guard_restrictions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).references(() => shops.id),
    promoterId: bigint("promoter_id", { mode: "number" }).references(() => users.id),
    penalty: priceGuardPenalty("penalty").notNull(),
    /** Place on the ladder: 1 → 15 days, 2 → 30 days, 3 and later → suspended until lifted. */
    step: integer("step").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Null: until an admin lifts it. */
    endsAt: timestamp("ends_at", { withTimezone: true, mode: "date" }),
    liftedAt: timestamp("lifted_at", { withTimezone: true, mode: "date" }),
    liftedBy: bigint("lifted_by", { mode: "number" }).references(() => users.id),
    liftReason: text("lift_reason"),
  },
  (t) => [
    index("price_guard_restrictions_shop_idx").on(t.shopId, t.startsAt),
    index("price_guard_restrictions_promoter_idx").on(t.promoterId, t.startsAt),
    check("price_guard_restrictions_subject", sql`${t.shopId} IS NOT NULL OR ${t.promoterId} IS NOT NULL`),
    check("price_guard_restrictions_window", sql`${t.endsAt} IS NULL OR ${t.endsAt} > ${t.startsAt}`),
    textLimit("price_guard_restrictions_lift_reason_length", t.liftReason, TEXT_LIMITS.liftReason),
  ],
);

/** R14: a committed sale below the agreed price, recorded against the party that set the offending price part. */
export const priceGuardViolations = pgTable(
  "price_guard_violations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: priceGuardViolationKind("kind").notNull(),
    party: priceGuardParty("party").notNull(),
    /** The violating shop; null for a promoter without a shop of its own (then promoter_id names it). */
    shopId: bigint("shop_id", { mode: "number" }).references(() => shops.id),
    promoterId: bigint("promoter_id", { mode: "number" }).references(() => users.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    /** The product's own shop (the brand's side), so its merchant sees violations of its goods by promoters. */
    productShopId: bigint("product_shop_id", { mode: "number" }).notNull().references(() => shops.id),
    liveSessionId: bigint("live_session_id", { mode: "number" }).references(() => liveSessions.id),
    flashSaleId: bigint("flash_sale_id", { mode: "number" }).references(() => flashSales.id),
    agreedPriceId: bigint("agreed_price_id", { mode: "number" }).notNull().references(() => agreedPrices.id),
    quantity: integer("quantity").notNull(),
    handPriceFen: bigint("hand_price_fen", { mode: "number" }).notNull(),
    floorFen: bigint("floor_fen", { mode: "number" }).notNull(),
    unitsPerOrder: integer("units_per_order").notNull(),
    /** The penalty this violation triggered; null when the subject was already restricted. */
    restrictionId: bigint("restriction_id", { mode: "number" }).references(() => priceGuardRestrictions.id),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Outbox mark: set once the alert went out and the restriction was enforced on running flash sales. */
    alertedAt: timestamp("alerted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("price_guard_violations_shop_idx").on(t.shopId, t.id),
    index("price_guard_violations_product_shop_idx").on(t.productShopId, t.id),
    index("price_guard_violations_promoter_idx").on(t.promoterId, t.id),
    index("price_guard_violations_unalerted_idx").on(t.id).where(sql`${t.alertedAt} IS NULL`),
  ],
);

export const priceGuardAttemptReason = pgEnum("price_guard_attempt_reason", ["POINTS_BELOW_FLOOR", "SPEC_MISMATCH"]);

/**
 * R14: an order the price guard refused for the buyer's own choice (points that take the hand price below the
 * floor, a quantity off the filed spec). Not a sale and nobody's violation: kept for the brand and ops to see.
 */
export const priceGuardAttempts = pgTable(
  "price_guard_attempts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    reason: priceGuardAttemptReason("reason").notNull(),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    productShopId: bigint("product_shop_id", { mode: "number" }).notNull().references(() => shops.id),
    promoterId: bigint("promoter_id", { mode: "number" }).references(() => users.id),
    liveSessionId: bigint("live_session_id", { mode: "number" }).references(() => liveSessions.id),
    flashSaleId: bigint("flash_sale_id", { mode: "number" }).references(() => flashSales.id),
    agreedPriceId: bigint("agreed_price_id", { mode: "number" }).notNull().references(() => agreedPrices.id),
    quantity: integer("quantity").notNull(),
    pointsFen: bigint("points_fen", { mode: "number" }).notNull(),
    handPriceFen: bigint("hand_price_fen", { mode: "number" }).notNull(),
    floorFen: bigint("floor_fen", { mode: "number" }).notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("price_guard_attempts_product_idx").on(t.productId, t.id), index("price_guard_attempts_shop_idx").on(t.productShopId, t.id)],
);

export type AgreedPriceRow = typeof agreedPrices.$inferSelect;
export type RestrictionRow = typeof priceGuardRestrictions.$inferSelect;
export type ViolationRow = typeof priceGuardViolations.$inferSelect;

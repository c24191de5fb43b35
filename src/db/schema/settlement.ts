import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { shops } from "./catalog.js";

export const settlementTrigger = pgEnum("settlement_trigger", ["SCHEDULE", "ADMIN"]);

/** One settlement run (R16): every order received at least 7 days before `as_of`, in one transaction. */
export const settlementRuns = pgTable("settlement_runs", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  asOf: timestamp("as_of", { withTimezone: true, mode: "date" }).notNull(),
  trigger: settlementTrigger("trigger").notNull(),
  startedBy: bigint("started_by", { mode: "number" }).references(() => users.id),
  startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
  ordersSettled: integer("orders_settled").notNull().default(0),
  amountFen: bigint("amount_fen", { mode: "number" }).notNull().default(0),
});

/**
 * The split of one settled order (one row per order: the primary key makes settlement exactly-once).
 * base = merchant + promoter + promotion fee + technical fee, to the fen.
 */
export const settlements = pgTable(
  "settlements",
  {
    // Written from the order rows the run has locked; no per-row foreign key check (see ledger_entries).
    orderId: bigint("order_id", { mode: "number" }).primaryKey(),
    runId: bigint("run_id", { mode: "number" }).notNull(),
    postingId: bigint("posting_id", { mode: "number" }).notNull(),
    // Copied from the order (which references them) for the statements' indexes; no second foreign key check.
    shopId: bigint("shop_id", { mode: "number" }).notNull(),
    promoterId: bigint("promoter_id", { mode: "number" }),
    buyerId: bigint("buyer_id", { mode: "number" }).notNull(),
    /** What the buyer paid less refunds made before settlement. */
    baseFen: bigint("base_fen", { mode: "number" }).notNull(),
    commissionRateBps: integer("commission_rate_bps").notNull(),
    commissionFen: bigint("commission_fen", { mode: "number" }).notNull(),
    promotionFeeFen: bigint("promotion_fee_fen", { mode: "number" }).notNull(),
    promoterFen: bigint("promoter_fen", { mode: "number" }).notNull(),
    technicalRateBps: integer("technical_rate_bps").notNull(),
    /** The part of the base charged at the 凡星 rate (seed 001); the rest at the category's rate. */
    fanxingBaseFen: bigint("fanxing_base_fen", { mode: "number" }).notNull().default(0),
    fanxingRateBps: integer("fanxing_rate_bps").notNull().default(0),
    technicalFeeFen: bigint("technical_fee_fen", { mode: "number" }).notNull(),
    merchantFen: bigint("merchant_fen", { mode: "number" }).notNull(),
    /** The shop's payouts were frozen: the merchant's part went to its held account. */
    held: boolean("held").notNull().default(false),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull(),
    settledAt: timestamp("settled_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    index("settlements_shop_idx").on(t.shopId, t.settledAt),
    index("settlements_promoter_idx").on(t.promoterId, t.settledAt),
    index("settlements_run_idx").on(t.runId),
    check(
      "settlements_parts_add_up",
      sql`${t.baseFen} = ${t.merchantFen} + ${t.promoterFen} + ${t.promotionFeeFen} + ${t.technicalFeeFen} and ${t.commissionFen} = ${t.promoterFen} + ${t.promotionFeeFen}`,
    ),
    check("settlements_parts_nonnegative", sql`${t.merchantFen} >= 0 and ${t.promoterFen} >= 0 and ${t.promotionFeeFen} >= 0 and ${t.technicalFeeFen} >= 0`),
  ],
);

/** The technical service fee per product category (basis points); categories not listed pay the default rate. */
export const technicalFeeRates = pgTable(
  "technical_fee_rates",
  {
    category: text("category").primaryKey(),
    rateBps: integer("rate_bps").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [check("technical_fee_rates_range", sql`${t.rateBps} between 0 and 5000`)],
);

/** A shop's payouts frozen (governance, R17) from `frozen_at` until `released_at`; at most one open freeze per shop. */
export const payoutFreezes = pgTable(
  "payout_freezes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    reason: text("reason").notNull(),
    frozenBy: bigint("frozen_by", { mode: "number" }).references(() => users.id),
    frozenAt: timestamp("frozen_at", { withTimezone: true, mode: "date" }).notNull(),
    releasedBy: bigint("released_by", { mode: "number" }).references(() => users.id),
    releasedAt: timestamp("released_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [uniqueIndex("payout_freezes_open_idx").on(t.shopId).where(sql`${t.releasedAt} is null`)],
);

export type SettlementRow = typeof settlements.$inferSelect;
export type SettlementRunRow = typeof settlementRuns.$inferSelect;
export type PayoutFreezeRow = typeof payoutFreezes.$inferSelect;

import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { products, shops } from "./catalog.js";
import { TEXT_LIMITS } from "../../shared/text.js";
import { textLimit } from "./text-limits.js";

export const liveSessionStatus = pgEnum("live_session_status", ["LIVE", "ENDED"]);
export const flashSaleStatus = pgEnum("flash_sale_status", ["SCHEDULED", "RUNNING", "SOLD_OUT", "ENDED"]);

export const liveSessions = pgTable(
  "live_sessions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    promoterId: bigint("promoter_id", { mode: "number" }).notNull().references(() => users.id),
    title: text("title").notNull(),
    status: liveSessionStatus("status").notNull().default("LIVE"),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("live_sessions_promoter_idx").on(t.promoterId, t.id),
    index("live_sessions_status_idx").on(t.status, t.id),
    textLimit("live_sessions_title_length", t.title, TEXT_LIMITS.liveSessionTitle),
  ],
);

/** A product pinned to a live session's cart (挂车); unpinning keeps the row with unpinned_at set. */
export const cartItems = pgTable(
  "cart_items",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    liveSessionId: bigint("live_session_id", { mode: "number" }).notNull().references(() => liveSessions.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    /** Per-unit subsidy paid by the promoter (fen). */
    subsidyFen: bigint("subsidy_fen", { mode: "number" }).notNull().default(0),
    pinnedAt: timestamp("pinned_at", { withTimezone: true, mode: "date" }).notNull(),
    unpinnedAt: timestamp("unpinned_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    uniqueIndex("cart_items_pinned_idx").on(t.liveSessionId, t.productId).where(sql`${t.unpinnedAt} is null`),
    check("cart_items_subsidy_nonnegative", sql`${t.subsidyFen} >= 0`),
  ],
);

export const flashSales = pgTable(
  "flash_sales",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    liveSessionId: bigint("live_session_id", { mode: "number" }).notNull().references(() => liveSessions.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    flashPriceFen: bigint("flash_price_fen", { mode: "number" }).notNull(),
    allocatedUnits: integer("allocated_units").notNull(),
    soldUnits: integer("sold_units").notNull().default(0),
    /** Units given back to the product's stock when the sale ended. */
    returnedUnits: integer("returned_units").notNull().default(0),
    perBuyerLimit: integer("per_buyer_limit").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true, mode: "date" }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true, mode: "date" }).notNull(),
    status: flashSaleStatus("status").notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    endReason: text("end_reason"),
    /** Increases with every change of stock or status; subscribers see it as the inventory version. */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("flash_sales_session_idx").on(t.liveSessionId, t.id),
    index("flash_sales_open_idx").on(t.status, t.endsAt),
    // R9: the ledger itself refuses an oversold sale, whatever the application does.
    check("flash_sales_no_oversell", sql`${t.soldUnits} >= 0 AND ${t.soldUnits} <= ${t.allocatedUnits}`),
    check("flash_sales_allocation_positive", sql`${t.allocatedUnits} > 0`),
    check("flash_sales_limit_positive", sql`${t.perBuyerLimit} > 0`),
    check("flash_sales_price_positive", sql`${t.flashPriceFen} > 0`),
    check("flash_sales_window", sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

/** Units each buyer has bought in a flash sale: the per-buyer limit, enforced in the same transaction as the order. */
export const flashSalePurchases = pgTable(
  "flash_sale_purchases",
  {
    flashSaleId: bigint("flash_sale_id", { mode: "number" }).notNull().references(() => flashSales.id),
    buyerId: bigint("buyer_id", { mode: "number" }).notNull().references(() => users.id),
    quantity: integer("quantity").notNull(),
  },
  (t) => [primaryKey({ columns: [t.flashSaleId, t.buyerId] }), check("flash_sale_purchases_positive", sql`${t.quantity} > 0`)],
);

export type LiveSessionRow = typeof liveSessions.$inferSelect;
export type CartItemRow = typeof cartItems.$inferSelect;
export type FlashSaleRow = typeof flashSales.$inferSelect;

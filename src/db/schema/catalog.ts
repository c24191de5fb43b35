import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { TEXT_LIMITS } from "../../shared/text.js";
import { textLimit } from "./text-limits.js";

export const shopKind = pgEnum("shop_kind", ["REGULAR", "CROSS_BORDER"]);
/** UNDER_REVIEW and REJECTED: a cross-border shop before and after an admin's review of its bonded warehouse. */
export const shopStatus = pgEnum("shop_status", ["NORMAL", "CART_DISABLED", "CLOSED", "UNDER_REVIEW", "REJECTED"]);
export const industryBelt = pgEnum("industry_belt", [
  "JADE_RUILI",
  "JADE_SIHUI",
  "JADE_JIEYANG",
  "JADE_KETANG",
  "JADE_ZHENPING",
  "JADE_XIUYAN",
  "JADE_SHIYAN",
  "CLOTHING_HANGZHOU",
  "CLOTHING_ZHENGZHOU",
  "CLOTHING_TONGERBAO",
  "CLOTHING_CHANGSHU",
  "CLOTHING_CANGZHOU",
  "OTHER",
]);

export const shops = pgTable(
  "shops",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ownerId: bigint("owner_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    kind: shopKind("kind").notNull().default("REGULAR"),
    status: shopStatus("status").notNull().default("NORMAL"),
    creditScore: integer("credit_score").notNull().default(100),
    industryBelt: industryBelt("industry_belt").notNull().default("OTHER"),
    bondedWarehouse: text("bonded_warehouse"),
    reviewerId: bigint("reviewer_id", { mode: "number" }).references(() => users.id),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true, mode: "date" }),
    reviewNote: text("review_note"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("shops_owner_idx").on(t.ownerId),
    index("shops_status_idx").on(t.status, t.id),
    textLimit("shops_name_length", t.name, TEXT_LIMITS.shopName),
    textLimit("shops_bonded_warehouse_length", t.bondedWarehouse, TEXT_LIMITS.bondedWarehouse),
    textLimit("shops_review_note_length", t.reviewNote, TEXT_LIMITS.shopReviewNote),
  ],
);

export const products = pgTable(
  "products",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" })
      .notNull()
      .references(() => shops.id),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    category: text("category").notNull(),
    originBelt: industryBelt("origin_belt").notNull().default("OTHER"),
    priceFen: bigint("price_fen", { mode: "number" }).notNull(),
    stock: integer("stock").notNull(),
    crossBorder: boolean("cross_border").notNull().default(false),
    bondedWarehouse: text("bonded_warehouse"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("products_shop_idx").on(t.shopId, t.id),
    index("products_category_idx").on(t.category, t.id),
    index("products_price_idx").on(t.priceFen, t.id),
    index("products_created_idx").on(t.createdAt, t.id),
    check("products_price_positive", sql`${t.priceFen} > 0`),
    check("products_stock_nonnegative", sql`${t.stock} >= 0`),
    check("products_bonded_when_cross_border", sql`(NOT ${t.crossBorder}) OR ${t.bondedWarehouse} IS NOT NULL`),
    textLimit("products_title_length", t.title, TEXT_LIMITS.productTitle),
    textLimit("products_description_length", t.description, TEXT_LIMITS.productDescription),
    textLimit("products_category_length", t.category, TEXT_LIMITS.category),
    textLimit("products_bonded_warehouse_length", t.bondedWarehouse, TEXT_LIMITS.bondedWarehouse),
  ],
);

export type ShopRow = typeof shops.$inferSelect;
export type ProductRow = typeof products.$inferSelect;

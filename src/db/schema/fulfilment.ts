import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { userRole, users } from "./accounts.js";
import { orders, orderStatus } from "./orders.js";

export const orderEventKind = pgEnum("order_event_kind", ["SHIPPED", "RECEIVED", "AUTO_RECEIVED", "REFUNDED", "SETTLED"]);

/**
 * Every transition of an order, append-only (a trigger refuses UPDATE and DELETE): who, when, from, to.
 * A partial refund is a row whose `to_status` equals its `from_status`.
 */
export const orderEvents = pgTable(
  "order_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // No per-row foreign key check: a settlement run writes an event for each of up to hundreds of thousands of
    // orders, from the order rows it has just locked and updated.
    orderId: bigint("order_id", { mode: "number" }).notNull(),
    kind: orderEventKind("kind").notNull(),
    fromStatus: orderStatus("from_status").notNull(),
    toStatus: orderStatus("to_status").notNull(),
    /** Null for the system (auto-receipt, settlement runs). */
    actorId: bigint("actor_id", { mode: "number" }).references(() => users.id),
    actorRole: userRole("actor_role"),
    /** Refunds: the amount (fen). */
    amountFen: bigint("amount_fen", { mode: "number" }),
    note: text("note"),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("order_events_order_idx").on(t.orderId, t.id)],
);

/** The merchant's shipment of an order (one per order). */
export const shipments = pgTable(
  "shipments",
  {
    orderId: bigint("order_id", { mode: "number" }).primaryKey().references(() => orders.id),
    carrier: text("carrier").notNull(),
    trackingNumber: text("tracking_number").notNull(),
    shippedBy: bigint("shipped_by", { mode: "number" }).notNull().references(() => users.id),
    shippedAt: timestamp("shipped_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [check("shipments_text_lengths", sql`length(${t.carrier}) between 1 and 64 and length(${t.trackingNumber}) between 1 and 64`)],
);

/** Money given back to a buyer; an order's refunds never exceed what it paid (checked under the order's row lock). */
export const orderRefunds = pgTable(
  "order_refunds",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orderId: bigint("order_id", { mode: "number" }).notNull().references(() => orders.id),
    amountFen: bigint("amount_fen", { mode: "number" }).notNull(),
    /** Made after the order was settled: recovered from the parties per the order's split. */
    afterSettlement: boolean("after_settlement").notNull().default(false),
    reason: text("reason").notNull(),
    actorId: bigint("actor_id", { mode: "number" }).references(() => users.id),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("order_refunds_order_idx").on(t.orderId), check("order_refunds_amount_positive", sql`${t.amountFen} > 0`)],
);

export type OrderEventRow = typeof orderEvents.$inferSelect;
export type ShipmentRow = typeof shipments.$inferSelect;
export type OrderRefundRow = typeof orderRefunds.$inferSelect;

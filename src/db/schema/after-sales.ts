import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { TEXT_LIMITS } from "../../shared/text.js";
import { userRole, users } from "./accounts.js";
import { shops } from "./catalog.js";
import { orders } from "./orders.js";
import { textLimit } from "./text-limits.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const afterSalesReason = pgEnum("after_sales_reason", ["NOT_RECEIVED", "DESCRIPTION_MISMATCH", "QUALITY", "FREIGHT", "OTHER"]);
export const afterSalesKind = pgEnum("after_sales_kind", ["REFUND_ONLY", "RETURN_AND_REFUND"]);
export const afterSalesStatus = pgEnum("after_sales_status", ["AWAITING_MERCHANT", "PARTIAL_OFFERED", "REJECTED", "ESCALATED", "CLOSED"]);
export const afterSalesOutcome = pgEnum("after_sales_outcome", [
  "MERCHANT_ACCEPTED",
  "PARTIAL_AGREED",
  "PASSIVE_HANDLING",
  "ARBITRATED_FOR_BUYER",
  "ARBITRATED_FOR_MERCHANT",
  "AUTO_CLOSED_FOR_BUYER",
  "WITHDRAWN",
]);
/** How a case decided for the buyer paid: a refund of the order, or the platform's advance compensation (先行赔付). */
export const afterSalesPayment = pgEnum("after_sales_payment", ["NONE", "REFUND", "COMPENSATION"]);
export const afterSalesEventKind = pgEnum("after_sales_event_kind", [
  "OPENED",
  "ACCEPTED",
  "REJECTED",
  "PARTIAL_OFFERED",
  "OFFER_ACCEPTED",
  "PASSIVE_HANDLING",
  "ESCALATED",
  "ARBITRATED",
  "AUTO_CLOSED",
  "WITHDRAWN",
  "REFUNDED",
  "COMPENSATED",
]);

/**
 * A buyer's after-sales case on one of its orders (R17). At most one open case per order; every case is closed
 * within 15 days of opening (`closes_by`). The row holds the current state; `after_sales_events` the history.
 */
export const afterSalesCases = pgTable(
  "after_sales_cases",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orderId: bigint("order_id", { mode: "number" }).notNull().references(() => orders.id),
    buyerId: bigint("buyer_id", { mode: "number" }).notNull().references(() => users.id),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    reason: afterSalesReason("reason").notNull(),
    kind: afterSalesKind("kind").notNull(),
    status: afterSalesStatus("status").notNull(),
    outcome: afterSalesOutcome("outcome"),
    payment: afterSalesPayment("payment").notNull().default("NONE"),
    /** What the buyer asks back (fen). */
    requestedFen: bigint("requested_fen", { mode: "number" }).notNull(),
    /** The merchant's partial offer (fen). */
    offeredFen: bigint("offered_fen", { mode: "number" }),
    /** What the buyer got when the case closed (fen). */
    paidFen: bigint("paid_fen", { mode: "number" }).notNull().default(0),
    description: text("description").notNull(),
    images: jsonb("images").$type<string[]>().notNull().default([]),
    merchantNote: text("merchant_note"),
    decisionNote: text("decision_note"),
    openedAt: at("opened_at").notNull(),
    answerDueAt: at("answer_due_at").notNull(),
    closesBy: at("closes_by").notNull(),
    answeredAt: at("answered_at"),
    escalatedAt: at("escalated_at"),
    closedAt: at("closed_at"),
  },
  (t) => [
    uniqueIndex("after_sales_cases_open_order_idx").on(t.orderId).where(sql`${t.status} <> 'CLOSED'`),
    index("after_sales_cases_buyer_idx").on(t.buyerId, t.id),
    index("after_sales_cases_shop_idx").on(t.shopId, t.id),
    index("after_sales_cases_due_idx").on(t.answerDueAt).where(sql`${t.status} = 'AWAITING_MERCHANT'`),
    index("after_sales_cases_open_idx").on(t.closesBy).where(sql`${t.status} <> 'CLOSED'`),
    check("after_sales_cases_money", sql`${t.requestedFen} > 0 and (${t.offeredFen} is null or ${t.offeredFen} > 0) and ${t.paidFen} >= 0`),
    check("after_sales_cases_closed", sql`(${t.status} = 'CLOSED') = (${t.outcome} is not null and ${t.closedAt} is not null)`),
    textLimit("after_sales_cases_description_length", t.description, TEXT_LIMITS.caseDescription),
    textLimit("after_sales_cases_merchant_note_length", t.merchantNote, TEXT_LIMITS.caseNote),
    textLimit("after_sales_cases_decision_note_length", t.decisionNote, TEXT_LIMITS.caseNote),
    check("after_sales_cases_images_count", sql`jsonb_array_length(${t.images}) <= 9`),
  ],
);

/** Every step of a case, append-only (a trigger refuses UPDATE and DELETE): who, when, from, to, how much. */
export const afterSalesEvents = pgTable(
  "after_sales_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    caseId: bigint("case_id", { mode: "number" }).notNull().references(() => afterSalesCases.id),
    kind: afterSalesEventKind("kind").notNull(),
    fromStatus: afterSalesStatus("from_status"),
    toStatus: afterSalesStatus("to_status").notNull(),
    /** Null for the system (passive handling, the 15-day close). */
    actorId: bigint("actor_id", { mode: "number" }).references(() => users.id),
    actorRole: userRole("actor_role"),
    amountFen: bigint("amount_fen", { mode: "number" }),
    note: text("note"),
    at: at("at").notNull(),
  },
  (t) => [
    index("after_sales_events_case_idx").on(t.caseId, t.id),
    check("after_sales_events_amount", sql`${t.amountFen} is null or ${t.amountFen} >= 0`),
    textLimit("after_sales_events_note_length", t.note, TEXT_LIMITS.caseDescription),
  ],
);

export type AfterSalesCaseRow = typeof afterSalesCases.$inferSelect;
export type AfterSalesEventRow = typeof afterSalesEvents.$inferSelect;

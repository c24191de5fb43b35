import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { TEXT_LIMITS } from "../../shared/text.js";
import { users } from "./accounts.js";
import { afterSalesCases } from "./after-sales.js";
import { shops } from "./catalog.js";
import { textLimit } from "./text-limits.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * Why a shop's credit score moved (R17). OPENING carries a score set before governance kept entries (demo data,
 * imports) so that the score stays the start value plus the sum of the entries.
 */
export const creditCause = pgEnum("credit_cause", ["OPENING", "DESCRIPTION_MISMATCH", "PASSIVE_HANDLING", "LOST_ARBITRATION", "RESTORATION"]);

/** A shop's credit entries, append-only; `shops.credit_score` is the start value plus their sum, kept in the same transaction. */
export const creditEntries = pgTable(
  "credit_entries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    cause: creditCause("cause").notNull(),
    points: integer("points").notNull(),
    scoreAfter: integer("score_after").notNull(),
    caseId: bigint("case_id", { mode: "number" }).references(() => afterSalesCases.id),
    reason: text("reason"),
    /** Null for the system (case outcomes). */
    actorId: bigint("actor_id", { mode: "number" }).references(() => users.id),
    at: at("at").notNull(),
  },
  (t) => [
    index("credit_entries_shop_idx").on(t.shopId, t.id),
    // A case deducts each cause once, however often its closing is attempted.
    uniqueIndex("credit_entries_case_cause_idx").on(t.caseId, t.cause).where(sql`${t.caseId} is not null`),
    check("credit_entries_sign", sql`(${t.cause} = 'OPENING') or (${t.cause} = 'RESTORATION' and ${t.points} > 0) or (${t.cause} not in ('OPENING', 'RESTORATION') and ${t.points} < 0)`),
    textLimit("credit_entries_reason_length", t.reason, TEXT_LIMITS.adminReason),
  ],
);

/**
 * A shop at credit ≤ 0 (R17): what governance itself switched off, so that a restoration above 0 undoes exactly
 * that (a cart an admin had switched off for another reason stays off). At most one open hold per shop.
 */
export const creditHolds = pgTable(
  "credit_holds",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    cartTaken: boolean("cart_taken").notNull(),
    payoutsFrozen: boolean("payouts_frozen").notNull(),
    since: at("since").notNull(),
    liftedAt: at("lifted_at"),
    liftedBy: bigint("lifted_by", { mode: "number" }).references(() => users.id),
  },
  (t) => [uniqueIndex("credit_holds_open_idx").on(t.shopId).where(sql`${t.liftedAt} is null`)],
);

export type CreditEntryRow = typeof creditEntries.$inferSelect;
export type CreditHoldRow = typeof creditHolds.$inferSelect;

import { sql } from "drizzle-orm";
import { bigint, index, pgEnum, pgSequence, pgTable, primaryKey, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Double-entry ledger. ESCROW holds buyers' payments until settlement (its balance is minus what left it);
 * MERCHANT / MERCHANT_HELD are a shop's payable and frozen balances (owner: shop id), PROMOTER a promoter's
 * (owner: user id); PLATFORM_* the platform's fees; BUYER_REFUNDS what went back to buyers. Owner 0: the platform.
 * Governance (R17): MERCHANT_DEPOSIT a shop's deposit (梯度保证金), paid in from DEPOSIT_FUNDS (outside money, like
 * ESCROW); 先行赔付 pays BUYER_COMPENSATIONS from PLATFORM_GUARANTEE, which the shop's deposit refills, and what the
 * deposit cannot cover is MERCHANT_RECEIVABLE (negative: the shop owes it).
 */
export const ledgerAccountKind = pgEnum("ledger_account_kind", [
  "ESCROW",
  "MERCHANT",
  "MERCHANT_HELD",
  "PROMOTER",
  "PLATFORM_PROMOTION_FEE",
  "PLATFORM_TECHNICAL_FEE",
  "BUYER_REFUNDS",
  "MERCHANT_DEPOSIT",
  "MERCHANT_RECEIVABLE",
  "DEPOSIT_FUNDS",
  "PLATFORM_GUARANTEE",
  "BUYER_COMPENSATIONS",
]);
export const ledgerPostingKind = pgEnum("ledger_posting_kind", [
  "SETTLEMENT",
  "REFUND",
  "REFUND_REVERSAL",
  "HOLD_RELEASE",
  "DEPOSIT_TOP_UP",
  "COMPENSATION",
  "COMPENSATION_RECOVERY",
]);

export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: ledgerAccountKind("kind").notNull(),
    ownerId: bigint("owner_id", { mode: "number" }).notNull().default(0),
  },
  (t) => [uniqueIndex("ledger_accounts_kind_owner_idx").on(t.kind, t.ownerId)],
);

/** One id per balanced set of entries. */
export const ledgerPostingSeq = pgSequence("ledger_posting_seq");

/**
 * Entries, never edited: a posting's entries sum to zero; an account's balance is the sum of its entries
 * (positive: owed to the account's owner). Order and refund ids are kept for reconciliation and statements.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    postingId: bigint("posting_id", { mode: "number" }).notNull(),
    // No foreign key check per row (a settlement run writes about a million entries; the checks were 80% of
    // its time): entries are only written joined to their account rows, which are never deleted.
    accountId: bigint("account_id", { mode: "number" }).notNull(),
    kind: ledgerPostingKind("kind").notNull(),
    amountFen: bigint("amount_fen", { mode: "number" }).notNull(),
    orderId: bigint("order_id", { mode: "number" }),
    refundId: bigint("refund_id", { mode: "number" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.postingId, t.accountId] }),
    index("ledger_entries_account_idx").on(t.accountId, t.at),
    index("ledger_entries_order_idx").on(t.orderId).where(sql`${t.orderId} is not null`),
  ],
);

export type LedgerAccountRow = typeof ledgerAccounts.$inferSelect;
export type LedgerEntryRow = typeof ledgerEntries.$inferSelect;

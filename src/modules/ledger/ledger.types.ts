export type LedgerAccountKind =
  | "ESCROW"
  | "MERCHANT"
  | "MERCHANT_HELD"
  | "PROMOTER"
  | "PLATFORM_PROMOTION_FEE"
  | "PLATFORM_TECHNICAL_FEE"
  | "BUYER_REFUNDS"
  | "MERCHANT_DEPOSIT"
  | "MERCHANT_RECEIVABLE"
  | "DEPOSIT_FUNDS"
  | "PLATFORM_GUARANTEE"
  | "BUYER_COMPENSATIONS";

export type LedgerPostingKind = "SETTLEMENT" | "REFUND" | "REFUND_REVERSAL" | "HOLD_RELEASE" | "DEPOSIT_TOP_UP" | "COMPENSATION" | "COMPENSATION_RECOVERY";

/** One line of a posting: an account (kind + owner) and a signed amount (positive: owed to the owner). */
export interface LedgerLine {
  kind: LedgerAccountKind;
  ownerId: number;
  amountFen: number;
}

export interface Posting {
  kind: LedgerPostingKind;
  at: Date;
  orderId?: number | null;
  refundId?: number | null;
  lines: LedgerLine[];
}

import { registerEnumType } from "type-graphql";
import { AppError } from "../../shared/errors.js";
import { checkText, TEXT_LIMITS, type TextRule } from "../../shared/text.js";
import { DAY_MS } from "../../shared/clock.js";

export type Status = "ACCEPTED" | "SHIPPED" | "RECEIVED" | "SETTLED" | "CANCELLED" | "REFUNDED";
export type Transition = "SHIP" | "CONFIRM_RECEIPT" | "AUTO_RECEIPT" | "REFUND_BY_MERCHANT" | "REFUND_BY_PLATFORM";

export enum OrderTransitionErrorCode {
  ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION",
  INVALID_AMOUNT = "INVALID_AMOUNT",
  EXCEEDS_REFUNDABLE = "EXCEEDS_REFUNDABLE",
  INVALID_SHIPMENT = "INVALID_SHIPMENT",
  INVALID_REASON = "INVALID_REASON",
}
registerEnumType(OrderTransitionErrorCode, {
  name: "OrderTransitionErrorCode",
  description: "Why an order could not move: the transition is not allowed from its status, or the input is off.",
});

/**
 * The lifecycle: ACCEPTED → SHIPPED (merchant) → RECEIVED (buyer, or automatically) → SETTLED (the settlement run).
 * Merchants refund before shipping; later refunds are after-sales decisions (the platform), before or after
 * settlement. A full refund ends the order as REFUNDED.
 */
const ALLOWED: Record<Transition, readonly Status[]> = {
  SHIP: ["ACCEPTED"],
  CONFIRM_RECEIPT: ["SHIPPED"],
  AUTO_RECEIPT: ["SHIPPED"],
  REFUND_BY_MERCHANT: ["ACCEPTED"],
  REFUND_BY_PLATFORM: ["ACCEPTED", "SHIPPED", "RECEIVED", "SETTLED"],
};

export function mayTransition(transition: Transition, from: Status): boolean {
  return ALLOWED[transition].includes(from);
}

export function illegalMessage(transition: Transition, from: Status): string {
  const what: Record<Transition, string> = {
    SHIP: "shipped",
    CONFIRM_RECEIPT: "confirmed as received",
    AUTO_RECEIPT: "received automatically",
    REFUND_BY_MERCHANT: "refunded by the merchant (after shipping, refunds go through after-sales)",
    REFUND_BY_PLATFORM: "refunded",
  };
  return `A ${from} order cannot be ${what[transition]}.`;
}


/** When a shipped order counts as received if the buyer never confirms. */
export function autoReceiptAt(shippedAt: Date, autoReceiveDays: number): Date {
  return new Date(shippedAt.getTime() + autoReceiveDays * DAY_MS);
}

/** What may still be refunded of an order: what was paid less what was refunded. */
export function refundable(totalFen: number, refundedFen: number): number {
  return Math.max(0, totalFen - refundedFen);
}

export const MAX_SHIPMENT_TEXT = TEXT_LIMITS.shipmentText.max;
export const MAX_REASON = TEXT_LIMITS.adminReason.max;

/**
 * The shared text rule (src/shared/text.ts: graphemes, invisible-only, control characters) as a userError's condition,
 * for callers that do not come through GraphQL's validator (other modules refunding as the platform): the trimmed
 * text, or null when the rule refuses it.
 */
export function cleanText(text: string, rule: TextRule): string | null {
  try {
    return checkText(text, rule, "text");
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

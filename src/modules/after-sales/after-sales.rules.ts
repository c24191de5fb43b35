import { registerEnumType } from "type-graphql";
import type { UserErrorValue } from "../../shared/user-errors.js";
import { DAY_MS, HOUR_MS } from "../../shared/clock.js";

export type CaseStatus = "AWAITING_MERCHANT" | "PARTIAL_OFFERED" | "REJECTED" | "ESCALATED" | "CLOSED";
export type CaseReason = "NOT_RECEIVED" | "DESCRIPTION_MISMATCH" | "QUALITY" | "FREIGHT" | "OTHER";
export type CaseOutcome =
  | "MERCHANT_ACCEPTED"
  | "PARTIAL_AGREED"
  | "PASSIVE_HANDLING"
  | "ARBITRATED_FOR_BUYER"
  | "ARBITRATED_FOR_MERCHANT"
  | "AUTO_CLOSED_FOR_BUYER"
  | "WITHDRAWN";
export type CaseAction = "ANSWER" | "ACCEPT_OFFER" | "ESCALATE" | "WITHDRAW" | "ARBITRATE";

export enum AfterSalesErrorCode {
  ORDER_NOT_ELIGIBLE = "ORDER_NOT_ELIGIBLE",
  WINDOW_CLOSED = "WINDOW_CLOSED",
  CASE_ALREADY_OPEN = "CASE_ALREADY_OPEN",
  NOTHING_REFUNDABLE = "NOTHING_REFUNDABLE",
  INVALID_AMOUNT = "INVALID_AMOUNT",
  EXCEEDS_REFUNDABLE = "EXCEEDS_REFUNDABLE",
  TOO_MANY_IMAGES = "TOO_MANY_IMAGES",
  NOTE_REQUIRED = "NOTE_REQUIRED",
  ILLEGAL_STEP = "ILLEGAL_STEP",
  ANSWER_DEADLINE_PASSED = "ANSWER_DEADLINE_PASSED",
  REFUND_REFUSED = "REFUND_REFUSED",
}
registerEnumType(AfterSalesErrorCode, { name: "AfterSalesErrorCode", description: "Why an after-sales step was refused; nothing was changed." });

export type AfterSalesUserError = UserErrorValue<AfterSalesErrorCode>;

/** Seed 003: "15日纠纷处理完结" — every case is closed within 15 days of opening. */
export const CLOSE_WITHIN_DAYS = 15;
export const MAX_IMAGES = 9;

export interface CaseTerms {
  /** A case may be opened until this many days after the order's receipt (before receipt: always). */
  windowDays: number;
  /** The merchant answers within this many hours of the opening; later is passive handling. */
  answerHours: number;
}

/** Orders a buyer may open a case on: paid and not cancelled nor fully refunded. */
const OPENABLE: ReadonlySet<string> = new Set(["ACCEPTED", "SHIPPED", "RECEIVED", "SETTLED"]);

export function mayOpenOn(order: { status: string; receivedAt: Date | null }, now: Date, terms: CaseTerms): "ok" | "status" | "window" {
  if (!OPENABLE.has(order.status)) return "status";
  if (order.receivedAt && now.getTime() > order.receivedAt.getTime() + terms.windowDays * DAY_MS) return "window";
  return "ok";
}

export function deadlines(openedAt: Date, terms: CaseTerms): { answerDueAt: Date; closesBy: Date } {
  return {
    answerDueAt: new Date(openedAt.getTime() + terms.answerHours * HOUR_MS),
    closesBy: new Date(openedAt.getTime() + CLOSE_WITHIN_DAYS * DAY_MS),
  };
}

/** Which steps each status allows (every other is ILLEGAL_STEP). */
const STEPS: Record<CaseAction, readonly CaseStatus[]> = {
  ANSWER: ["AWAITING_MERCHANT"],
  ACCEPT_OFFER: ["PARTIAL_OFFERED"],
  ESCALATE: ["REJECTED", "PARTIAL_OFFERED"],
  WITHDRAW: ["AWAITING_MERCHANT", "PARTIAL_OFFERED", "REJECTED", "ESCALATED"],
  ARBITRATE: ["ESCALATED"],
};

export function mayStep(action: CaseAction, status: CaseStatus): boolean {
  return STEPS[action].includes(status);
}

/** The merchant's answer is on time up to and including its deadline. */
export function answerOnTime(answerDueAt: Date, now: Date): boolean {
  return now.getTime() <= answerDueAt.getTime();
}

/** A case still open at `closesBy` (day 15) is decided for the buyer. */
export function overdue(closesBy: Date, now: Date): boolean {
  return now.getTime() >= closesBy.getTime();
}

export function decidedForBuyer(outcome: CaseOutcome): boolean {
  return outcome !== "ARBITRATED_FOR_MERCHANT" && outcome !== "WITHDRAWN";
}

/**
 * 先行赔付 (seed 003): a case decided for the buyer on a completed trade (received or settled) whose problem is
 * quality or freight cannot be refunded online: the platform pays the buyer and recovers it from the shop's deposit.
 */
export function paysByCompensation(reason: CaseReason, orderStatus: string): boolean {
  return (reason === "QUALITY" || reason === "FREIGHT") && (orderStatus === "RECEIVED" || orderStatus === "SETTLED");
}

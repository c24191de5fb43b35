import { registerEnumType } from "type-graphql";
import type { CaseOutcome, CaseReason } from "../after-sales/index.js";

export type DeductionCause = "DESCRIPTION_MISMATCH" | "PASSIVE_HANDLING" | "LOST_ARBITRATION";
export type CreditCauseValue = "OPENING" | DeductionCause | "RESTORATION";

export enum CreditCause {
  OPENING = "OPENING",
  DESCRIPTION_MISMATCH = "DESCRIPTION_MISMATCH",
  PASSIVE_HANDLING = "PASSIVE_HANDLING",
  LOST_ARBITRATION = "LOST_ARBITRATION",
  RESTORATION = "RESTORATION",
}
registerEnumType(CreditCause, {
  name: "CreditCause",
  description:
    "Why a shop's credit moved: a case decided for the buyer on a description mismatch (描述不符), passive handling (消极处理), a lost arbitration, an admin's restoration, or OPENING (a score set before entries were kept).",
});

export interface CreditTerms {
  /** The score of a shop without entries; the score is this plus the sum of its entries. */
  startScore: number;
  /** Points deducted per cause (configurable table, CREDIT_DEDUCTIONS). */
  deductions: Record<DeductionCause, number>;
}

/**
 * The deductions a closed case costs its shop (R17, seed 003): a description mismatch decided for the buyer,
 * passive handling, a lost arbitration — each once per case, and they add up.
 */
export function deductionsFor(closed: { reason: CaseReason; outcome: CaseOutcome }, terms: CreditTerms): { cause: DeductionCause; points: number }[] {
  const forBuyer = closed.outcome !== "ARBITRATED_FOR_MERCHANT" && closed.outcome !== "WITHDRAWN";
  const causes: DeductionCause[] = [];
  if (forBuyer && closed.reason === "DESCRIPTION_MISMATCH") causes.push("DESCRIPTION_MISMATCH");
  if (closed.outcome === "PASSIVE_HANDLING") causes.push("PASSIVE_HANDLING");
  if (closed.outcome === "ARBITRATED_FOR_BUYER") causes.push("LOST_ARBITRATION");
  return causes.filter((cause) => terms.deductions[cause] > 0).map((cause) => ({ cause, points: -terms.deductions[cause] }));
}

/** At credit ≤ 0 the shop loses the cart and its payouts freeze; both lift when the score is back above 0. */
export function restricted(score: number): boolean {
  return score <= 0;
}

import { registerEnumType } from "type-graphql";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";

export enum GovernanceErrorCode {
  INVALID_SCORE = "INVALID_SCORE",
  TARGET_REQUIRED = "TARGET_REQUIRED",
  ORDER_NOT_RECEIVED = "ORDER_NOT_RECEIVED",
  ORDER_NOT_OF_SHOP = "ORDER_NOT_OF_SHOP",
  ALREADY_RATED = "ALREADY_RATED",
  INVALID_REASON = "INVALID_REASON",
  EVIDENCE_REQUIRED = "EVIDENCE_REQUIRED",
  INVALID_EVIDENCE = "INVALID_EVIDENCE",
  PRODUCT_NOT_OF_SHOP = "PRODUCT_NOT_OF_SHOP",
  OCCURRED_IN_FUTURE = "OCCURRED_IN_FUTURE",
  INVALID_POINTS = "INVALID_POINTS",
  INVALID_AMOUNT = "INVALID_AMOUNT",
}
registerEnumType(GovernanceErrorCode, { name: "GovernanceErrorCode", description: "Why a rating, a quality violation, a shop setting, a credit restoration or a deposit top-up was refused." });

export type GovernanceUserError = UserErrorValue<GovernanceErrorCode>;

export const MAX_EVIDENCE_ITEMS = 20;
/** Orders a buyer may rate: received, or already settled. */
export const RATEABLE_ORDER_STATUSES: ReadonlySet<string> = new Set(["RECEIVED", "SETTLED"]);

/** DSR scores (description, service, logistics) are whole numbers 1–5. */
export function checkScores(scores: { description: number; service: number; logistics: number }): GovernanceUserError[] {
  return (["description", "service", "logistics"] as const)
    .filter((k) => !Number.isInteger(scores[k]) || scores[k] < 1 || scores[k] > 5)
    .map((k) => userError(GovernanceErrorCode.INVALID_SCORE, `The ${k} score is a whole number from 1 to 5.`, k));
}

/** A quality violation names its reason and the evidence it rests on, and has already happened. */
export function checkViolationDraft(draft: { reason: string; evidence: string[]; occurredAt: Date }, now: Date): GovernanceUserError[] {
  const errors: GovernanceUserError[] = [];
  const evidence = draft.evidence.map((e) => e.trim());
  if (evidence.length === 0) errors.push(userError(GovernanceErrorCode.EVIDENCE_REQUIRED, "Name at least one piece of evidence (report, photo link, complaint number).", "evidence"));
  if (evidence.length > MAX_EVIDENCE_ITEMS) errors.push(userError(GovernanceErrorCode.INVALID_EVIDENCE, `At most ${MAX_EVIDENCE_ITEMS} pieces of evidence.`, "evidence"));
  if (draft.occurredAt.getTime() > now.getTime()) errors.push(userError(GovernanceErrorCode.OCCURRED_IN_FUTURE, "A violation is recorded after it happened.", "occurredAt"));
  return errors;
}

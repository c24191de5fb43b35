import { registerEnumType } from "type-graphql";
import { formatFen } from "../../shared/money.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";
import { DAY_MS, HOUR_MS } from "../../shared/clock.js";

export enum DistributionErrorCode {
  ALREADY_APPROVED = "ALREADY_APPROVED",
  APPLICATION_IN_PROGRESS = "APPLICATION_IN_PROGRESS",
  RETRY_TOO_EARLY = "RETRY_TOO_EARLY",
  NOT_PENDING_REVIEW = "NOT_PENDING_REVIEW",
  NOT_AWAITING_INSPECTION = "NOT_AWAITING_INSPECTION",
  INVALID_NOTE = "INVALID_NOTE",
}
registerEnumType(DistributionErrorCode, { name: "DistributionErrorCode", description: "Why a distribution application step was refused." });

export enum CommissionPlanErrorCode {
  INVALID_RATE = "INVALID_RATE",
  RATE_OUT_OF_RANGE = "RATE_OUT_OF_RANGE",
  SHOP_NOT_APPROVED = "SHOP_NOT_APPROVED",
  ALREADY_PUBLISHED = "ALREADY_PUBLISHED",
  PRODUCT_NOT_IN_ALLIANCE = "PRODUCT_NOT_IN_ALLIANCE",
  TARGET_REQUIRED = "TARGET_REQUIRED",
  PROMOTERS_REQUIRED = "PROMOTERS_REQUIRED",
  TOO_MANY_PROMOTERS = "TOO_MANY_PROMOTERS",
  UNKNOWN_PROMOTER = "UNKNOWN_PROMOTER",
  DECREASE_WINDOW_CLOSED = "DECREASE_WINDOW_CLOSED",
  PLAN_CLOSED = "PLAN_CLOSED",
  NOT_TARGETED = "NOT_TARGETED",
  NOT_ON_PLAN = "NOT_ON_PLAN",
}
registerEnumType(CommissionPlanErrorCode, { name: "CommissionPlanErrorCode", description: "Why a commission plan change was refused." });

/** The onboarding steps of R6; each missing one is reported by name. */
export enum OnboardingStep {
  OWN_SHOP = "OWN_SHOP",
  PROMOTION_PID = "PROMOTION_PID",
  PAYOUT_ACCOUNT = "PAYOUT_ACCOUNT",
}
registerEnumType(OnboardingStep, { name: "OnboardingStep", description: "A step a promoter completes before it can promote (R6)." });

export enum PromoterErrorCode {
  OWN_SHOP_MISSING = "OWN_SHOP_MISSING",
  PROMOTION_PID_MISSING = "PROMOTION_PID_MISSING",
  PAYOUT_ACCOUNT_MISSING = "PAYOUT_ACCOUNT_MISSING",
  INVALID_PID = "INVALID_PID",
  PID_TAKEN = "PID_TAKEN",
  INVALID_PAYOUT_ACCOUNT = "INVALID_PAYOUT_ACCOUNT",
  NOT_IN_ALLIANCE = "NOT_IN_ALLIANCE",
  NOT_ON_SHELF = "NOT_ON_SHELF",
  SHELF_FULL = "SHELF_FULL",
  SHELF_MISMATCH = "SHELF_MISMATCH",
}
registerEnumType(PromoterErrorCode, { name: "PromoterErrorCode", description: "Why a promoter's onboarding or shelf change was refused." });

export enum SampleRequestErrorCode {
  OWN_SHOP_MISSING = "OWN_SHOP_MISSING",
  PROMOTION_PID_MISSING = "PROMOTION_PID_MISSING",
  PAYOUT_ACCOUNT_MISSING = "PAYOUT_ACCOUNT_MISSING",
  NOT_ON_SHELF = "NOT_ON_SHELF",
  ALREADY_REQUESTED = "ALREADY_REQUESTED",
  ALREADY_DECIDED = "ALREADY_DECIDED",
  TRACKING_NO_REQUIRED = "TRACKING_NO_REQUIRED",
  TRACKING_NO_NOT_ALLOWED = "TRACKING_NO_NOT_ALLOWED",
  INVALID_NOTE = "INVALID_NOTE",
}
registerEnumType(SampleRequestErrorCode, { name: "SampleRequestErrorCode", description: "Why a sample request or its decision was refused." });

export type DistributionUserError = UserErrorValue<DistributionErrorCode>;
export type CommissionPlanUserError = UserErrorValue<CommissionPlanErrorCode>;
export type PromoterUserError = UserErrorValue<PromoterErrorCode>;
export type SampleRequestUserError = UserErrorValue<SampleRequestErrorCode>;


// ---------------------------------------------------------------- eligibility (R1, R2)

export enum EligibilityRule {
  ACCOUNT_NOT_BANNED = "ACCOUNT_NOT_BANNED",
  SHOP_STATUS_NORMAL = "SHOP_STATUS_NORMAL",
  CREDIT_SCORE_POSITIVE = "CREDIT_SCORE_POSITIVE",
  GMV_LAST_30_DAYS = "GMV_LAST_30_DAYS",
  DSR_LAST_90_DAYS = "DSR_LAST_90_DAYS",
  NO_SERIOUS_QUALITY_VIOLATION_365_DAYS = "NO_SERIOUS_QUALITY_VIOLATION_365_DAYS",
  SHORT_SETTLEMENT_DISABLED = "SHORT_SETTLEMENT_DISABLED",
}
registerEnumType(EligibilityRule, {
  name: "EligibilityRule",
  description: "A rule of the distribution eligibility check (R1, seed 002).",
  valuesConfig: {
    ACCOUNT_NOT_BANNED: { description: "The merchant's account is not banned." },
    SHOP_STATUS_NORMAL: { description: "The shop is NORMAL: the cart (挂车) works in live rooms, short videos and the profile page." },
    CREDIT_SCORE_POSITIVE: { description: "The shop's credit score is above 0." },
    GMV_LAST_30_DAYS: { description: "Sales of the last 30 days, cancelled and refunded orders excluded, are at least 100.00 yuan." },
    DSR_LAST_90_DAYS: { description: "The shop's DSR over the last 90 days is at least 4.70." },
    NO_SERIOUS_QUALITY_VIOLATION_365_DAYS: { description: "No serious quality violation of promoted goods in the last 365 days." },
    SHORT_SETTLEMENT_DISABLED: { description: "The short settlement period (短账期) is not enabled." },
  },
});

export const GMV_WINDOW_DAYS = 30;
export const DSR_WINDOW_DAYS = 90;
export const VIOLATION_WINDOW_DAYS = 365;
export const MIN_GMV_FEN = 10_000;
/** DSR threshold in hundredths (4.70). */
export const MIN_DSR_HUNDREDTHS = 470;
export const RETRY_AFTER_MS = 24 * HOUR_MS;

/** What the system reads about a shop at check time. */
export interface EligibilityFacts {
  ownerBanned: boolean;
  shopStatus: string;
  creditScore: number;
  gmvFen: number;
  /** Sum of all DSR scores (three per rating) and the number of ratings in the window. */
  dsrPoints: number;
  dsrRatings: number;
  seriousViolations: number;
  shortSettlementEnabled: boolean;
}

export interface EligibilityCheck {
  rule: EligibilityRule;
  passed: boolean;
  value: string;
  threshold: string;
}

export const windowStart = (at: Date, days: number) => new Date(at.getTime() - days * DAY_MS);

/** The DSR is the mean of every score, truncated to hundredths: 4.699 shows as 4.69 and fails, as it should. */
export function dsrHundredths(points: number, ratings: number): number | null {
  if (ratings === 0) return null;
  return Number((BigInt(points) * 100n) / (BigInt(ratings) * 3n));
}

const hundredths = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, "0")}`;

/** R1: every rule, in the order of the source document, with the value seen and the threshold. */
export function evaluateEligibility(f: EligibilityFacts): EligibilityCheck[] {
  const dsr = dsrHundredths(f.dsrPoints, f.dsrRatings);
  return [
    { rule: EligibilityRule.ACCOUNT_NOT_BANNED, passed: !f.ownerBanned, value: f.ownerBanned ? "BANNED" : "NOT_BANNED", threshold: "NOT_BANNED" },
    { rule: EligibilityRule.SHOP_STATUS_NORMAL, passed: f.shopStatus === "NORMAL", value: f.shopStatus, threshold: "NORMAL" },
    { rule: EligibilityRule.CREDIT_SCORE_POSITIVE, passed: f.creditScore > 0, value: String(f.creditScore), threshold: "> 0" },
    { rule: EligibilityRule.GMV_LAST_30_DAYS, passed: f.gmvFen >= MIN_GMV_FEN, value: formatFen(f.gmvFen), threshold: `>= ${formatFen(MIN_GMV_FEN)}` },
    {
      rule: EligibilityRule.DSR_LAST_90_DAYS,
      passed: dsr !== null && dsr >= MIN_DSR_HUNDREDTHS,
      value: dsr === null ? "NO_RATINGS" : hundredths(dsr),
      threshold: `>= ${hundredths(MIN_DSR_HUNDREDTHS)}`,
    },
    {
      rule: EligibilityRule.NO_SERIOUS_QUALITY_VIOLATION_365_DAYS,
      passed: f.seriousViolations === 0,
      value: String(f.seriousViolations),
      threshold: "0",
    },
    {
      rule: EligibilityRule.SHORT_SETTLEMENT_DISABLED,
      passed: !f.shortSettlementEnabled,
      value: f.shortSettlementEnabled ? "ENABLED" : "DISABLED",
      threshold: "DISABLED",
    },
  ];
}

/** R2: a failed application may be filed again 24 hours after the failure, not a millisecond earlier. */
export function retryAfter(failedAt: Date): Date {
  return new Date(failedAt.getTime() + RETRY_AFTER_MS);
}

/** Whether a shop whose failed application carries `retryAt` may apply at `now`. */
export function mayRetry(retryAt: Date, now: Date): boolean {
  return now.getTime() >= retryAt.getTime();
}

// ---------------------------------------------------------------- commission rates (R4, R5)

export const MIN_RATE_BPS = 100;
export const MAX_RATE_BPS = 9_000;

/** "12.5" (percent, at most two decimals) → 1250 basis points; null if it is not such a number. */
export function parseRatePercent(text: string): number | null {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

export function formatRatePercent(bps: number): string {
  return hundredths(bps);
}

/** R4: the rate must be 1%–90%; returns the basis points or the userError. */
export function checkRate(text: string): { bps: number } | { error: CommissionPlanUserError } {
  const bps = parseRatePercent(text);
  if (bps === null) {
    return { error: userError(CommissionPlanErrorCode.INVALID_RATE, "ratePercent is a percentage with at most two decimals, e.g. \"12.5\".", "ratePercent") };
  }
  if (bps < MIN_RATE_BPS || bps > MAX_RATE_BPS) {
    return {
      error: userError(
        CommissionPlanErrorCode.RATE_OUT_OF_RANGE,
        `The commission rate must be from ${formatRatePercent(MIN_RATE_BPS)}% to ${formatRatePercent(MAX_RATE_BPS)}%; ${formatRatePercent(bps)}% is not.`,
        "ratePercent",
      ),
    };
  }
  return { bps };
}

/** R5: the lower the number, the higher the priority. The SQL resolution orders by this. */
export const PLAN_PRIORITY = { PRODUCT_TARGETED: 0, SHOP_TARGETED: 1, GENERAL: 2 } as const;
export type PlanKind = keyof typeof PLAN_PRIORITY;

/** China Standard Time has no daylight saving: UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * HOUR_MS;
/** Decreases are refused from 23:50 China time until midnight. */
const DECREASE_CUTOFF_MS = 23 * HOUR_MS + 50 * 60_000;

export function chinaTimeOfDayMs(at: Date): number {
  const local = at.getTime() + CHINA_OFFSET_MS;
  return ((local % DAY_MS) + DAY_MS) % DAY_MS;
}

/** 00:00 China time of the day after `at` (China time). */
export function nextChinaMidnight(at: Date): Date {
  return new Date(at.getTime() - chinaTimeOfDayMs(at) + DAY_MS);
}

export interface PlanRates {
  rateBps: number;
  pendingRateBps: number | null;
  pendingEffectiveAt: Date | null;
}

/** The rate in force at `at`: a scheduled decrease counts from its effective time on. */
export function effectiveRateBps(plan: PlanRates, at: Date): number {
  return plan.pendingRateBps !== null && plan.pendingEffectiveAt !== null && plan.pendingEffectiveAt.getTime() <= at.getTime()
    ? plan.pendingRateBps
    : plan.rateBps;
}

/**
 * R4: an increase (or a rate equal to the current one, which withdraws a scheduled decrease) applies at once;
 * a decrease is scheduled for the next 00:00 China time, and refused from 23:50 until midnight.
 */
export function changeRate(plan: PlanRates, newBps: number, at: Date): { rates: PlanRates } | { error: CommissionPlanUserError } {
  const current = effectiveRateBps(plan, at);
  if (newBps >= current) return { rates: { rateBps: newBps, pendingRateBps: null, pendingEffectiveAt: null } };
  if (decreaseWindowClosed(at)) return { error: decreaseRefused("ratePercent") };
  return { rates: { rateBps: current, pendingRateBps: newBps, pendingEffectiveAt: nextChinaMidnight(at) } };
}

/** R4: from 23:50 China time until midnight nothing may lower the rate a promoter resolves. */
export function decreaseWindowClosed(at: Date): boolean {
  return chinaTimeOfDayMs(at) >= DECREASE_CUTOFF_MS;
}

export function decreaseRefused(field: string): CommissionPlanUserError {
  return userError(
    CommissionPlanErrorCode.DECREASE_WINDOW_CLOSED,
    "This change lowers a promoter's commission, and decreases are not accepted between 23:50 and 24:00 China time; try again after midnight.",
    field,
  );
}

/** A pair whose resolved rate `after` a change is below what it was `before` (absent after: nothing to earn). */
export function loweredPairs<K, R extends { rateBps: number }>(before: Map<K, R>, after: Map<K, R>): [K, R][] {
  return [...before].filter(([key, rate]) => (after.get(key)?.rateBps ?? 0) < rate.rateBps);
}

// ---------------------------------------------------------------- promoters (R6, R7)

export const MAX_SHELF_ITEMS = 200;
export const MAX_PLAN_PROMOTERS = 1_000;

export interface OnboardingFacts {
  hasOwnShop: boolean;
  pidBound: boolean;
  payoutSigned: boolean;
}

/** The onboarding facts of a promoter's profile row (null when it has none yet). */
export function onboardingFactsOf(profile: { promotionPid: string | null; payoutSignedAt: Date | null } | null, hasOwnShop: boolean): OnboardingFacts {
  return { hasOwnShop, pidBound: Boolean(profile?.promotionPid), payoutSigned: Boolean(profile?.payoutSignedAt) };
}

export function missingOnboardingSteps(f: OnboardingFacts): OnboardingStep[] {
  const missing: OnboardingStep[] = [];
  if (!f.hasOwnShop) missing.push(OnboardingStep.OWN_SHOP);
  if (!f.pidBound) missing.push(OnboardingStep.PROMOTION_PID);
  if (!f.payoutSigned) missing.push(OnboardingStep.PAYOUT_ACCOUNT);
  return missing;
}

const STEP_ERRORS = {
  [OnboardingStep.OWN_SHOP]: { code: "OWN_SHOP_MISSING", message: "Open your own shop (小店) before promoting." },
  [OnboardingStep.PROMOTION_PID]: { code: "PROMOTION_PID_MISSING", message: "Bind your alliance promotion PID before promoting." },
  [OnboardingStep.PAYOUT_ACCOUNT]: { code: "PAYOUT_ACCOUNT_MISSING", message: "Sign a payout account before promoting." },
} as const;

/** R6: one userError per missing step; the codes exist in both the promoter and the sample-request enums. */
export function onboardingErrors<C extends PromoterErrorCode | SampleRequestErrorCode>(f: OnboardingFacts): UserErrorValue<C>[] {
  return missingOnboardingSteps(f).map((step) => userError(STEP_ERRORS[step].code as C, STEP_ERRORS[step].message));
}

export function checkPid(pid: string): PromoterUserError | null {
  return /^[A-Za-z0-9_-]{6,64}$/.test(pid)
    ? null
    : userError(PromoterErrorCode.INVALID_PID, "A promotion PID is 6–64 letters, digits, '_' or '-'.", "pid");
}

export function checkPayoutAccount(accountName: string, accountNo: string): PromoterUserError[] {
  const errors: PromoterUserError[] = [];
  if (accountName.trim().length === 0 || accountName.length > 64) {
    errors.push(userError(PromoterErrorCode.INVALID_PAYOUT_ACCOUNT, "The account holder's name must be 1–64 characters.", "accountName"));
  }
  if (!/^[A-Za-z0-9@._+-]{4,64}$/.test(accountNo)) {
    errors.push(userError(PromoterErrorCode.INVALID_PAYOUT_ACCOUNT, "The account number must be 4–64 characters (letters, digits, @ . _ + -).", "accountNo"));
  }
  return errors;
}

/** reorderShelf must name every product on the shelf exactly once. */
export function isPermutation(current: readonly number[], proposed: readonly number[]): boolean {
  if (current.length !== proposed.length) return false;
  const set = new Set(proposed);
  return set.size === proposed.length && current.every((id) => set.has(id));
}

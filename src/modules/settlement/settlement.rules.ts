import { registerEnumType } from "type-graphql";
import { divideHalfEven } from "../../shared/money.js";

/** Seed 002: the platform keeps 10% of the promoter's commission as promotion service fee. */
export const PROMOTION_FEE_BPS = 1_000;
/** R16: an order settles 7 days after its receipt. */
export const SETTLE_AFTER_DAYS = 7;
const BPS = 10_000n;

export interface SettlementTerms {
  defaultTechnicalBps: number;
  fanxing: { from: Date; until: Date; rateBps: number; lineFen: number };
}

export interface SplitInput {
  baseFen: number;
  promoted: boolean;
  commissionRateBps: number;
  technicalRateBps: number;
  /** 凡星 enrolment of the shop, and its settled sales before this order. */
  enrolled: boolean;
  fanxingRateBps: number;
  fanxingLineFen: number;
  settledBeforeFen: number;
}

export interface Split {
  commissionFen: number;
  promotionFeeFen: number;
  promoterFen: number;
  fanxingBaseFen: number;
  technicalFeeFen: number;
  merchantFen: number;
}

const he = (numerator: bigint, denominator: bigint) => Number(divideHalfEven(numerator, denominator));

/**
 * R16, one order, integer fen, half-even: commission = base × frozen rate (none without a promoter); promotion
 * fee = 10% of the commission, out of the promoter's share; technical fee = the part of the base below the 凡星
 * line at the 凡星 rate plus the rest at the category's rate, rounded once; the merchant gets the rest. The same
 * arithmetic as the settlement run's SQL (tests hold the two to each other).
 */
export function split(input: SplitInput): Split {
  const base = BigInt(input.baseFen);
  const commissionFen = input.promoted ? he(base * BigInt(input.commissionRateBps), BPS) : 0;
  const promotionFeeFen = he(BigInt(commissionFen) * BigInt(PROMOTION_FEE_BPS), BPS);
  const fanxingBaseFen = input.enrolled ? Math.max(0, Math.min(input.baseFen, input.fanxingLineFen - input.settledBeforeFen)) : 0;
  const technicalFeeFen = he(
    BigInt(fanxingBaseFen) * BigInt(input.fanxingRateBps) + BigInt(input.baseFen - fanxingBaseFen) * BigInt(input.technicalRateBps),
    BPS,
  );
  return {
    commissionFen,
    promotionFeeFen,
    promoterFen: commissionFen - promotionFeeFen,
    fanxingBaseFen,
    technicalFeeFen,
    merchantFen: input.baseFen - commissionFen - technicalFeeFen,
  };
}

export interface SettledParts {
  baseFen: number;
  promoterFen: number;
  promotionFeeFen: number;
  technicalFeeFen: number;
  merchantFen: number;
}

/**
 * What a refund of `amountFen` after settlement takes back from each party, per the order's split. Computed on
 * the running total of such refunds (each party's share of all of them, rounded half-even, less what earlier
 * ones took), so that refunding the whole base takes back exactly each party's part; the merchant takes the
 * rounding remainder, and the parts add up to the refund.
 */
export function reversal(parts: SettledParts, refundedBeforeFen: number, amountFen: number): Omit<SettledParts, "baseFen"> {
  const share = (part: number, upTo: number) => he(BigInt(part) * BigInt(upTo), BigInt(parts.baseFen));
  const delta = (part: number) => share(part, refundedBeforeFen + amountFen) - share(part, refundedBeforeFen);
  const promoterFen = delta(parts.promoterFen);
  const promotionFeeFen = delta(parts.promotionFeeFen);
  const technicalFeeFen = delta(parts.technicalFeeFen);
  return { promoterFen, promotionFeeFen, technicalFeeFen, merchantFen: amountFen - promoterFen - promotionFeeFen - technicalFeeFen };
}

/** Whether a shop created at `createdAt` joined in the 凡星 enrolment window. */
export function enrolledInFanxing(createdAt: Date, terms: SettlementTerms): boolean {
  return createdAt >= terms.fanxing.from && createdAt < terms.fanxing.until;
}

export enum SettlementErrorCode {
  AS_OF_IN_FUTURE = "AS_OF_IN_FUTURE",
  ALREADY_FROZEN = "ALREADY_FROZEN",
  NOT_FROZEN = "NOT_FROZEN",
  INVALID_RATE = "INVALID_RATE",
  INVALID_CATEGORY = "INVALID_CATEGORY",
  INVALID_REASON = "INVALID_REASON",
  INVALID_PERIOD = "INVALID_PERIOD",
}
registerEnumType(SettlementErrorCode, { name: "SettlementErrorCode", description: "Why a settlement operation was refused." });

/** An advisory-lock key: one settlement (or payout release) at a time across every gateway process. */
export const SETTLEMENT_LOCK = 7_220_616;

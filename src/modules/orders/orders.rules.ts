import { registerEnumType } from "type-graphql";
import { applyRate, divideHalfEven } from "../../shared/money.js";

export enum PlaceOrderErrorCode {
  INVALID_QUANTITY = "INVALID_QUANTITY",
  IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED",
  INVALID_TARGET = "INVALID_TARGET",
  NOT_STARTED = "NOT_STARTED",
  ENDED = "ENDED",
  SOLD_OUT = "SOLD_OUT",
  NOT_ENOUGH_UNITS = "NOT_ENOUGH_UNITS",
  LIMIT_REACHED = "LIMIT_REACHED",
  OUT_OF_STOCK = "OUT_OF_STOCK",
  SESSION_NOT_LIVE = "SESSION_NOT_LIVE",
  NOT_ON_CART = "NOT_ON_CART",
  SHOP_CANNOT_SELL = "SHOP_CANNOT_SELL",
  COUPON_INVALID = "COUPON_INVALID",
  COUPON_NOT_ACTIVE = "COUPON_NOT_ACTIVE",
  COUPON_MIN_SPEND = "COUPON_MIN_SPEND",
  COUPON_EXHAUSTED = "COUPON_EXHAUSTED",
  COUPON_LIMIT_REACHED = "COUPON_LIMIT_REACHED",
  DISCOUNT_EXCEEDS_PRICE = "DISCOUNT_EXCEEDS_PRICE",
  POINTS_OVER_CAP = "POINTS_OVER_CAP",
  IN_PROGRESS = "IN_PROGRESS",
  PRICE_GUARD = "PRICE_GUARD",
  SPEC_MISMATCH = "SPEC_MISMATCH",
  RESTRICTED = "RESTRICTED",
}
registerEnumType(PlaceOrderErrorCode, { name: "PlaceOrderErrorCode", description: "Why an order was refused; nothing was bought." });

export enum CouponErrorCode {
  INVALID_CODE = "INVALID_CODE",
  INVALID_AMOUNT = "INVALID_AMOUNT",
  INVALID_WINDOW = "INVALID_WINDOW",
  INVALID_QUANTITY = "INVALID_QUANTITY",
  DISCOUNT_EXCEEDS_PRICE = "DISCOUNT_EXCEEDS_PRICE",
  CODE_TAKEN = "CODE_TAKEN",
  PROMOTER_HAS_NO_SHOP = "PROMOTER_HAS_NO_SHOP",
  PRICE_GUARD = "PRICE_GUARD",
  RESTRICTED = "RESTRICTED",
}
registerEnumType(CouponErrorCode, { name: "CouponErrorCode", description: "Why a coupon was refused." });
/** Points may pay at most this share of an order's list value (basis points). */
export const POINTS_CAP_BPS = 1_000;
/** R10: idempotency keys are 1–64 characters of this set (what UUIDs, ULIDs and most client ids are made of). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,64}$/;
export const IDEMPOTENCY_KEY_RULE = "1–64 characters from A–Z a–z 0–9 . _ : -";
/** Most units one order may hold. */
export const MAX_ORDER_QUANTITY = 1000;
/** Most orders a coupon may be issued for. */
export const MAX_COUPON_QUANTITY = 1_000_000;

export interface PriceParts {
  unitPriceFen: number;
  quantity: number;
  subsidyPerUnitFen: number;
  shopCouponFen: number;
  promoterCouponFen: number;
  pointsFen: number;
}

export interface OrderPrice {
  subtotalFen: number;
  subsidyFen: number;
  totalFen: number;
  /** R12: what the buyer pays per unit, rounded half-even to the fen. */
  handPriceFen: number;
}

/**
 * R12: list (or flash) price × quantity, minus, in this order, the room's subsidy (per unit), the shop's coupon,
 * the promoter's coupon and the buyer's points. The parts add up exactly to the total; nothing is clamped, so a
 * caller checks `discountRefusal` first.
 */
export function priceOrder(p: PriceParts): OrderPrice {
  const subtotalFen = p.unitPriceFen * p.quantity;
  const subsidyFen = p.subsidyPerUnitFen * p.quantity;
  const totalFen = subtotalFen - subsidyFen - p.shopCouponFen - p.promoterCouponFen - p.pointsFen;
  return { subtotalFen, subsidyFen, totalFen, handPriceFen: Number(divideHalfEven(BigInt(totalFen), BigInt(p.quantity))) };
}

/** The least a buyer pays: 1 fen per unit. */
export const minimumTotalFen = (quantity: number) => quantity;

/**
 * R12: the first discount, in the documented order, that would take the order below 1 fen per unit, or null.
 * Names the input field the buyer can change (couponCode, points) or, for the room's subsidy, none.
 */
export function discountRefusal(p: PriceParts): { part: "subsidy" | "shopCoupon" | "promoterCoupon" | "points"; field: string | undefined } | null {
  const floor = minimumTotalFen(p.quantity);
  let left = p.unitPriceFen * p.quantity;
  const steps = [
    ["subsidy", p.subsidyPerUnitFen * p.quantity, undefined],
    ["shopCoupon", p.shopCouponFen, "couponCode"],
    ["promoterCoupon", p.promoterCouponFen, "couponCode"],
    ["points", p.pointsFen, "points"],
  ] as const;
  for (const [part, fen, field] of steps) {
    left -= fen;
    if (left < floor) return { part, field };
  }
  return null;
}

/** One way of buying a product a coupon may meet: a unit price (list or flash), the room's subsidy, the most units an order may hold. */
export interface CouponChannel {
  unitPriceFen: number;
  subsidyPerUnitFen: number;
  maxQuantity: number;
}

/**
 * R12 at configuration: a coupon may not take any order it applies to below 1 fen per unit. The smallest order that
 * meets the threshold is the tightest (each further unit adds at least 1 fen of room), so each channel is judged there.
 * Returns the channel where the coupon would be too large, or null.
 */
export function couponExceedsPrice(amountFen: number, minSpendFen: number, channels: CouponChannel[]): CouponChannel | null {
  for (const channel of channels) {
    if (channel.unitPriceFen <= 0) continue;
    const quantity = Math.max(1, Math.ceil(minSpendFen / channel.unitPriceFen));
    if (quantity > Math.min(channel.maxQuantity, MAX_ORDER_QUANTITY)) continue;
    const room = (channel.unitPriceFen - channel.subsidyPerUnitFen) * quantity - minimumTotalFen(quantity);
    if (amountFen > room) return channel;
  }
  return null;
}

export function pointsCapFen(subtotalFen: number): number {
  return applyRate(subtotalFen, POINTS_CAP_BPS);
}

export interface CouponTerms {
  productId: number;
  amountFen: number;
  minSpendFen: number;
  validFrom: Date;
  validUntil: Date;
}

export interface CouponUse {
  totalQuantity: number;
  perBuyerLimit: number;
  /** Redeemed by all buyers, including this batch's orders so far. */
  redeemed: number;
  /** Redeemed by this buyer, including this batch's orders so far. */
  byBuyer: number;
}

/** Why a coupon does not apply to an order, or null when it does. Checked under the coupon's row lock. */
export function couponRefusal(
  coupon: CouponTerms,
  use: CouponUse,
  productId: number,
  subtotalFen: number,
  now: Date,
): PlaceOrderErrorCode | null {
  if (coupon.productId !== productId) return PlaceOrderErrorCode.COUPON_INVALID;
  if (now.getTime() < coupon.validFrom.getTime() || now.getTime() >= coupon.validUntil.getTime()) return PlaceOrderErrorCode.COUPON_NOT_ACTIVE;
  if (subtotalFen < coupon.minSpendFen) return PlaceOrderErrorCode.COUPON_MIN_SPEND;
  if (use.byBuyer >= use.perBuyerLimit) return PlaceOrderErrorCode.COUPON_LIMIT_REACHED;
  if (use.redeemed >= use.totalQuantity) return PlaceOrderErrorCode.COUPON_EXHAUSTED;
  return null;
}

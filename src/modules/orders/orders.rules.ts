import { registerEnumType } from "type-graphql";
import { applyRate, divideHalfEven } from "../../shared/money.js";

export enum PlaceOrderErrorCode {
  INVALID_QUANTITY = "INVALID_QUANTITY",
  INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY",
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
  CODE_TAKEN = "CODE_TAKEN",
  PROMOTER_HAS_NO_SHOP = "PROMOTER_HAS_NO_SHOP",
  PRICE_GUARD = "PRICE_GUARD",
  RESTRICTED = "RESTRICTED",
}
registerEnumType(CouponErrorCode, { name: "CouponErrorCode", description: "Why a coupon was refused." });
/** Points may pay at most this share of an order's list value (basis points). */
export const POINTS_CAP_BPS = 1_000;
export const MAX_IDEMPOTENCY_KEY = 64;
/** Most units one order may hold. */
export const MAX_ORDER_QUANTITY = 1000;

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

/** R12: list (or flash) price minus coupons, points and subsidies, per unit. */
export function priceOrder(p: PriceParts): OrderPrice {
  const subtotalFen = p.unitPriceFen * p.quantity;
  const subsidyFen = p.subsidyPerUnitFen * p.quantity;
  const totalFen = Math.max(0, subtotalFen - subsidyFen - p.shopCouponFen - p.promoterCouponFen - p.pointsFen);
  return { subtotalFen, subsidyFen, totalFen, handPriceFen: Number(divideHalfEven(BigInt(totalFen), BigInt(p.quantity))) };
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

export function couponApplies(coupon: CouponTerms, productId: number, subtotalFen: number, now: Date): boolean {
  return (
    coupon.productId === productId &&
    subtotalFen >= coupon.minSpendFen &&
    now.getTime() >= coupon.validFrom.getTime() &&
    now.getTime() < coupon.validUntil.getTime()
  );
}

/** R17: a shop at credit ≤ 0, or with its cart disabled, cannot sell in live sessions. */
export function shopCanSell(shop: { status: string; creditScore: number }): boolean {
  return shop.status === "NORMAL" && shop.creditScore > 0;
}

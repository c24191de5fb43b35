import { registerEnumType } from "type-graphql";
import { formatFen, parseAmount } from "../../shared/money.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";

export enum FlashSaleErrorCode {
  SESSION_NOT_LIVE = "SESSION_NOT_LIVE",
  NOT_ON_CART = "NOT_ON_CART",
  INVALID_PRICE = "INVALID_PRICE",
  ABOVE_LIST_PRICE = "ABOVE_LIST_PRICE",
  DISCOUNT_EXCEEDS_PRICE = "DISCOUNT_EXCEEDS_PRICE",
  INVALID_UNITS = "INVALID_UNITS",
  INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK",
  INVALID_LIMIT = "INVALID_LIMIT",
  INVALID_WINDOW = "INVALID_WINDOW",
  STARTS_IN_PAST = "STARTS_IN_PAST",
  TOO_LONG = "TOO_LONG",
  SHOP_CANNOT_SELL = "SHOP_CANNOT_SELL",
  PRICE_GUARD = "PRICE_GUARD",
  RESTRICTED = "RESTRICTED",
  DEPOSIT_SHORTFALL = "DEPOSIT_SHORTFALL",
}
registerEnumType(FlashSaleErrorCode, { name: "FlashSaleErrorCode", description: "Why a flash sale was refused." });

export type FlashSaleUserError = UserErrorValue<FlashSaleErrorCode>;

/** A flash sale (秒杀) runs within a day's streams: at most 24 hours. */
export const MAX_SALE_DURATION_MS = 24 * 3600 * 1000;
/** Clocks of phones and PCs disagree a little: a start up to this far in the past is taken as "now". */
export const START_CLOCK_SKEW_MS = 2 * 60 * 1000;

export interface FlashSaleDraft {
  flashPrice: string;
  allocatedUnits: number;
  perBuyerLimit: number;
  /** null: starts now. */
  startsAt: Date | null;
  endsAt: Date;
}

export interface FlashSaleFacts {
  now: Date;
  stock: number;
  listPriceFen: number;
  /** The room's cart subsidy per unit for the product (R12: it applies to the flash price too). */
  subsidyPerUnitFen: number;
}

/**
 * R8/R12: a flash price above 0 and not above the list price, and above the room's subsidy (a unit's hand price
 * stays at least 1 fen); a window that starts now or later (within START_CLOCK_SKEW_MS), ends after it starts,
 * and lasts at most MAX_SALE_DURATION_MS. A start inside the skew is moved to now.
 */
export function checkFlashSaleDraft(draft: FlashSaleDraft, facts: FlashSaleFacts): { errors: FlashSaleUserError[]; priceFen?: number; startsAt: Date } {
  const errors: FlashSaleUserError[] = [];
  const { now } = facts;
  const priceFen = parseAmount(draft.flashPrice);
  if (priceFen === null || priceFen <= 0) {
    errors.push(userError(FlashSaleErrorCode.INVALID_PRICE, "Flash price must be a decimal amount above 0.00.", "flashPrice"));
  } else if (priceFen > facts.listPriceFen) {
    errors.push(userError(FlashSaleErrorCode.ABOVE_LIST_PRICE, `The flash price may not be above the list price ${formatFen(facts.listPriceFen)}.`, "flashPrice"));
  } else if (facts.subsidyPerUnitFen >= priceFen) {
    errors.push(
      userError(
        FlashSaleErrorCode.DISCOUNT_EXCEEDS_PRICE,
        `The room's subsidy of ${formatFen(facts.subsidyPerUnitFen)} per unit would leave nothing to pay: the flash price must be above it.`,
        "flashPrice",
      ),
    );
  }
  if (!Number.isInteger(draft.allocatedUnits) || draft.allocatedUnits < 1) {
    errors.push(userError(FlashSaleErrorCode.INVALID_UNITS, "Allocate at least one unit.", "allocatedUnits"));
  } else if (draft.allocatedUnits > facts.stock) {
    errors.push(userError(FlashSaleErrorCode.INSUFFICIENT_STOCK, `Only ${facts.stock} units are in stock.`, "allocatedUnits"));
  }
  if (!Number.isInteger(draft.perBuyerLimit) || draft.perBuyerLimit < 1 || draft.perBuyerLimit > Math.max(1, draft.allocatedUnits)) {
    errors.push(userError(FlashSaleErrorCode.INVALID_LIMIT, "The per-buyer limit must be between 1 and the allocated units.", "perBuyerLimit"));
  }
  let startsAt = draft.startsAt ?? now;
  if (startsAt.getTime() < now.getTime() - START_CLOCK_SKEW_MS) {
    errors.push(userError(FlashSaleErrorCode.STARTS_IN_PAST, "The sale may not start in the past.", "startsAt"));
  } else if (startsAt.getTime() < now.getTime()) {
    startsAt = now;
  }
  const start = startsAt.getTime();
  const end = draft.endsAt.getTime();
  if (!(end > start)) {
    errors.push(userError(FlashSaleErrorCode.INVALID_WINDOW, "The sale must end after it starts.", "endsAt"));
  } else if (end - start > MAX_SALE_DURATION_MS) {
    errors.push(userError(FlashSaleErrorCode.TOO_LONG, `A flash sale lasts at most ${MAX_SALE_DURATION_MS / 3_600_000} hours.`, "endsAt"));
  }
  return { errors, priceFen: priceFen ?? undefined, startsAt };
}

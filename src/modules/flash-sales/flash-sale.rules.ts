import { registerEnumType } from "type-graphql";
import { parseAmount } from "../../shared/money.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";

export enum FlashSaleErrorCode {
  SESSION_NOT_LIVE = "SESSION_NOT_LIVE",
  NOT_ON_CART = "NOT_ON_CART",
  INVALID_PRICE = "INVALID_PRICE",
  INVALID_UNITS = "INVALID_UNITS",
  INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK",
  INVALID_LIMIT = "INVALID_LIMIT",
  INVALID_WINDOW = "INVALID_WINDOW",
  SHOP_CANNOT_SELL = "SHOP_CANNOT_SELL",
  PRICE_GUARD = "PRICE_GUARD",
  RESTRICTED = "RESTRICTED",
}
registerEnumType(FlashSaleErrorCode, { name: "FlashSaleErrorCode", description: "Why a flash sale was refused." });

export type FlashSaleUserError = UserErrorValue<FlashSaleErrorCode>;

export const MAX_SALE_DURATION_MS = 31 * 24 * 3600 * 1000;

export interface FlashSaleDraft {
  flashPrice: string;
  allocatedUnits: number;
  perBuyerLimit: number;
  startsAt: Date;
  endsAt: Date;
}

export function checkFlashSaleDraft(draft: FlashSaleDraft, now: Date, stock: number): { errors: FlashSaleUserError[]; priceFen?: number } {
  const errors: FlashSaleUserError[] = [];
  const priceFen = parseAmount(draft.flashPrice);
  if (priceFen === null || priceFen <= 0) {
    errors.push(userError(FlashSaleErrorCode.INVALID_PRICE, "Flash price must be a decimal amount above 0.00.", "flashPrice"));
  }
  if (!Number.isInteger(draft.allocatedUnits) || draft.allocatedUnits < 1) {
    errors.push(userError(FlashSaleErrorCode.INVALID_UNITS, "Allocate at least one unit.", "allocatedUnits"));
  } else if (draft.allocatedUnits > stock) {
    errors.push(userError(FlashSaleErrorCode.INSUFFICIENT_STOCK, `Only ${stock} units are in stock.`, "allocatedUnits"));
  }
  if (!Number.isInteger(draft.perBuyerLimit) || draft.perBuyerLimit < 1 || draft.perBuyerLimit > Math.max(1, draft.allocatedUnits)) {
    errors.push(userError(FlashSaleErrorCode.INVALID_LIMIT, "The per-buyer limit must be between 1 and the allocated units.", "perBuyerLimit"));
  }
  const start = draft.startsAt.getTime();
  const end = draft.endsAt.getTime();
  if (!(end > start) || end <= now.getTime() || end - start > MAX_SALE_DURATION_MS) {
    errors.push(userError(FlashSaleErrorCode.INVALID_WINDOW, "The sale must end after it starts, in the future, and last at most 31 days.", "endsAt"));
  }
  return { errors, priceFen: priceFen ?? undefined };
}

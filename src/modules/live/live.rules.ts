import { registerEnumType } from "type-graphql";
import type { UserErrorValue } from "../../shared/user-errors.js";

export enum LiveErrorCode {
  INVALID_TITLE = "INVALID_TITLE",
  SESSION_NOT_LIVE = "SESSION_NOT_LIVE",
  ALREADY_LIVE = "ALREADY_LIVE",
  NOT_ON_SHELF = "NOT_ON_SHELF",
  NOT_ON_CART = "NOT_ON_CART",
  INVALID_SUBSIDY = "INVALID_SUBSIDY",
  DISCOUNT_EXCEEDS_PRICE = "DISCOUNT_EXCEEDS_PRICE",
  SHOP_CANNOT_SELL = "SHOP_CANNOT_SELL",
  PRICE_GUARD = "PRICE_GUARD",
  RESTRICTED = "RESTRICTED",
}
registerEnumType(LiveErrorCode, { name: "LiveErrorCode", description: "Why a live-session change was refused." });

export type LiveUserError = UserErrorValue<LiveErrorCode>;

import { registerEnumType } from "type-graphql";
import { parseAmount } from "../../shared/money.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";

export enum ProductErrorCode {
  INVALID_TITLE = "INVALID_TITLE",
  INVALID_DESCRIPTION = "INVALID_DESCRIPTION",
  INVALID_CATEGORY = "INVALID_CATEGORY",
  INVALID_PRICE = "INVALID_PRICE",
  INVALID_STOCK = "INVALID_STOCK",
  CROSS_BORDER_NEEDS_CROSS_BORDER_SHOP = "CROSS_BORDER_NEEDS_CROSS_BORDER_SHOP",
  BONDED_WAREHOUSE_REQUIRED = "BONDED_WAREHOUSE_REQUIRED",
  BONDED_WAREHOUSE_NOT_ALLOWED = "BONDED_WAREHOUSE_NOT_ALLOWED",
  SHOP_CLOSED = "SHOP_CLOSED",
  VERSION_CONFLICT = "VERSION_CONFLICT",
  PRICE_GUARD = "PRICE_GUARD",
}
registerEnumType(ProductErrorCode, { name: "ProductErrorCode", description: "Why a product change was refused." });

export type ProductUserError = UserErrorValue<ProductErrorCode>;

export const MAX_STOCK = 100_000_000;
export const MAX_PRICE_FEN = 10_000_000_000; // 100 million yuan

export interface ProductDraft {
  title?: string | null;
  description?: string | null;
  category?: string | null;
  price?: string | null;
  stock?: number | null;
}

/** Checks the fields that are present; returns the errors and the parsed price. */
export function checkProductDraft(draft: ProductDraft): { errors: ProductUserError[]; priceFen?: number } {
  const errors: ProductUserError[] = [];
  // Blank, invisible, overlong or malformed text never gets here: the API's text validator (shared/text.ts) refused it.
  if (draft.category != null && !/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(draft.category)) {
    errors.push(
      userError(ProductErrorCode.INVALID_CATEGORY, "Category is lower-case words separated by '/', e.g. jade/bracelet.", "category"),
    );
  }
  let priceFen: number | undefined;
  if (draft.price != null) {
    const fen = parseAmount(draft.price);
    if (fen === null || fen <= 0 || fen > MAX_PRICE_FEN) {
      errors.push(
        userError(ProductErrorCode.INVALID_PRICE, "Price must be a decimal amount above 0.00 with at most two decimals.", "price"),
      );
    } else priceFen = fen;
  }
  if (draft.stock != null && (!Number.isInteger(draft.stock) || draft.stock < 0 || draft.stock > MAX_STOCK)) {
    errors.push(userError(ProductErrorCode.INVALID_STOCK, `Stock must be a whole number from 0 to ${MAX_STOCK}.`, "stock"));
  }
  return { errors, priceFen };
}

/** R15: cross-border goods come from a cross-border shop's bonded warehouse; domestic goods have none. */
export function checkCrossBorder(shopKind: string, crossBorder: boolean, bondedWarehouse: string | null): ProductUserError[] {
  if (crossBorder && shopKind !== "CROSS_BORDER") {
    return [userError(ProductErrorCode.CROSS_BORDER_NEEDS_CROSS_BORDER_SHOP, "Only a CROSS_BORDER shop sells cross-border goods.", "crossBorder")];
  }
  if (crossBorder && !bondedWarehouse?.trim()) {
    return [userError(ProductErrorCode.BONDED_WAREHOUSE_REQUIRED, "Cross-border goods need the bonded warehouse they ship from.", "bondedWarehouse")];
  }
  if (!crossBorder && bondedWarehouse) {
    return [userError(ProductErrorCode.BONDED_WAREHOUSE_NOT_ALLOWED, "Only cross-border goods ship from a bonded warehouse.", "bondedWarehouse")];
  }
  return [];
}

export enum ShopErrorCode {
  NEW_OWNER_ROLE = "NEW_OWNER_ROLE",
  SAME_OWNER = "SAME_OWNER",
  INVALID_NAME = "INVALID_NAME",
  BONDED_WAREHOUSE_REQUIRED = "BONDED_WAREHOUSE_REQUIRED",
  BONDED_WAREHOUSE_NOT_ALLOWED = "BONDED_WAREHOUSE_NOT_ALLOWED",
  PROMOTER_HAS_SHOP = "PROMOTER_HAS_SHOP",
  TOO_MANY_SHOPS = "TOO_MANY_SHOPS",
  NOT_UNDER_REVIEW = "NOT_UNDER_REVIEW",
  INVALID_NOTE = "INVALID_NOTE",
  INVALID_REASON = "INVALID_REASON",
  SHOP_NOT_OPEN = "SHOP_NOT_OPEN",
}
registerEnumType(ShopErrorCode, { name: "ShopErrorCode", description: "Why a shop change was refused." });

export type ShopUserError = UserErrorValue<ShopErrorCode>;

/** A merchant may run several shops (one per brand or belt); a promoter has its own one (R6). */
export const MAX_MERCHANT_SHOPS = 20;

/**
 * A new shop: REGULAR opens NORMAL at once; CROSS_BORDER names its bonded warehouse (保税仓, R15) and waits for an
 * admin's review (UNDER_REVIEW) before it may sell.
 */
export function checkShopDraft(draft: { name: string; kind: string; bondedWarehouse: string | null }): ShopUserError[] {
  const errors: ShopUserError[] = [];
  // The name's and the warehouse's text (blank, length) were checked by the API's text validator (shared/text.ts).
  const warehouse = draft.bondedWarehouse?.trim() ?? "";
  if (draft.kind === "CROSS_BORDER" && warehouse.length < 1) {
    errors.push(userError(ShopErrorCode.BONDED_WAREHOUSE_REQUIRED, "A cross-border shop names its bonded warehouse.", "bondedWarehouse"));
  }
  if (draft.kind !== "CROSS_BORDER" && warehouse.length > 0) {
    errors.push(userError(ShopErrorCode.BONDED_WAREHOUSE_NOT_ALLOWED, "Only a cross-border shop has a bonded warehouse.", "bondedWarehouse"));
  }
  return errors;
}

export const initialShopStatus = (kind: string) => (kind === "CROSS_BORDER" ? "UNDER_REVIEW" : "NORMAL");

/** R17: a shop at credit ≤ 0, or with its cart disabled, cannot sell in live sessions. */
export function shopCanSell(shop: { status: string; creditScore: number }): boolean {
  return shop.status === "NORMAL" && shop.creditScore > 0;
}

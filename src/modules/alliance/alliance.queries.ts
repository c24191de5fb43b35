// TEMPORARY placeholder on main until the alliance branch (issue 3) is merged; replaced by its real file.
import type { DbOrTx } from "../../db/client.js";

export async function resolveCommissionRates(
  _db: DbOrTx,
  _promoterId: number,
  _productIds: readonly number[],
  _at: Date,
): Promise<Map<number, { rateBps: number; plan: "PRODUCT_TARGETED" | "SHOP_TARGETED" | "GENERAL"; planId: number }>> {
  return new Map();
}

export async function isOnShelf(_db: DbOrTx, _promoterId: number, _productId: number): Promise<boolean> {
  return true;
}

export async function promoterShopId(_db: DbOrTx, _promoterId: number): Promise<number | null> {
  return null;
}

import type { Db } from "../../src/db/client.js";
import type { shops } from "../../src/db/schema/index.js";
import { promoterShopId } from "../../src/modules/alliance/index.js";
import { buildShop } from "./builders.js";

/**
 * Gives a promoter a shop of its own (R6): the shop the price guard holds the promoter's price parts (subsidy,
 * promoter coupons, flash price) against, as `promoterShopId` resolves it.
 */
export async function givePromoterShop(db: Db, promoterId: number, values: Partial<typeof shops.$inferInsert> = {}) {
  const shop = await buildShop(db, promoterId, values);
  const attributedShopId = await promoterShopId(db, promoterId);
  if (attributedShopId !== shop.id) throw new Error(`promoterShopId(${promoterId}) is ${attributedShopId}, not the promoter's new shop ${shop.id}`);
  return { shop, attributedShopId };
}

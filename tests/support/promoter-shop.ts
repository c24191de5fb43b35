import type { Db } from "../../src/db/client.js";
import type { shops } from "../../src/db/schema/index.js";
import { promoterShopId } from "../../src/modules/alliance/alliance.queries.js";
import { buildShop } from "./builders.js";

/**
 * Gives a promoter a shop of its own (R6) and returns the shop the price guard will hold the promoter's price
 * parts against: `promoterShopId`'s answer. Until the alliance module is merged that answer is null (the
 * placeholder knows no promoter shops) and violations are held against the promoter itself; tests compare with
 * `attributedShopId` so they hold either way. The one place to adapt when the alliance module lands.
 */
export async function givePromoterShop(db: Db, promoterId: number, values: Partial<typeof shops.$inferInsert> = {}) {
  const shop = await buildShop(db, promoterId, values);
  return { shop, attributedShopId: await promoterShopId(db, promoterId) };
}

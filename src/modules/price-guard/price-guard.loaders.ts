import DataLoader from "dataloader";
import type { DbOrTx } from "../../db/client.js";
import type { AgreedPriceRow, RestrictionRow } from "../../db/schema/index.js";
import { byIdLoader } from "../../shared/loader.js";
import { agreedPriceHistory, agreedPricesByIds, currentAgreedPrices, restrictionsByIds, restrictionsOfShops, violationsByIds } from "./price-guard.queries.js";

export function priceGuardLoaders(db: DbOrTx) {
  return {
    agreedPriceById: byIdLoader((ids) => agreedPricesByIds(db, ids)),
    currentAgreedPriceByProduct: new DataLoader<number, AgreedPriceRow | null>(async (ids) => {
      const byProduct = new Map((await currentAgreedPrices(db, ids)).map((row) => [row.productId, row]));
      return ids.map((id) => byProduct.get(id) ?? null);
    }),
    agreedPricesByProduct: new DataLoader<number, AgreedPriceRow[]>(async (ids) => {
      const rows = await agreedPriceHistory(db, ids);
      return ids.map((id) => rows.filter((r) => r.productId === id));
    }),
    restrictionById: byIdLoader((ids) => restrictionsByIds(db, ids)),
    restrictionsByShop: new DataLoader<number, RestrictionRow[]>(async (ids) => {
      const rows = await restrictionsOfShops(db, ids);
      return ids.map((id) => rows.filter((r) => r.shopId === id));
    }),
    violationById: byIdLoader((ids) => violationsByIds(db, ids)),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof priceGuardLoaders> {}
}

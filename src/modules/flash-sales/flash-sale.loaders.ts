import DataLoader from "dataloader";
import type { DbOrTx } from "../../db/client.js";
import type { FlashSaleRow } from "../../db/schema/index.js";
import { byIdLoader } from "../../shared/loader.js";
import { flashSalesByIds, flashSalesOfSessions } from "./flash-sale.queries.js";

export function flashSaleLoaders(db: DbOrTx) {
  return {
    flashSaleById: byIdLoader((ids) => flashSalesByIds(db, ids)),
    flashSalesBySession: new DataLoader<number, FlashSaleRow[]>(async (ids) => {
      const rows = await flashSalesOfSessions(db, ids);
      return ids.map((id) => rows.filter((r) => r.liveSessionId === id));
    }),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof flashSaleLoaders> {}
}

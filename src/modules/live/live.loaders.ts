import DataLoader from "dataloader";
import type { DbOrTx } from "../../db/client.js";
import type { CartItemRow } from "../../db/schema/index.js";
import { byIdLoader } from "../../shared/loader.js";
import { liveSessionsByIds, pinnedCartItems } from "./live.queries.js";

export function liveLoaders(db: DbOrTx) {
  return {
    liveSessionById: byIdLoader((ids) => liveSessionsByIds(db, ids)),
    cartItemsBySession: new DataLoader<number, CartItemRow[]>(async (ids) => {
      const rows = await pinnedCartItems(db, ids);
      return ids.map((id) => rows.filter((r) => r.liveSessionId === id));
    }),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof liveLoaders> {}
}

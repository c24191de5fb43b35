import type { DbOrTx } from "../../db/client.js";
import { byIdLoader } from "../../shared/loader.js";
import { productsByIds, shopsByIds } from "./catalog.queries.js";

export function catalogLoaders(db: DbOrTx) {
  return {
    shopById: byIdLoader((ids) => shopsByIds(db, ids)),
    productById: byIdLoader((ids) => productsByIds(db, ids)),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof catalogLoaders> {}
}

import type { DbOrTx } from "../../db/client.js";
import { byIdLoader } from "../../shared/loader.js";
import { ordersByIds } from "./orders.queries.js";

export function orderLoaders(db: DbOrTx) {
  return { orderById: byIdLoader((ids) => ordersByIds(db, ids)) };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof orderLoaders> {}
}

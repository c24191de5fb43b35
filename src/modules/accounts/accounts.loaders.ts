import type { DbOrTx } from "../../db/client.js";
import { byIdLoader } from "../../shared/loader.js";
import { usersByIds } from "./accounts.queries.js";

export function accountLoaders(db: DbOrTx) {
  return { userById: byIdLoader((ids) => usersByIds(db, ids)) };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof accountLoaders> {}
}

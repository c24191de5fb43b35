import DataLoader from "dataloader";
import type { DbOrTx } from "../../db/client.js";
import type { SettlementRow } from "../../db/schema/index.js";
import { settlementsByOrderIds } from "./settlement.queries.js";

export function settlementLoaders(db: DbOrTx) {
  return {
    settlementByOrderId: new DataLoader<number, SettlementRow | null>(async (ids) => {
      const rows = new Map((await settlementsByOrderIds(db, ids)).map((r) => [r.orderId, r]));
      return ids.map((id) => rows.get(id) ?? null);
    }, { maxBatchSize: 500 }),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof settlementLoaders> {}
}

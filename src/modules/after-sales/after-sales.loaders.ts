import DataLoader from "dataloader";
import type { DbOrTx } from "../../db/client.js";
import type { AfterSalesCaseRow, AfterSalesEventRow } from "../../db/schema/index.js";
import { casesByIds, eventsByCaseIds } from "./after-sales.queries.js";

export function afterSalesLoaders(db: DbOrTx) {
  return {
    afterSalesCaseById: new DataLoader<number, AfterSalesCaseRow | null>(async (ids) => {
      const rows = new Map((await casesByIds(db, ids)).map((r) => [r.id, r]));
      return ids.map((id) => rows.get(id) ?? null);
    }, { maxBatchSize: 500 }),
    afterSalesEventsByCaseId: new DataLoader<number, AfterSalesEventRow[]>(async (ids) => {
      const rows = await eventsByCaseIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.caseId === id));
    }, { maxBatchSize: 500 }),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof afterSalesLoaders> {}
}

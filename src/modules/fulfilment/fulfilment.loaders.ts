import DataLoader from "dataloader";
import type { DbOrTx } from "../../db/client.js";
import type { OrderEventRow, ShipmentRow } from "../../db/schema/index.js";
import { eventsByOrderIds, refundedByOrderIds, shipmentsByOrderIds } from "./fulfilment.queries.js";

export function fulfilmentLoaders(db: DbOrTx) {
  return {
    orderEventsByOrderId: new DataLoader<number, OrderEventRow[]>(async (ids) => {
      const rows = await eventsByOrderIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.orderId === id));
    }, { maxBatchSize: 500 }),
    shipmentByOrderId: new DataLoader<number, ShipmentRow | null>(async (ids) => {
      const rows = new Map((await shipmentsByOrderIds(db, ids)).map((r) => [r.orderId, r]));
      return ids.map((id) => rows.get(id) ?? null);
    }, { maxBatchSize: 500 }),
    refundedFenByOrderId: new DataLoader<number, number>(async (ids) => {
      const rows = new Map((await refundedByOrderIds(db, ids)).map((r) => [r.id, Number(r.fen)]));
      return ids.map((id) => rows.get(id) ?? 0);
    }, { maxBatchSize: 500 }),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof fulfilmentLoaders> {}
}

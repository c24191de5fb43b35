import DataLoader from "dataloader";

/** A by-id loader over a batch query; rows come back in key order, missing ones as null. */
export function byIdLoader<R extends { id: number }>(fetch: (ids: readonly number[]) => Promise<R[]>) {
  return new DataLoader<number, R | null>(async (ids) => {
    const rows = await fetch(ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }, { maxBatchSize: 500 });
}

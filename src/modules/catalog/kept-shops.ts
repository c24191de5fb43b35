import { LRUCache } from "lru-cache";
import type { ShopRow } from "../../db/schema/index.js";
import type { ListingChange } from "../../realtime/topics.js";

/** A safety net only: every write to a shop drops its row through ListingNotices long before this. */
const TTL_MS = 60_000;
const MAX_SHOPS = 10_000;

/**
 * Shop rows kept in the process for showing shops (issue 16: a selection-center page names up to 30 shops, on every
 * request). Every write to a shop announces it through ListingNotices (catalog: status, owner, review; governance:
 * credit score): this process drops the row at once, others within the notices' coalescing window. A read that was
 * under way while a shop changed is served but not kept, so a row read before a change never outlives it.
 * Only `CatalogService.shop` (a Shop shown in a response) reads through here; decisions read the database.
 */
export class KeptShops {
  private readonly rows = new LRUCache<number, ShopRow>({ max: MAX_SHOPS, ttl: TTL_MS });
  /** Counts shop changes heard; a read keeps its row only if none arrived meanwhile. */
  private changes = 0;

  async read(id: number, load: (id: number) => Promise<ShopRow | null>): Promise<ShopRow | null> {
    const kept = this.rows.get(id);
    if (kept) return kept;
    const changesBefore = this.changes;
    const row = await load(id);
    if (row && this.changes === changesBefore) this.rows.set(id, row);
    return row;
  }

  changed(change: ListingChange): void {
    if (change.shopIds.length === 0) return;
    this.changes++;
    for (const id of change.shopIds) this.rows.delete(id);
  }

  /** Everything, when changes may have been missed (the bus reconnected). */
  clear(): void {
    this.changes++;
    this.rows.clear();
  }
}

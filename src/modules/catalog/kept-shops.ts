import { LRUCache } from "lru-cache";
import type { ListingChange } from "../../realtime/topics.js";
import type { Shop } from "./catalog.type.js";

/** A safety net only: every write to a shop drops it through ListingNotices long before this. */
const TTL_MS = 60_000;
const MAX_SHOPS = 10_000;

/**
 * Shops kept in the process for showing them, as the GraphQL object built once from the row (issue 16: a
 * selection-center page names up to 30 shops, on every request). Every write to a shop announces it through
 * ListingNotices (catalog: status, owner, review; governance: credit score): this process drops the shop at once,
 * others within the notices' coalescing window. A read that was under way while a shop changed is served but not
 * kept, so a shop read before a change never outlives it.
 * Only `CatalogService.shop` (a Shop shown in a response) reads through here; decisions read the database.
 */
export class KeptShops {
  private readonly shops = new LRUCache<number, Shop>({ max: MAX_SHOPS, ttl: TTL_MS });
  /** Counts shop changes heard; a read keeps its shop only if none arrived meanwhile. */
  private changes = 0;

  async read(id: number, load: (id: number) => Promise<Shop | null>): Promise<Shop | null> {
    const kept = this.shops.get(id);
    if (kept) return kept;
    const changesBefore = this.changes;
    const shop = await load(id);
    if (shop && this.changes === changesBefore) this.shops.set(id, shop);
    return shop;
  }

  changed(change: ListingChange): void {
    if (change.shopIds.length === 0) return;
    this.changes++;
    for (const id of change.shopIds) this.shops.delete(id);
  }

  /** Everything, when changes may have been missed (the bus reconnected). */
  clear(): void {
    this.changes++;
    this.shops.clear();
  }
}

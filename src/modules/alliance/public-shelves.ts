import { LRUCache } from "lru-cache";
import type { ProductRow, ShopRow } from "../../db/schema/index.js";
import type { ListingChange } from "../../realtime/topics.js";
import type { ShelfItem } from "./alliance.type.js";

/** A shelf as anyone sees it (no rates: those are the promoter's private deals), with the product and shop rows it shows. */
export interface PublicShelf {
  items: ShelfItem[];
  products: ProductRow[];
  shops: ShopRow[];
}

/** A safety net only: every change that shows on a public shelf drops it through ListingNotices long before this. */
const TTL_MS = 60_000;
const MAX_SHELVES = 10_000;

/**
 * Public shelves kept in the process (issue 16: the read path's most read page). A shelf is dropped when its
 * promoter changes it or one of its products changes (fields, stock), and all are when a shop changes (rare: an
 * admin's decision, a credit score), as heard from ListingNotices: from this
 * process at once, from others within the notices' coalescing window. A read that was under way while a change
 * arrived is served but not kept, so a snapshot taken before a change never outlives it.
 */
export class PublicShelves {
  private readonly shelves = new LRUCache<number, PublicShelf>({
    max: MAX_SHELVES,
    ttl: TTL_MS,
    dispose: (shelf, promoterId) => this.unindex(promoterId, shelf),
  });
  /** product id → promoters whose kept shelf shows it. */
  private readonly shelvesOfProduct = new Map<number, Set<number>>();
  /** Counts changes heard; a read keeps its result only if none arrived meanwhile. */
  private changes = 0;

  async read(promoterId: number, load: () => Promise<PublicShelf>): Promise<PublicShelf> {
    const kept = this.shelves.get(promoterId);
    if (kept) return kept;
    const changesBefore = this.changes;
    const shelf = await load();
    if (this.changes === changesBefore) {
      this.shelves.set(promoterId, shelf);
      for (const product of shelf.products) {
        let promoters = this.shelvesOfProduct.get(product.id);
        if (!promoters) this.shelvesOfProduct.set(product.id, (promoters = new Set()));
        promoters.add(promoterId);
      }
    }
    return shelf;
  }

  changed(change: ListingChange): void {
    this.changes++;
    if (change.shopIds.length > 0) return this.shelves.clear();
    for (const promoterId of change.promoterIds) this.shelves.delete(promoterId);
    for (const productId of change.productIds) {
      for (const promoterId of [...(this.shelvesOfProduct.get(productId) ?? [])]) this.shelves.delete(promoterId);
    }
  }

  /** Everything, when changes may have been missed (the bus reconnected). */
  clear(): void {
    this.changes++;
    this.shelves.clear();
  }

  private unindex(promoterId: number, shelf: PublicShelf): void {
    for (const product of shelf.products) {
      const promoters = this.shelvesOfProduct.get(product.id);
      promoters?.delete(promoterId);
      if (promoters?.size === 0) this.shelvesOfProduct.delete(product.id);
    }
  }
}

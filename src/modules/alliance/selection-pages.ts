import { LRUCache } from "lru-cache";
import type { ProductRow } from "../../db/schema/index.js";
import type { ListingChange } from "../../realtime/topics.js";
import type { SelectionQuery } from "./selection.queries.js";

/** A page as it is answered (built once: cursors, products), with the product rows it shows. */
export interface KeptSelection<Page> {
  page: Page;
  products: readonly ProductRow[];
}

/**
 * How long a kept page may be shown at most (clock time). Every write that changes what a page shows drops it through
 * ListingNotices; this bounds the one thing no write announces: orders leaving the 30-day sales window as time passes.
 */
export const SELECTION_PAGE_TTL_MS = 60_000;
/** Items (product, rate, sales) kept in all, over every promoter's pages: a few kB each, some 100 MB at most. */
const MAX_ITEMS = 60_000;
/** Pages kept per promoter (filters, sorts, cursors): the last ones it browsed. */
const MAX_PAGES_PER_PROMOTER = 16;

interface KeptPage<Page> {
  kept: KeptSelection<Page>;
  /** Sorted or filtered by a product field or by sales: any product's change may move it. */
  broad: boolean;
  /** Clock time (ms) from which it was read, and until which it holds: the TTL or the alliance's next time boundary. */
  from: number;
  until: number;
}

interface PromoterPages<Page> {
  pages: Map<string, KeptPage<Page>>;
  /** The products its pages show. */
  productIds: Set<number>;
  /** One of its pages is broad. */
  broad: boolean;
}

/** The next time anything of the alliance changes by the clock alone (a decrease takes effect, a plan closes, a floor or restriction ends or starts). */
interface Boundary {
  /** Clock time (ms) of the next boundary, or Infinity when none is scheduled. */
  at: number;
  from: number;
}

/**
 * Selection-center pages kept in the process, per promoter (issue 16: the selection center reads one heavy statement
 * per page otherwise). A page shows products with the promoter's resolved rate, units sold in 30 days and whether it
 * is on the shelf, so it is dropped, as heard from ListingNotices (this process at once, others within the coalescing
 * window), when:
 * - the alliance's terms change (plans, their promoters, floors, price-guard restrictions) or a shop changes: all pages;
 * - the promoter's shelf changes: that promoter's pages;
 * - a product changes (fields, stock, units sold): the pages that show it, and every page sorted or filtered by a
 *   product field or by sales, since the product may move into it. A page sorted by newest or by rate, filtered at most
 *   by rate, takes in a product only when the alliance or a shop changes (dropped then anyway).
 * Time moves pages too: a page holds until the alliance's next scheduled boundary (a pending decrease takes effect, a
 * plan closes, a floor or restriction ends or starts), read once for all pages, and at most SELECTION_PAGE_TTL_MS.
 * A read that was under way while a change arrived is served but not kept.
 */
export class SelectionPages<Page> {
  private readonly promoters = new LRUCache<number, PromoterPages<Page>>({
    maxSize: MAX_ITEMS,
    sizeCalculation: (kept) => Math.max(1, [...kept.pages.values()].reduce((items, page) => items + page.kept.products.length, 0)),
    // Replaced by a promoter's next page ("set"), the indexes carry over to the new value.
    dispose: (kept, promoterId, reason) => {
      if (reason !== "set") this.unindex(promoterId, kept);
    },
  });
  /** product id → promoters whose kept pages show it. */
  private readonly promotersOfProduct = new Map<number, Set<number>>();
  /** Promoters with a broad page (see KeptPage.broad). */
  private readonly broad = new Set<number>();
  private boundary: Boundary | null = null;
  /** Counts changes heard; a read keeps its result only if none arrived meanwhile. */
  private changes = 0;

  /** The page `q` asks for: kept, or loaded (with the alliance's next boundary, when not known yet) and kept. */
  async read(q: SelectionQuery, load: () => Promise<KeptSelection<Page>>, nextBoundary: (at: Date) => Promise<Date | null>): Promise<KeptSelection<Page>> {
    const now = q.at.getTime();
    const key = pageKey(q);
    const kept = this.promoters.get(q.promoterId)?.pages.get(key);
    if (kept && kept.from <= now && now < kept.until) return kept.kept;
    const changesBefore = this.changes;
    const [loaded, boundary] = await Promise.all([load(), this.boundaryAfter(q.at, nextBoundary)]);
    if (this.changes === changesBefore) this.keep(q, key, { kept: loaded, broad: isBroad(q), from: now, until: Math.min(now + SELECTION_PAGE_TTL_MS, boundary) });
    return loaded;
  }

  changed(change: ListingChange): void {
    this.changes++;
    if (change.alliance || change.shopIds.length > 0) return this.clear();
    for (const promoterId of change.promoterIds) this.promoters.delete(promoterId);
    const productIds = [...change.productIds, ...(change.soldProductIds ?? [])];
    if (productIds.length === 0) return;
    for (const promoterId of [...this.broad]) this.promoters.delete(promoterId);
    for (const productId of productIds) {
      for (const promoterId of [...(this.promotersOfProduct.get(productId) ?? [])]) this.promoters.delete(promoterId);
    }
  }

  /** Everything, when changes may have been missed (the bus reconnected) or the alliance changed. */
  clear(): void {
    this.changes++;
    this.boundary = null;
    this.promoters.clear();
  }

  private async boundaryAfter(at: Date, nextBoundary: (at: Date) => Promise<Date | null>): Promise<number> {
    const now = at.getTime();
    const kept = this.boundary;
    if (kept && kept.from <= now && now < kept.at && now < kept.from + SELECTION_PAGE_TTL_MS) return kept.at;
    const changesBefore = this.changes;
    const next = await nextBoundary(at);
    const boundary = { at: next ? next.getTime() : Infinity, from: now };
    if (this.changes === changesBefore) this.boundary = boundary;
    return boundary.at;
  }

  private keep(q: SelectionQuery, key: string, page: KeptPage<Page>): void {
    // A new value each time: the cache weighs a promoter's pages when they are set.
    const old = this.promoters.get(q.promoterId);
    const pages = new Map(old?.pages);
    if (pages.size >= MAX_PAGES_PER_PROMOTER && !pages.has(key)) pages.delete(pages.keys().next().value!);
    pages.set(key, page);
    const productIds = new Set<number>();
    for (const kept of pages.values()) for (const { id } of kept.kept.products) productIds.add(id);
    const kept: PromoterPages<Page> = { pages, productIds, broad: [...pages.values()].some((p) => p.broad) };
    // The index follows what the promoter's pages show now (a page it no longer keeps showed others).
    for (const id of old?.productIds ?? []) if (!productIds.has(id)) this.unindexProduct(id, q.promoterId);
    for (const id of productIds) {
      let promoters = this.promotersOfProduct.get(id);
      if (!promoters) this.promotersOfProduct.set(id, (promoters = new Set()));
      promoters.add(q.promoterId);
    }
    if (kept.broad) this.broad.add(q.promoterId);
    else this.broad.delete(q.promoterId);
    // Drops the least recently read promoters beyond MAX_ITEMS.
    this.promoters.set(q.promoterId, kept);
  }

  private unindex(promoterId: number, kept: PromoterPages<Page>): void {
    if (kept.broad) this.broad.delete(promoterId);
    for (const productId of kept.productIds) this.unindexProduct(productId, promoterId);
  }

  private unindexProduct(productId: number, promoterId: number): void {
    const promoters = this.promotersOfProduct.get(productId);
    promoters?.delete(promoterId);
    if (promoters?.size === 0) this.promotersOfProduct.delete(productId);
  }
}
/** Everything of a query but who asks and when. */
const pageKey = (q: SelectionQuery) =>
  JSON.stringify([q.sort, q.descending, q.category, q.industryBelt, q.crossBorder, q.minPriceFen, q.maxPriceFen, q.minRateBps, q.after?.value, q.after?.id, q.limit]);

/** Sorted by a product field or by sales, or filtered by a product field: a product's change may move it into the page. */
const isBroad = (q: SelectionQuery) =>
  (q.sort !== "NEWEST" && q.sort !== "COMMISSION_RATE") ||
  q.category !== undefined ||
  q.industryBelt !== undefined ||
  q.crossBorder !== undefined ||
  q.minPriceFen !== undefined ||
  q.maxPriceFen !== undefined;

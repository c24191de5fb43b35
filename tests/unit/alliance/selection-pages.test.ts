import { describe, expect, it } from "vitest";
import type { ProductRow } from "../../../src/db/schema/index.js";
import { SelectionPages, type KeptSelection } from "../../../src/modules/alliance/selection-pages.js";
import type { SelectionQuery } from "../../../src/modules/alliance/selection.queries.js";

const at = new Date("2026-06-01T04:00:00Z");
const query = (promoterId: number, more: Partial<SelectionQuery> = {}): SelectionQuery => ({ promoterId, at, sort: "NEWEST", descending: true, after: null, limit: 30, ...more });
/** A page of `n` products from `first` on (only ids matter to the cache). */
const page = (first: number, n = 30): KeptSelection<string> => ({
  page: `products ${first}…${first + n - 1}`,
  products: Array.from({ length: n }, (_, i) => ({ id: first + i }) as ProductRow),
});
const noBoundary = async () => null;

/** Reads `q` and says whether the page was loaded (true) or kept. */
async function loaded(pages: SelectionPages<string>, q: SelectionQuery, first = 1): Promise<boolean> {
  let didLoad = false;
  await pages.read(
    q,
    async () => {
      didLoad = true;
      return page(first);
    },
    noBoundary,
  );
  return didLoad;
}

describe("SelectionPages (the selection center's pages kept in the process)", () => {
  it("drops, on a product's change, the pages that show it and every page sorted or filtered by product fields, and no other", async () => {
    const pages = new SelectionPages<string>();
    await loaded(pages, query(1), 1); // products 1…30
    await loaded(pages, query(2), 100); // products 100…129
    await loaded(pages, query(3, { sort: "PRICE" }), 200); // broad: sorted by price
    await loaded(pages, query(4, { minRateBps: 2_000 }), 300); // narrow: a rate filter only
    pages.changed({ productIds: [5], shopIds: [], promoterIds: [] });
    expect(await loaded(pages, query(1))).toBe(true);
    expect(await loaded(pages, query(2), 100)).toBe(false);
    expect(await loaded(pages, query(3, { sort: "PRICE" }), 200)).toBe(true);
    expect(await loaded(pages, query(4, { minRateBps: 2_000 }), 300)).toBe(false);
    // Units sold move the same pages.
    pages.changed({ productIds: [], shopIds: [], promoterIds: [], soldProductIds: [101] });
    expect(await loaded(pages, query(2), 100)).toBe(true);
    expect(await loaded(pages, query(4, { minRateBps: 2_000 }), 300)).toBe(false);
    // The promoter's own shelf: its pages only; the alliance's terms or a shop: all.
    pages.changed({ productIds: [], shopIds: [], promoterIds: [4] });
    expect(await loaded(pages, query(4, { minRateBps: 2_000 }), 300)).toBe(true);
    expect(await loaded(pages, query(2), 100)).toBe(false);
    pages.changed({ productIds: [], shopIds: [], promoterIds: [], alliance: true });
    expect(await loaded(pages, query(2), 100)).toBe(true);
  });

  it("does not keep a page read while a change arrived", async () => {
    const pages = new SelectionPages<string>();
    await pages.read(
      query(1),
      async () => {
        pages.changed({ productIds: [999], shopIds: [], promoterIds: [] });
        return page(1);
      },
      noBoundary,
    );
    expect(await loaded(pages, query(1))).toBe(true);
    expect(await loaded(pages, query(1))).toBe(false);
  });

  it("keeps a promoter's last 16 pages, and follows only the products those show", async () => {
    const pages = new SelectionPages<string>();
    // 17 pages of one promoter (page sizes 1…17 are 17 different queries), each with products of its own.
    for (let n = 1; n <= 17; n++) await loaded(pages, query(1, { limit: n }), n * 1_000);
    expect(await loaded(pages, query(1, { limit: 17 }), 17_000)).toBe(false);
    expect(await loaded(pages, query(1, { limit: 1 }), 1_000)).toBe(true); // the oldest page went
    // Reading it again pushed out page 2: its products no longer move the promoter's pages; page 3's do.
    pages.changed({ productIds: [2_000], shopIds: [], promoterIds: [] });
    expect(await loaded(pages, query(1, { limit: 17 }), 17_000)).toBe(false);
    pages.changed({ productIds: [3_000], shopIds: [], promoterIds: [] });
    expect(await loaded(pages, query(1, { limit: 17 }), 17_000)).toBe(true);
  });

  it("keeps at most 60,000 items over all promoters, dropping the least recently read", async () => {
    const pages = new SelectionPages<string>();
    // 2,100 promoters × 30 items: 63,000, over the bound.
    for (let promoter = 1; promoter <= 2_100; promoter++) await loaded(pages, query(promoter));
    expect(await loaded(pages, query(2_100))).toBe(false);
    expect(await loaded(pages, query(1))).toBe(true);
    // Read again by 16 more promoters' worth of pages: still within the bound, the recent ones are kept.
    expect(await loaded(pages, query(2_099))).toBe(false);
  });
});

import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { badInput } from "../../shared/errors.js";
import { amountFilter } from "../../shared/money.js";
import { connectionOf, decodeCursor, pageSize, type PageArgs } from "../../shared/pagination.js";
import { toProduct } from "../catalog/index.js";
import { requireRole } from "./alliance.access.js";
import type { SelectionFilter, SelectionOrder } from "./alliance.inputs.js";
import * as q from "./alliance.queries.js";
import { parseRatePercent } from "./alliance.rules.js";
import type { SelectionPages } from "./selection-pages.js";
import type { SelectionQuery } from "./selection.queries.js";
import { commissionRate, type CommissionPlanKind, type SelectionItem } from "./alliance.type.js";

/** The selection center: the alliance library as one promoter sees it, with the rate it would earn (R6). Pages are kept in the process (SelectionPages). */
export class SelectionService {
  constructor(private readonly kept: SelectionPages<SelectionConnection>) {}

  async selectionCenter(ctx: Context, page: PageArgs, filter: SelectionFilter | null | undefined, order: SelectionOrder | null | undefined) {
    requireRole(ctx, Role.PROMOTER);
    const limit = pageSize(page.first);
    const sort = order?.field ?? "NEWEST";
    const descending = (order?.direction ?? "DESC") === "DESC";
    const key = `selection:${sort}:${descending ? "d" : "a"}`;
    const after = decodeCursor(page.after, key);
    let minRateBps: number | undefined;
    if (filter?.minRatePercent != null) {
      const bps = parseRatePercent(filter.minRatePercent);
      if (bps === null) throw badInput("minRatePercent must be a percentage, e.g. \"20\" or \"12.5\".", "filter.minRatePercent");
      minRateBps = bps;
    }
    const query: SelectionQuery = {
      promoterId: ctx.viewer!.userId,
      at: ctx.clock.now(),
      category: filter?.category ?? undefined,
      industryBelt: filter?.industryBelt ?? undefined,
      crossBorder: filter?.crossBorder ?? undefined,
      minPriceFen: amountFilter(filter?.minPrice, "minPrice"),
      maxPriceFen: amountFilter(filter?.maxPrice, "maxPrice"),
      minRateBps,
      sort,
      descending,
      after,
      limit,
    };
    const kept = await this.kept.read(
      query,
      async () => {
        const result = await q.selectionPage(ctx.db, query);
        return { page: answer(result, sort, key, Boolean(after)), products: result.nodes.map((r) => r.product) };
      },
      (at) => q.nextSelectionBoundary(ctx.db, at),
    );
    for (const row of kept.products) ctx.loaders.productById.prime(row.id, row);
    return kept.page;
  }
}

type SelectionRows = Awaited<ReturnType<typeof q.selectionPage>>;

/** The page as answered: built once, when read from the database, and shared by every request that is given it kept. */
function answer(result: SelectionRows, sort: SelectionQuery["sort"], key: string, afterCursor: boolean) {
  const sortValue = {
    COMMISSION_RATE: (r: (typeof result.nodes)[number]) => r.rateBps,
    PRICE: (r: (typeof result.nodes)[number]) => r.product.priceFen,
    SALES: (r: (typeof result.nodes)[number]) => r.unitsSold,
    NEWEST: (r: (typeof result.nodes)[number]) => r.generalPlanId,
  }[sort];
  const connection = connectionOf(result, (r) => ({ key, value: sortValue(r), id: r.product.id }), afterCursor);
  return {
    pageInfo: connection.pageInfo,
    edges: connection.edges.map(({ node: r, cursor }) => ({
      cursor,
      node: {
        product: toProduct(r.product),
        commissionRate: commissionRate(r.rateBps),
        commissionPlanKind: r.kind as CommissionPlanKind,
        unitsSold30d: r.unitsSold,
        onShelf: r.onShelf,
      } satisfies SelectionItem,
    })),
  };
}

export type SelectionConnection = ReturnType<typeof answer>;

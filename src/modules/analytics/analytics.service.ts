import type { Context } from "../../shared/context.js";
import { badInput } from "../../shared/errors.js";
import { toGlobalId } from "../../shared/ids.js";
import { money } from "../../shared/money.js";
import { decodeCursor, encodeCursor, pageSize } from "../../shared/pagination.js";
import { salesAggregates, type SalesRow } from "./analytics.queries.js";
import { SalesDimension, type SalesAggregate, type SalesAggregateConnection, type SalesAggregatesArgs } from "./analytics.type.js";

const MAX_RANGE_MS = 366 * 86_400_000;
const GLOBAL: Partial<Record<SalesDimension, "LiveSession" | "User" | "Shop">> = {
  [SalesDimension.LIVE_SESSION]: "LiveSession",
  [SalesDimension.PROMOTER]: "User",
  [SalesDimension.SHOP]: "Shop",
};

const CSV_COLUMNS = ["key", "label", "gmv", "orders", "units", "buyers", "settledOrders", "commission", "promotionFee", "technicalFee"] as const;

/** A CSV cell: quoted when needed, and never read by a spreadsheet as a formula. */
function cell(value: string | number): string {
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: SalesAggregate[]): string {
  const lines = rows.map((r) =>
    [r.key, r.label, r.gmv.amount, r.orders, r.units, r.buyers, r.settledOrders, r.commission.amount, r.promotionFee.amount, r.technicalFee.amount].map(cell).join(","),
  );
  return [CSV_COLUMNS.join(","), ...lines].join("\n") + "\n";
}

function toAggregate(dimension: SalesDimension, row: SalesRow): SalesAggregate {
  const type = GLOBAL[dimension];
  return {
    key: type && row.key !== "none" ? toGlobalId(type, Number(row.key)) : row.key,
    label: row.label,
    gmv: money(Number(row.gmv)),
    orders: row.orders,
    units: Number(row.units),
    buyers: row.buyers,
    settledOrders: row.settled,
    commission: money(Number(row.commission)),
    promotionFee: money(Number(row.promotion_fee)),
    technicalFee: money(Number(row.technical_fee)),
  };
}

/** Sales aggregates for analysts and admins (the resolver checks the role): computed in SQL, paged by offset. */
export class AnalyticsService {
  async sales(ctx: Context, args: SalesAggregatesArgs): Promise<SalesAggregateConnection> {
    if (!(args.from < args.to)) throw badInput("from must be before to.", "from");
    if (args.to.getTime() - args.from.getTime() > MAX_RANGE_MS) throw badInput("A range covers at most 366 days.", "to");
    const limit = pageSize(args.first);
    const cursorKey = `sales:${args.groupBy}`;
    const offset = Number(decodeCursor(args.after, cursorKey)?.value ?? 0);
    const rows = await salesAggregates(ctx.db, { dimension: args.groupBy, from: args.from, to: args.to, limit: limit + 1, offset });
    const nodes = rows.slice(0, limit).map((row) => toAggregate(args.groupBy, row));
    const edges = nodes.map((node, i) => ({ cursor: encodeCursor({ key: cursorKey, value: offset + i + 1, id: 0 }), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > limit, hasPreviousPage: offset > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      csv: toCsv(nodes),
    };
  }
}

import { sql, type SQL } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { SalesDimension } from "./analytics.type.js";

export interface SalesRow {
  key: string;
  label: string;
  gmv: string;
  orders: number;
  units: string;
  buyers: number;
  settled: number;
  commission: string;
  promotion_fee: string;
  technical_fee: string;
}

/** Group key and label per dimension, over `b` (orders with their settlement) and the joins below. */
const GROUPS: Record<SalesDimension, { key: SQL; label: SQL }> = {
  [SalesDimension.LIVE_SESSION]: { key: sql`coalesce(b.live_session_id::text, 'none')`, label: sql`coalesce(ls.title, 'not in a live session')` },
  [SalesDimension.PROMOTER]: { key: sql`coalesce(b.promoter_id::text, 'none')`, label: sql`coalesce(pu.name, 'direct sales')` },
  [SalesDimension.SHOP]: { key: sql`b.shop_id::text`, label: sql`sh.name` },
  [SalesDimension.INDUSTRY_BELT]: { key: sql`sh.industry_belt::text`, label: sql`sh.industry_belt::text` },
  [SalesDimension.DAY]: {
    key: sql`to_char((b.created_at at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD')`,
    label: sql`to_char((b.created_at at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD')`,
  },
};

/**
 * One page of sales groups, computed in SQL: GMV, orders, units and distinct buyers of the orders placed in
 * [from, to) (cancelled ones excluded), and commission and fees of those already settled. Largest GMV first.
 */
export async function salesAggregates(db: DbOrTx, input: { dimension: SalesDimension; from: Date; to: Date; limit: number; offset: number }): Promise<SalesRow[]> {
  const { key, label } = GROUPS[input.dimension];
  const result = await db.execute(sql`
    select ${key} as key, ${label} as label,
      sum(b.total_fen)::text as gmv,
      count(*)::int as orders,
      sum(b.quantity)::text as units,
      count(distinct b.buyer_id)::int as buyers,
      count(s.order_id)::int as settled,
      coalesce(sum(s.commission_fen), 0)::text as commission,
      coalesce(sum(s.promotion_fee_fen), 0)::text as promotion_fee,
      coalesce(sum(s.technical_fee_fen), 0)::text as technical_fee
    from orders b
    left join settlements s on s.order_id = b.id
    join shops sh on sh.id = b.shop_id
    left join users pu on pu.id = b.promoter_id
    left join live_sessions ls on ls.id = b.live_session_id
    where b.created_at >= ${input.from.toISOString()} and b.created_at < ${input.to.toISOString()} and b.status <> 'CANCELLED'
    group by 1, 2
    order by sum(b.total_fen) desc, 1
    limit ${input.limit} offset ${input.offset}
  `);
  return resultRows<SalesRow>(result);
}

import { and, eq, inArray, sql } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { coupons, flashSalePurchases, flashSales, orders, type OrderRow } from "../../db/schema/index.js";

export function ordersByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(orders).where(inArray(orders.id, [...ids]));
}

export async function orderByKey(db: DbOrTx, buyerId: number, idempotencyKey: string) {
  const [row] = await db.select().from(orders).where(and(eq(orders.buyerId, buyerId), eq(orders.idempotencyKey, idempotencyKey)));
  return row ?? null;
}

/*
 * The batch statements of a flash sale pass their rows as one JSON parameter (jsonb_to_recordset) rather than
 * a parameter per value: a batch of 500 orders would otherwise build and send ~10,000 parameters, and building
 * them was the largest CPU cost of an accepted order.
 */

/** Orders already made with any of these (buyer, key) pairs. */
export function ordersByKeys(db: DbOrTx, pairs: { buyerId: number; key: string }[]) {
  const json = JSON.stringify(pairs.map((p) => ({ b: p.buyerId, k: p.key })));
  return db
    .select()
    .from(orders)
    .where(sql`(${orders.buyerId}, ${orders.idempotencyKey}) in (select b, k from jsonb_to_recordset(${json}::jsonb) as x(b bigint, k text))`);
}

export function purchasesOf(db: DbOrTx, saleId: number, buyerIds: number[]) {
  return db
    .select()
    .from(flashSalePurchases)
    .where(
      and(
        eq(flashSalePurchases.flashSaleId, saleId),
        sql`${flashSalePurchases.buyerId} in (select value::bigint from jsonb_array_elements_text(${JSON.stringify(buyerIds)}::jsonb))`,
      ),
    );
}

export type OrderInsert = typeof orders.$inferInsert & { createdAt: Date };

/** Inserts a batch of new orders; returns them as rows, in the order given. */
export async function insertOrders(db: DbOrTx, rows: OrderInsert[]): Promise<OrderRow[]> {
  const json = JSON.stringify(
    rows.map((r) => ({
      buyer_id: r.buyerId,
      shop_id: r.shopId,
      product_id: r.productId,
      promoter_id: r.promoterId ?? null,
      live_session_id: r.liveSessionId ?? null,
      flash_sale_id: r.flashSaleId ?? null,
      quantity: r.quantity,
      unit_price_fen: r.unitPriceFen,
      shop_coupon_fen: r.shopCouponFen ?? 0,
      promoter_coupon_fen: r.promoterCouponFen ?? 0,
      points_fen: r.pointsFen ?? 0,
      subsidy_fen: r.subsidyFen ?? 0,
      total_fen: r.totalFen,
      hand_price_fen: r.handPriceFen,
      commission_rate_bps: r.commissionRateBps ?? 0,
      commission_plan: r.commissionPlan ?? null,
      idempotency_key: r.idempotencyKey,
      created_at: r.createdAt.toISOString(),
    })),
  );
  const result = await db.execute(sql`
    insert into orders (buyer_id, shop_id, product_id, promoter_id, live_session_id, flash_sale_id, quantity, unit_price_fen,
      shop_coupon_fen, promoter_coupon_fen, points_fen, subsidy_fen, total_fen, hand_price_fen, commission_rate_bps,
      commission_plan, idempotency_key, created_at)
    select buyer_id, shop_id, product_id, promoter_id, live_session_id, flash_sale_id, quantity, unit_price_fen,
      shop_coupon_fen, promoter_coupon_fen, points_fen, subsidy_fen, total_fen, hand_price_fen, commission_rate_bps,
      commission_plan, idempotency_key, created_at
    from jsonb_to_recordset(${json}::jsonb) as x(buyer_id bigint, shop_id bigint, product_id bigint, promoter_id bigint,
      live_session_id bigint, flash_sale_id bigint, quantity integer, unit_price_fen bigint, shop_coupon_fen bigint,
      promoter_coupon_fen bigint, points_fen bigint, subsidy_fen bigint, total_fen bigint, hand_price_fen bigint,
      commission_rate_bps integer, commission_plan text, idempotency_key text, created_at timestamptz)
    returning id, buyer_id, idempotency_key`);
  // RETURNING order is not promised to follow the input: match on (buyer, key), unique within a batch.
  const ids = new Map(resultRows<{ id: unknown; buyer_id: unknown; idempotency_key: string }>(result).map((r) => [`${Number(r.buyer_id)}:${r.idempotency_key}`, Number(r.id)]));
  return rows.map((r) => {
    const id = ids.get(`${r.buyerId}:${r.idempotencyKey}`);
    if (id === undefined) throw new Error(`order of buyer ${r.buyerId} with key ${r.idempotencyKey} was not inserted`);
    return {
      id,
      buyerId: r.buyerId,
      shopId: r.shopId,
      productId: r.productId,
      promoterId: r.promoterId ?? null,
      liveSessionId: r.liveSessionId ?? null,
      flashSaleId: r.flashSaleId ?? null,
      quantity: r.quantity,
      unitPriceFen: r.unitPriceFen,
      shopCouponFen: r.shopCouponFen ?? 0,
      promoterCouponFen: r.promoterCouponFen ?? 0,
      pointsFen: r.pointsFen ?? 0,
      subsidyFen: r.subsidyFen ?? 0,
      totalFen: r.totalFen,
      handPriceFen: r.handPriceFen,
      commissionRateBps: r.commissionRateBps ?? 0,
      commissionPlan: r.commissionPlan ?? null,
      status: "ACCEPTED",
      idempotencyKey: r.idempotencyKey,
      createdAt: r.createdAt,
      receivedAt: null,
    };
  });
}

export async function insertOrderOnce(db: DbOrTx, row: typeof orders.$inferInsert) {
  const [inserted] = await db.insert(orders).values(row).onConflictDoNothing({ target: [orders.buyerId, orders.idempotencyKey] }).returning();
  return inserted ?? null;
}

export async function addPurchases(db: DbOrTx, saleId: number, perBuyer: Map<number, number>) {
  if (perBuyer.size === 0) return;
  const json = JSON.stringify([...perBuyer].map(([b, q]) => ({ b, q })));
  await db.execute(sql`
    insert into flash_sale_purchases (flash_sale_id, buyer_id, quantity)
    select ${saleId}, b, q from jsonb_to_recordset(${json}::jsonb) as x(b bigint, q integer)
    on conflict (flash_sale_id, buyer_id) do update set quantity = flash_sale_purchases.quantity + excluded.quantity`);
}

/** Adds sold units; the check constraint refuses an oversold sale even if the caller miscounted. */
export async function addSold(db: DbOrTx, saleId: number, units: number) {
  const [row] = await db
    .update(flashSales)
    .set({
      soldUnits: sql`${flashSales.soldUnits} + ${units}`,
      version: sql`${flashSales.version} + 1`,
      status: sql`case when ${flashSales.soldUnits} + ${units} >= ${flashSales.allocatedUnits} then 'SOLD_OUT'::flash_sale_status else ${flashSales.status} end`,
    })
    .where(eq(flashSales.id, saleId))
    .returning();
  return row!;
}

export function couponsByCodes(db: DbOrTx, codes: string[]) {
  return db.select().from(coupons).where(inArray(coupons.code, codes));
}

export async function insertCoupon(db: DbOrTx, values: typeof coupons.$inferInsert) {
  const [row] = await db.insert(coupons).values(values).onConflictDoNothing({ target: coupons.code }).returning();
  return row ?? null;
}

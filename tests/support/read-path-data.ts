import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { resultRows, type Db } from "../../src/db/client.js";

export interface ReadPathSize {
  shops: number;
  productsPerShop: number;
  promoters: number;
  shelfSize: number;
  /** Delivered orders spread over the products (units sold in the selection center). */
  orders: number;
}

/** The seeds' scale: 200 shops, 20,000 products, 1,000 promoters with 30 shelf items each. */
export const SEED_SCALE: ReadPathSize = { shops: 200, productsPerShop: 100, promoters: 1_000, shelfSize: 30, orders: 20_000 };

export interface ReadPathData {
  tag: string;
  shopIds: number[];
  promoterIds: number[];
  /** Products in the alliance library (an open GENERAL plan). */
  allianceProducts: number;
}

/** A bigint[] parameter (drizzle expands a plain array into a list). */
const idArray = (values: number[]) => sql`${`{${values.join(",")}}`}::bigint[]`;

const BELTS = ["JADE_RUILI", "JADE_SIHUI", "JADE_JIEYANG", "CLOTHING_HANGZHOU", "CLOTHING_CHANGSHU", "CLOTHING_ZHENGZHOU", "OTHER"];

/**
 * Shops, products, commission plans (nine in ten products in the alliance library, shop- and product-targeted plans
 * for some promoters), onboarded promoters with full shelves and delivered orders, in a dozen set-based statements,
 * then ANALYZE: what the read path meets in production, built in seconds rather than through the API.
 */
export async function buildReadPathData(db: Db, size: ReadPathSize): Promise<ReadPathData> {
  const tag = `rp${randomUUID().slice(0, 6)}`;
  const ids = async (query: ReturnType<typeof sql>) => resultRows<{ id: number | string }>(await db.execute(query)).map((r) => Number(r.id));
  const belts = sql.raw(`array[${BELTS.map((b) => `'${b}'`).join(",")}]::industry_belt[]`);
  const shopIds = await ids(sql`
    with merchants as (
      insert into users (name, role) select ${tag} || '-merchant-' || g, 'MERCHANT' from generate_series(1, ${size.shops}::int) g returning id
    )
    insert into shops (owner_id, name, industry_belt, created_at)
    select id, ${tag} || ' shop ' || id, (${belts})[1 + id % ${BELTS.length}], now() - interval '400 days' from merchants
    returning id`);
  await db.execute(sql`
    insert into distribution_applications (shop_id, applicant_id, status, checks, submitted_at, updated_at)
    select id, owner_id, 'APPROVED', '[]'::jsonb, now() - interval '300 days', now() - interval '300 days' from shops where id = any(${idArray(shopIds)})`);
  await db.execute(sql`
    insert into products (shop_id, title, description, category, origin_belt, price_fen, stock, created_at, updated_at)
    select s.id, ${tag} || ' product ' || s.id || '-' || g, 'A product of the read-path data set.', 'bench/cat-' || (g % 20),
      s.industry_belt, 990 + ((s.id * 7919 + g * 104729) % 200000), 50 + (g * 13) % 500, now() - (g || ' hours')::interval, now()
    from shops s cross join generate_series(1, ${size.productsPerShop}::int) g where s.id = any(${idArray(shopIds)})`);
  const allianceProducts = await ids(sql`
    insert into commission_plans (shop_id, product_id, kind, rate_bps, created_at, updated_at)
    select shop_id, id, 'GENERAL', 500 + (id * 37) % 3000, now() - interval '200 days', now() - interval '200 days'
    from products where shop_id = any(${idArray(shopIds)}) and id % 10 <> 0
    returning product_id as id`);
  const promoterIds = await ids(sql`
    insert into users (name, role) select ${tag} || '-promoter-' || g, 'PROMOTER' from generate_series(1, ${size.promoters}::int) g returning id`);
  await db.execute(sql`
    insert into promoter_profiles (user_id, promotion_pid, pid_bound_at, payout_channel, payout_account_name, payout_account_tail, payout_signed_at, updated_at)
    select id, ${tag} || '_pid_' || id, now(), 'ALIPAY', 'bench', '0000', now(), now() from users where id = any(${idArray(promoterIds)})`);
  // Targeted deals: every shop a SHOP_TARGETED plan for 20 promoters, one product in ten a PRODUCT_TARGETED one for 5.
  await db.execute(sql`
    with plans as (
      insert into commission_plans (shop_id, kind, rate_bps, created_at, updated_at)
      select id, 'SHOP_TARGETED', 3000 + id % 1000, now() - interval '100 days', now() - interval '100 days' from shops where id = any(${idArray(shopIds)})
      returning id, shop_id
    ), p as (select id, row_number() over (order by id) - 1 as i, count(*) over () as n from users where id = any(${idArray(promoterIds)}))
    insert into commission_plan_promoters (plan_id, promoter_id)
    select plans.id, p.id from plans cross join generate_series(0, 19) k join p on p.i = (plans.shop_id * 31 + k * 47) % p.n
    on conflict do nothing`);
  await db.execute(sql`
    with plans as (
      insert into commission_plans (shop_id, product_id, kind, rate_bps, created_at, updated_at)
      select shop_id, product_id, 'PRODUCT_TARGETED', 4000 + product_id % 1000, now() - interval '50 days', now() - interval '50 days'
      from commission_plans where kind = 'GENERAL' and shop_id = any(${idArray(shopIds)}) and product_id % 10 = 1
      returning id, product_id
    ), p as (select id, row_number() over (order by id) - 1 as i, count(*) over () as n from users where id = any(${idArray(promoterIds)}))
    insert into commission_plan_promoters (plan_id, promoter_id)
    select plans.id, p.id from plans cross join generate_series(0, 4) k join p on p.i = (plans.product_id * 17 + k * 211) % p.n
    on conflict do nothing`);
  await db.execute(sql`
    with ap as (
      select id, row_number() over (order by id) - 1 as i, count(*) over () as n from products where id = any(${idArray(allianceProducts)})
    ), p as (select id, row_number() over (order by id) - 1 as i from users where id = any(${idArray(promoterIds)}))
    insert into shelf_items (promoter_id, product_id, position, added_at)
    select p.id, ap.id, k + 1, now() - ((30 - k) || ' days')::interval
    from p cross join generate_series(0, ${size.shelfSize - 1}::int) k join ap on ap.i = (p.i * 7919 + k * 641) % ap.n
    on conflict do nothing`);
  if (size.orders > 0) {
    const [buyer] = await ids(sql`insert into users (name, role) values (${`${tag}-buyer`}, 'BUYER') returning id`);
    await db.execute(sql`
      with ap as (
        select p.id, p.shop_id, p.price_fen, row_number() over (order by p.id) - 1 as i, count(*) over () as n
        from products p where p.id = any(${idArray(allianceProducts)})
      )
      insert into orders (buyer_id, shop_id, product_id, quantity, unit_price_fen, total_fen, hand_price_fen, status, idempotency_key, created_at, received_at)
      select ${buyer}, ap.shop_id, ap.id, 1 + g % 3, ap.price_fen, ap.price_fen * (1 + g % 3), ap.price_fen,
        (case when g % 7 = 0 then 'CANCELLED' else 'RECEIVED' end)::order_status, ${tag} || '-' || g,
        now() - ((g % 60) || ' days')::interval, case when g % 7 = 0 then null else now() - ((g % 60) || ' days')::interval end
      from generate_series(1, ${size.orders}::int) g join ap on ap.i = (g * 2654435761) % ap.n`);
  }
  for (const table of ["users", "shops", "products", "commission_plans", "commission_plan_promoters", "shelf_items", "promoter_profiles", "orders", "distribution_applications"]) {
    await db.execute(sql.raw(`analyze ${table}`));
  }
  return { tag, shopIds, promoterIds, allianceProducts: allianceProducts.length };
}

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, resultRows, type Database, type Tx } from "../../../src/db/client.js";
import { migrateDatabase } from "../../../src/db/migrate.js";
import { purchasesOf } from "../../../src/modules/flash-sales/flash-sale.queries.js";
import { ordersByKeys } from "../../../src/modules/orders/orders.queries.js";
import { buildUser } from "../../support/builders.js";
import { freshDatabase } from "../../support/fresh-database.js";
import { buildLiveRoom } from "../../support/live-builders.js";

const ROWS = 20_000;

/** Sequential scans and index entries read in `table` by this transaction so far (the backend's own, unflushed, counts). */
async function reads(tx: Tx, table: string) {
  const [row] = resultRows<{ seq: number; entries: number }>(
    await tx.execute(sql`select seq_scan::int as seq, coalesce(idx_tup_fetch, 0)::int as entries from pg_stat_xact_user_tables where relname = ${table}`),
  );
  return { seq: Number(row?.seq ?? 0), entries: Number(row?.entries ?? 0) };
}

/** What `read` costs in `table`, in a transaction of its own, and what it answered. */
async function measured<T>(database: Database, table: string, read: (tx: Tx) => Promise<T>) {
  return database.db.transaction(async (tx) => {
    const before = await reads(tx, table);
    const answer = await read(tx);
    const after = await reads(tx, table);
    return { answer, seqScans: after.seq - before.seq, entries: after.entries - before.entries };
  });
}

/**
 * A sale's batches look their buyers and keys up in `orders` and `flash_sale_purchases` while the sale fills them. A
 * prepared statement's plan is cached on its connection, planned with the statistics of the moment: on a young
 * database (tables analyzed empty, or nearly) the cached plans read the whole table (orders) or all of the sale's
 * purchases in every batch as they grew (the bench: 1.5 million rows of orders in one sellout). These lookups are
 * planned at each batch and look each buyer up on its own.
 */
describe("the order batch's lookups on tables that grow during the sale (PostgreSQL)", () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let room: Awaited<ReturnType<typeof buildLiveRoom>>;
  let buyers: number[];
  beforeAll(async () => {
    fresh = await freshDatabase("growing_plans");
    // One connection: statements are prepared and their plans cached where the later lookups run.
    database = await openDatabase({ url: fresh.url, poolSize: 1 });
    await migrateDatabase(database);
    const { db } = database;
    room = await buildLiveRoom(db, { flashSale: true, units: ROWS });
    buyers = [(await buildUser(db, "BUYER")).id];
    await db.execute(sql`insert into users (name, role) select 'buyer-' || g, 'BUYER' from generate_series(2, ${ROWS}) g`);
    buyers.push(...resultRows<{ id: number }>(await db.execute(sql`select id from users where name like 'buyer-%' order by id`)).map((r) => Number(r.id)));
    await db.execute(sql`analyze`);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await fresh?.drop();
  });

  it("reads only the batch's own rows once the tables have grown, though they were analyzed empty", async () => {
    const { db } = database;
    const sale = room.sale!;
    const batch = buyers.filter((_, i) => i % 397 === 0).slice(0, 50);
    const keys = batch.map((buyerId) => ({ buyerId, key: `k${buyerId}` }));
    // More than PostgreSQL's five custom plans before it settles on a cached generic one.
    for (let i = 0; i < 8; i++) await db.transaction((tx) => Promise.all([ordersByKeys(tx, keys), purchasesOf(tx, sale.id, batch)]));

    await db.execute(sql`
      insert into orders (buyer_id, shop_id, product_id, flash_sale_id, quantity, unit_price_fen, total_fen, hand_price_fen, idempotency_key)
      select id, ${room.merchant.shop.id}, ${room.product.id}, ${sale.id}, 1, 100, 100, 100, 'k' || id from users where role = 'BUYER'`);
    await db.execute(sql`insert into flash_sale_purchases (flash_sale_id, buyer_id, quantity) select ${sale.id}, id, 1 from users where role = 'BUYER'`);

    const orders = await measured(database, "orders", (tx) => ordersByKeys(tx, keys));
    expect(orders.answer.map((o) => o.idempotencyKey).sort()).toEqual(keys.map((k) => k.key).sort());
    expect(orders.seqScans).toBe(0);
    // One heap row per order found, not the table.
    expect(orders.entries).toBeLessThanOrEqual(2 * batch.length);

    const purchases = await measured(database, "flash_sale_purchases", (tx) => purchasesOf(tx, sale.id, batch));
    expect(purchases.answer.map((p) => p.buyerId).sort((a, b) => a - b)).toEqual([...batch].sort((a, b) => a - b));
    expect(purchases.seqScans).toBe(0);
    expect(purchases.entries).toBeLessThanOrEqual(2 * batch.length);
  });
});

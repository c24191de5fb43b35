import "reflect-metadata";
import { sql } from "drizzle-orm";
import { writeFileSync } from "node:fs";
import postgres from "postgres";
import { openDatabase, resultRows, type Db } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { FulfilmentService } from "../../src/modules/fulfilment/index.js";
import { postRefund, SettlementService } from "../../src/modules/settlement/index.js";
import { InProcessBus } from "../../src/realtime/bus.js";
import { ListingNotices } from "../../src/realtime/listing-notices.js";
import { ManualClock } from "../../src/shared/clock.js";
import { createLogger } from "../../src/shared/logger.js";
import { ADMIN_DATABASE_URL, databaseUrl } from "../support/services.js";
import type { Phase } from "./kit.js";

const DAY = 86_400_000;

/**
 * R16 at scale: `orders` received orders due at once (50 shops, 10 of them enrolled in 凡星, 500 promoters,
 * 5% with a partial refund before settlement), settled by one run; then the reconciliation of all of them.
 * Rows are made with generate_series, so the setup does not dominate the bench.
 */
export async function benchSettlement(orders: number, log: (msg: string) => void) {
  const name = `liveshelf_bench_settle_${Date.now().toString(36)}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const database = await openDatabase({ url: databaseUrl(name), poolSize: 4 });
  try {
    await migrateDatabase(database);
    return await settleAtScale(database.db, orders, log);
  } finally {
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function settleAtScale(db: Db, orders: number, log: (msg: string) => void) {
  const asOf = new Date("2027-06-01T00:00:00Z");
  log(`settlement: making ${orders} due orders`);
  await db.execute(sql`insert into users (name, role) select 'bench-buyer-' || g, 'BUYER' from generate_series(1, 20000) g`);
  await db.execute(sql`insert into users (name, role) select 'bench-promoter-' || g, 'PROMOTER' from generate_series(1, 500) g`);
  await db.execute(sql`insert into users (name, role) select 'bench-merchant-' || g, 'MERCHANT' from generate_series(1, 50) g`);
  await db.execute(sql`
    insert into shops (owner_id, name, created_at)
    select u.id, 'bench-shop-' || u.id, case when row_number() over (order by u.id) <= 10 then '2020-09-15T00:00:00+08:00'::timestamptz else now() end
    from users u where u.name like 'bench-merchant-%'`);
  await db.execute(sql`
    insert into products (shop_id, title, category, price_fen, stock)
    select s.id, 'bench-product-' || s.id, 'bench/cat-' || (s.id % 7), 10000, 1000000 from shops s where s.name like 'bench-shop-%'`);
  await db.execute(sql`insert into technical_fee_rates (category, rate_bps, updated_at) select 'bench/cat-' || g, 200 + 50 * g, now() from generate_series(0, 3) g`);
  await db.execute(sql`
    with b as (select array_agg(id order by id) a from users where name like 'bench-buyer-%'),
         pr as (select array_agg(id order by id) a from users where name like 'bench-promoter-%'),
         p as (select array_agg(id order by id) ids, array_agg(shop_id order by id) shops from products where title like 'bench-product-%')
    insert into orders (buyer_id, shop_id, product_id, promoter_id, quantity, unit_price_fen, total_fen, hand_price_fen, commission_rate_bps,
      status, idempotency_key, created_at, received_at)
    select b.a[1 + g % 20000], p.shops[1 + g % 50], p.ids[1 + g % 50], case when g % 4 = 0 then null else pr.a[1 + g % 500] end,
      1, 100 + (g * 7919) % 99900, 100 + (g * 7919) % 99900, 100 + (g * 7919) % 99900, 100 + (g % 30) * 300,
      'RECEIVED', 'bench-' || g, ${new Date(asOf.getTime() - 20 * DAY).toISOString()}::timestamptz,
      ${new Date(asOf.getTime() - 8 * DAY).toISOString()}::timestamptz - (g % 86400) * interval '1 second'
    from generate_series(0, ${orders - 1}) g, b, pr, p`);
  await db.execute(sql`insert into ledger_accounts (kind, owner_id) values ('ESCROW', 0), ('BUYER_REFUNDS', 0) on conflict do nothing`);
  // 5% partial refunds before settlement, with their ledger postings (escrow → buyer).
  await db.execute(sql`
    with r as (
      insert into order_refunds (order_id, amount_fen, reason, at)
      select id, total_fen / 3 + 1, 'bench', ${new Date(asOf.getTime() - 9 * DAY).toISOString()}::timestamptz
      from orders where idempotency_key like 'bench-%' and id % 20 = 0
      returning id, order_id, amount_fen, at
    ), p as (select r.*, nextval('ledger_posting_seq') as posting_id from r)
    insert into ledger_entries (posting_id, account_id, kind, amount_fen, order_id, refund_id, at)
    select p.posting_id, a.id, 'REFUND', case when a.kind = 'ESCROW' then -p.amount_fen else p.amount_fen end, p.order_id, p.id, p.at
    from p cross join (select id, kind from ledger_accounts where owner_id = 0 and kind in ('ESCROW', 'BUYER_REFUNDS')) a`);
  await db.execute(sql`analyze`);

  const clock = new ManualClock(asOf);
  const logger = createLogger("warn", { service: "bench" });
  const bus = new InProcessBus();
  const fulfilment = new FulfilmentService({ db, bus, clock, log: logger, autoReceiveDays: 10, refunds: { postRefund }, listings: new ListingNotices(bus, logger, 50) });
  const settlement = new SettlementService({
    db,
    clock,
    log: logger,
    fulfilment,
    intervalMs: 0,
    terms: { defaultTechnicalBps: 500, fanxing: { from: new Date("2020-09-01T00:00:00+08:00"), until: new Date("2020-11-01T00:00:00+08:00"), rateBps: 100, lineFen: 10_000_000 } },
  });
  log("settlement: running");
  const started = performance.now();
  const run = await settlement.settle(asOf, { trigger: "ADMIN", by: null, wait: true });
  const ms = performance.now() - started;
  const again = await settlement.settle(asOf, { trigger: "ADMIN", by: null, wait: true });
  const [entries] = resultRows<{ n: string | number }>(await db.execute(sql`select count(*) as n from ledger_entries where kind = 'SETTLEMENT'`));
  const reconcileStarted = performance.now();
  const [rec] = resultRows<Record<string, string | number>>(
    await db.execute(sql`
      select (select sum(total_fen) from orders) - (
        (select coalesce(sum(amount_fen), 0) from ledger_entries e join ledger_accounts a on a.id = e.account_id where a.kind not in ('ESCROW', 'BUYER_REFUNDS') and e.order_id is not null)
        + (select coalesce(sum(amount_fen), 0) from order_refunds)) as difference`),
  );
  return {
    dueOrders: orders,
    settled: run.ordersSettled,
    amountYuan: run.amountFen / 100,
    secondRunSettled: again.ordersSettled,
    ledgerEntries: Number(entries!.n),
    ms: Math.round(ms),
    ordersPerSecond: Math.round((run.ordersSettled / ms) * 1000),
    reconciliationDifferenceFen: Number(rec!.difference),
    reconciliationMs: Math.round(performance.now() - reconcileStarted),
  };
}

/** BENCH_SETTLEMENT_ORDERS due orders (default 200,000; 0 leaves the phase out): one run must settle them all, once. */
export const settlementPhase: Phase = {
  name: "settlement",
  async run(log) {
    const orders = Number(process.env.BENCH_SETTLEMENT_ORDERS ?? 200_000);
    if (orders === 0) return { figures: [{ name: "skipped (BENCH_SETTLEMENT_ORDERS=0)", value: null }], data: { skipped: true }, failures: [] };
    const r = await benchSettlement(orders, log);
    const failures: string[] = [];
    if (r.settled !== orders) failures.push(`settled ${r.settled} of ${orders} due orders`);
    if (r.secondRunSettled !== 0) failures.push(`a second run settled ${r.secondRunSettled} orders again`);
    if (r.reconciliationDifferenceFen !== 0) failures.push(`reconciliation is off by ${r.reconciliationDifferenceFen} fen`);
    return {
      data: r,
      failures,
      figures: [
        { name: "due orders settled by one run", value: r.settled, target: `all ${orders}`, met: r.settled === orders },
        { name: "run time", value: r.ms / 1000, unit: "s", target: "≤ 60 s at 200,000", met: orders === 200_000 ? r.ms <= 60_000 : null },
        { name: "orders settled per second", value: r.ordersPerSecond },
        { name: "settled again by a second run", value: r.secondRunSettled, target: "0", met: r.secondRunSettled === 0 },
        { name: "reconciliation difference", value: r.reconciliationDifferenceFen, unit: "fen", target: "0", met: r.reconciliationDifferenceFen === 0 },
      ],
    };
  },
};

// `node --import tsx tests/bench/settlement.ts`: this part alone (BENCH_SETTLEMENT_ORDERS, default 200,000).
if (process.argv[1]?.endsWith("settlement.ts")) {
  benchSettlement(Number(process.env.BENCH_SETTLEMENT_ORDERS ?? 200_000), (msg) => process.stderr.write(`[bench] ${msg}\n`)).then(
    async (result) => {
      const { cpus, loadavg } = await import("node:os");
      const json = JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: loadavg()[0], settlement: result }, null, 2) + "\n";
      writeFileSync(new URL("./results/settlement-latest.json", import.meta.url), json);
      process.stdout.write(json);
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : error}\n`);
      process.exit(1);
    },
  );
}

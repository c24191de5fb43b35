import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { execute, parse } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import WebSocket from "ws";
import { loadConfig } from "../../src/config/env.js";
import { openDatabase } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { buildGatewaySchema } from "../../src/schema.js";
import { Agent, request as httpRequest } from "node:http";
import { TokenService } from "../../src/shared/auth.js";
import { spawnGateway, type GatewayProcess } from "../support/process.js";
import { buildMerchant, buildProduct, buildUser, buildUsers } from "../support/builders.js";
import { putOnShelf } from "../support/shelf.js";
import { ADMIN_DATABASE_URL, databaseUrl, JWT_SECRET, REDIS_URL } from "../support/services.js";
import { benchReadPath } from "./read-path.js";
import { benchSettlement } from "./settlement.js";

/**
 * `npm run bench`: measured on real PostgreSQL and Redis, two gateway instances in this process.
 * Writes tests/bench/results/latest.json (and a timestamped copy). Sizes can be scaled with BENCH_UNITS,
 * BENCH_BUYERS, BENCH_VIEWERS, BENCH_CONCURRENCY.
 */
const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const BUYERS = Number(process.env.BENCH_BUYERS ?? 14_000);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const SETTLEMENT_ORDERS = Number(process.env.BENCH_SETTLEMENT_ORDERS ?? 200_000);

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

interface Gateway {
  url: string;
  wsUrl: string;
  process: GatewayProcess;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

/** A plain keep-alive HTTP client: the load generator shares the machine, so it must be cheap. */
function gql(gw: Gateway, token: string | null, query: string, variables: unknown): Promise<{ data?: any; errors?: any[] }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      gw.url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function fanoutCounters(gw: Gateway): Promise<{ executions: number; messages: number }> {
  const text = await (await fetch(gw.url.replace(/\/graphql$/, "/metrics"))).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  return { executions: read("liveshelf_fanout_executions_total"), messages: read("liveshelf_fanout_messages_total") };
}

async function main() {
  const name = `liveshelf_bench_${Date.now().toString(36)}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = databaseUrl(name);
  const db = await openDatabase({ url });
  await migrateDatabase(db);
  const env = { PORT: "0", HOST: "127.0.0.1", DATABASE_URL: url, REDIS_URL, REDIS_KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}:`, JWT_SECRET, LOG_LEVEL: "warn", DB_POOL_SIZE: "10",
    // Every viewer here shares one IP: the per-IP bucket would throttle the crowd of anonymous overlays.
    RATE_LIMIT_BUCKET_SIZE: "100000000", RATE_LIMIT_RESTORE_RATE: "100000000" };
  loadConfig(env);
  // Two gateway processes, as production runs them (one per core); this process only generates load.
  const processes = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  const gateways: Gateway[] = processes.map((p) => ({ url: p.url, wsUrl: p.url.replace(/^http/, "ws"), process: p }));
  const [a, b] = gateways as [Gateway, Gateway];
  const tokenService = new TokenService(JWT_SECRET, 3600);
  const clients: Client[] = [];
  const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: (await import("node:os")).cpus().length };
  try {
    log(`setting up: ${UNITS} units, ${BUYERS} buyers, ${VIEWERS} viewers, concurrency ${CONCURRENCY}`);
    const { shop } = await buildMerchant(db.db);
    const product = await buildProduct(db.db, shop.id, { stock: UNITS, priceFen: 19_900 });
    const promoter = await buildUser(db.db, "PROMOTER");
    await putOnShelf(db.db, promoter.id, product.id);
    const promoterToken = await tokenService.mint(promoter.id, "PROMOTER" as never);
    const session = await gql(a, promoterToken, `mutation { startLiveSession(input: { title: "bench" }) { liveSession { id } } }`, {});
    const liveSessionId = session.data.startLiveSession.liveSession.id;
    const productId = Buffer.from(`Product:${product.id}`).toString("base64url");
    await gql(a, promoterToken, `mutation($s: ID!, $p: ID!) { pinToCart(input: { liveSessionId: $s, productId: $p }) { userErrors { code } } }`, { s: liveSessionId, p: productId });
    const sale = await gql(
      a,
      promoterToken,
      `mutation($i: CreateFlashSaleInput!) { createFlashSale(input: $i) { flashSale { id } userErrors { code message } } }`,
      { i: { liveSessionId, productId, flashPrice: "99.00", allocatedUnits: UNITS, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3600_000).toISOString() } },
    );
    const flashSaleId = sale.data.createFlashSale.flashSale.id;
    const buyers: { id: number }[] = [];
    for (let left = BUYERS; left > 0; left -= 5000) buyers.push(...(await buildUsers(db.db, "BUYER", Math.min(5000, left))));
    const tokens = await Promise.all(buyers.map((u) => tokenService.mint(u.id, "BUYER" as never)));

    // Viewers: overlays watching the inventory, half on each instance, all with one selection.
    const inventoryQuery = `subscription($s: ID!) { flashSaleInventory(liveSessionId: $s) { version sales { status soldUnits remainingUnits } } }`;
    let soldOutSeenAt: number[] = [];
    let received = 0;
    const firstMessages: Promise<void>[] = [];
    for (let i = 0; i < VIEWERS; i++) {
      const gw = i % 2 ? b : a;
      const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
      clients.push(client);
      firstMessages.push(
        new Promise<void>((resolve) => {
          let first = true;
          client.subscribe(
            { query: inventoryQuery, variables: { s: liveSessionId } },
            {
              next: (m: any) => {
                received++;
                if (first) {
                  first = false;
                  resolve();
                }
                if (m.data?.flashSaleInventory.sales[0]?.status === "SOLD_OUT") soldOutSeenAt.push(performance.now());
              },
              error: () => resolve(),
              complete: () => {},
            },
          );
        }),
      );
    }
    const subscribeStart = performance.now();
    await Promise.all(firstMessages);
    results.viewers = { count: VIEWERS, msToAllSnapshots: Math.round(performance.now() - subscribeStart) };
    log(`${VIEWERS} viewers subscribed`);

    const countersBefore = await Promise.all(gateways.map(fanoutCounters));
    received = 0;
    soldOutSeenAt = [];
    const placeOrder = `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } userErrors { code } } }`;
    const latencies: number[] = [];
    let accepted = 0;
    const refusals: Record<string, number> = {};
    let next = 0;
    const started = performance.now();
    let lastAcceptAt = started;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, worker) => {
        while (next < buyers.length) {
          const i = next++;
          const t0 = performance.now();
          const reply = await gql(worker % 2 ? b : a, tokens[i]!, placeOrder, { i: { flashSaleId, quantity: 1, idempotencyKey: `b${i}` } });
          const t1 = performance.now();
          latencies.push(t1 - t0);
          if (reply.data?.placeOrder.order) {
            accepted++;
            lastAcceptAt = t1;
          } else {
            const code = reply.data?.placeOrder.userErrors[0]?.code ?? reply.errors?.[0]?.extensions?.code ?? "ERROR";
            refusals[code] = (refusals[code] ?? 0) + 1;
          }
        }
      }),
    );
    const finished = performance.now();
    const waitStart = performance.now();
    while (soldOutSeenAt.length < VIEWERS && performance.now() - waitStart < 10_000) await new Promise((r) => setTimeout(r, 20));
    const sorted = [...latencies].sort((x, y) => x - y);
    const saleRowId = Number(Buffer.from(flashSaleId, "base64url").toString().split(":")[1]);
    const [row] = (await db.db.execute(
      sql`select (select sold_units from flash_sales where id = ${saleRowId}) as sold, (select count(*)::int from orders where flash_sale_id = ${saleRowId}) as orders`,
    )) as unknown as { sold: number; orders: number }[];
    results.flashSale = {
      units: UNITS,
      attempts: buyers.length,
      concurrency: CONCURRENCY,
      accepted,
      refusals,
      ledgerSoldUnits: row.sold,
      ledgerOrders: row.orders,
      oversold: row.sold > UNITS,
      msToSellOut: Math.round(lastAcceptAt - started),
      unitsPerSecond: Math.round((accepted / (lastAcceptAt - started)) * 1000),
      attemptsPerSecond: Math.round((buyers.length / (finished - started)) * 1000),
      latencyMs: { p50: +percentile(sorted, 50).toFixed(1), p95: +percentile(sorted, 95).toFixed(1), p99: +percentile(sorted, 99).toFixed(1), max: +sorted.at(-1)!.toFixed(1) },
    };
    const countersAfter = await Promise.all(gateways.map(fanoutCounters));
    const executions = countersAfter.reduce((n, c, i) => n + c.executions - countersBefore[i]!.executions, 0);
    const delivered = countersAfter.reduce((n, c, i) => n + c.messages - countersBefore[i]!.messages, 0);
    results.fanout = {
      viewersSawSoldOut: new Set(soldOutSeenAt).size > 0 ? soldOutSeenAt.length : 0,
      msFromLastSaleToAllViewersSoldOut: soldOutSeenAt.length ? Math.round(Math.max(...soldOutSeenAt) - lastAcceptAt) : null,
      messagesDelivered: delivered,
      executions,
      executionsSavedRatio: executions ? +(delivered / executions).toFixed(1) : null,
    };
    log(`flash sale: ${JSON.stringify(results.flashSale)}`);

    // The same selection executed once per subscriber (what graphql-js does without fan-out) vs once per message.
    const schema = await buildGatewaySchema();
    const document = parse(inventoryQuery);
    const payload = {
      liveSessionId,
      version: 3,
      sales: [{ flashSaleId: flashSaleId, productId, status: "RUNNING", allocatedUnits: UNITS, soldUnits: 10, remainingUnits: UNITS - 10, version: 3, saleRowId: 1 }],
    };
    const run = () => execute({ schema, document, rootValue: payload, variableValues: { s: liveSessionId }, contextValue: {} });
    const perSubscriberStart = performance.now();
    for (let i = 0; i < VIEWERS; i++) await run();
    const perSubscriberMs = performance.now() - perSubscriberStart;
    const onceStart = performance.now();
    const shared = await run();
    for (let i = 0; i < VIEWERS; i++) JSON.stringify(shared);
    const onceMs = performance.now() - onceStart;
    results.executeOnce = {
      subscribers: VIEWERS,
      perSubscriberExecutionMs: +perSubscriberMs.toFixed(2),
      executeOnceThenSerialiseMs: +onceMs.toFixed(2),
      speedup: +(perSubscriberMs / onceMs).toFixed(1),
      note: "per message of one room; the serialisation of the shared result is done once per socket either way",
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    for (const g of gateways) g.process.child.kill("SIGTERM");
    await Promise.all(gateways.map((g) => g.process.exited));
    await db.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  // R16 at scale, in a database of its own: one run over SETTLEMENT_ORDERS due orders (must be ≤ 60 s).
  results.settlement = await benchSettlement(SETTLEMENT_ORDERS, log);
  log(`settlement: ${JSON.stringify(results.settlement)}`);
  // Issue 16 target 1: the shelf and the selection center against a bare HTTP server's floor, in a database of its own.
  results.readPath = await benchReadPath({ log });
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const json = JSON.stringify(results, null, 2) + "\n";
  writeFileSync(new URL("./results/latest.json", import.meta.url), json);
  writeFileSync(new URL(`./results/bench-${Date.now()}.json`, import.meta.url), json);
  process.stdout.write(json);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);

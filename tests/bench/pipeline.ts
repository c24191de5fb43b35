import { sql } from "drizzle-orm";
import { createClient } from "redis";
import { resultRows, type Db } from "../../src/db/client.js";
import { REDIS_URL } from "../support/services.js";
import type { LoadResult } from "./http-load.js";
import { readdirSync, readFileSync } from "node:fs";
import { benchDatabase, cpuTimes, log, round, startGateways, startWorker } from "./kit.js";
import { drive, makeBuyers, setUpSale } from "./sellout.js";

/**
 * Where the sellout's gateway CPU goes (a diagnosis, not a phase of `npm run bench`): the sellout's load, 20,000
 * distinct buyers with one request each over 256 connections to 2 gateway processes, sent three times with three
 * documents. `{ __typename }` costs what every request pays before any resolver runs (HTTP, the token, the role,
 * the rate limit, the fast lane, the response); `viewer { id }` adds one resolver; `placeOrder` is the
 * sellout's own request. Then the sellout's floor (a bare Node HTTP server, 2 processes) with the same generator.
 *
 *   node --import tsx tests/bench/pipeline.ts
 *   PIPELINE_ONLY=placeOrder GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node --import tsx tests/bench/pipeline.ts
 *
 * PIPELINE_SELLOUTS=3 sends the sellout's load three times, each a new sale to new buyers: the first finds the
 * gateways cold (V8 still compiling the order path), the later ones show a warm gateway. PIPELINE_WARM=1 sends the
 * first two shapes again at the end, on warm gateways.
 */
const BUYERS = Number(process.env.BENCH_BUYERS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 256);
/** PIPELINE_ONLY=placeOrder sends only the shapes whose name includes it (one window in a profile). */
const ONLY = process.env.PIPELINE_ONLY;
const SELLOUTS = Number(process.env.PIPELINE_SELLOUTS ?? 1);
const WARM = process.env.PIPELINE_WARM === "1";

/** The whole machine's busy CPU (all processes: generator, gateways, PostgreSQL, Redis), in ms. */
function machineBusyMs(): number {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait were busy.
  return (ticks.reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!) * 10;
}

/** CPU (ms) of every process by command name: PostgreSQL's backends, Redis, the load generator (`node`). */
function cpuByCommand(): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { command, userMs, systemMs } = cpuTimes(entry);
      out.set(command, (out.get(command) ?? 0) + userMs + systemMs);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The load of `drive`, and the CPU the server processes (user, system), PostgreSQL, Redis and the whole machine spent on it. */
async function measured(pids: number[], load: () => Promise<LoadResult>) {
  const before = pids.map(cpuTimes);
  const machineBefore = machineBusyMs();
  const commandsBefore = cpuByCommand();
  const result = await load();
  const commandsAfter = cpuByCommand();
  const machineMs = machineBusyMs() - machineBefore;
  const after = pids.map(cpuTimes);
  const of = (command: string) => (commandsAfter.get(command) ?? 0) - (commandsBefore.get(command) ?? 0);
  const userMs = after.reduce((n, t, i) => n + t.userMs - before[i]!.userMs, 0);
  const systemMs = after.reduce((n, t, i) => n + t.systemMs - before[i]!.systemMs, 0);
  return { result, cpuMs: userMs + systemMs, userMs, systemMs, machineMs, postgresMs: of("postgres"), redisMs: of("redis-server") };
}

const bench = await benchDatabase("pipeline");
const rows: { request: string; perSecond: number; cpuMsPerRequest: number; split: string; machineMs: number; postgresMs: number; redisMs: number; statuses: string; outcomes: string; transactions?: number; redisCommands?: number }[] = [];

/** PostgreSQL transactions (a lone statement is one) committed or rolled back in the bench's database so far. */
async function transactions(db: Db): Promise<number> {
  const [row] = resultRows<{ n: number }>(await db.execute(sql`select (xact_commit + xact_rollback)::int as n from pg_stat_database where datname = current_database()`));
  return Number(row!.n);
}

/** Commands the Redis server has run so far (all clients: the bench is the only one using it meanwhile). */
async function redisCommands(): Promise<number> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    return Number(/total_commands_processed:(\d+)/.exec(await redis.info("stats"))![1]);
  } finally {
    await redis.quit();
  }
}
const row = (request: string, m: Awaited<ReturnType<typeof measured>>, outcomes: string) => ({
  request,
  perSecond: Math.round((m.result.attempts / m.result.ms) * 1000),
  cpuMsPerRequest: round(m.cpuMs / m.result.attempts, 3),
  split: `${round(m.userMs / m.result.attempts, 3)} / ${round(m.systemMs / m.result.attempts, 3)}`,
  machineMs: round(m.machineMs / m.result.attempts, 3),
  postgresMs: round(m.postgresMs / m.result.attempts, 3),
  redisMs: round(m.redisMs / m.result.attempts, 3),
  statuses: JSON.stringify(m.result.statuses),
  outcomes,
});
/** The floor is sent the sellout's very requests (it reads and ignores them). */
let flashSaleId = "";
try {
  const { gateways, stop } = await startGateways(2, bench.url);
  try {
    const shapes: [string, string | undefined][] = [
      ["{ __typename }", `query { __typename }`],
      ["{ viewer { id } }", `query { viewer { id } }`],
      ...Array.from({ length: SELLOUTS }, (_, i): [string, undefined] => [`placeOrder (the sellout)${SELLOUTS > 1 ? `, sale ${i + 1}` : ""}`, undefined]),
      ...(WARM ? ([["{ __typename }, warm", `query { __typename }`], ["{ viewer { id } }, warm", `query { viewer { id } }`]] as [string, string][]) : []),
    ];
    const sales = [];
    for (let i = 0; i < SELLOUTS; i++) sales.push(await setUpSale(bench.database.db, gateways[0]!.url, BUYERS / 2));
    flashSaleId = sales[0]!.flashSaleId;
    const buyers = await makeBuyers(bench.database.db, BUYERS * shapes.length);
    await bench.database.db.execute(sql`analyze`);
    for (const [index, [name, query]] of shapes.entries()) {
      if (ONLY && !name.includes(ONLY)) continue;
      log(`${name}: ${BUYERS} distinct buyers over ${CONNECTIONS} connections`);
      const ids = buyers.slice(index * BUYERS, (index + 1) * BUYERS);
      const targets = gateways.map((g) => g.url);
      const transactionsBefore = await transactions(bench.database.db);
      const commandsBefore = await redisCommands();
      // Each sellout its own sale; the other shapes name the first (their documents do not use it).
      const sale = sales[Math.min(SELLOUTS - 1, Math.max(0, index - 2))]!;
      const m = await measured(gateways.map((g) => g.pid), () => (query ? drive(targets, CONNECTIONS, ids, sale.flashSaleId, query, {}) : drive(targets, CONNECTIONS, ids, sale.flashSaleId)));
      await new Promise((r) => setTimeout(r, 1500));
      const perRequest = (n: number) => round(n / m.result.attempts, 2);
      rows.push({ ...row(name, m, JSON.stringify(m.result.outcomes)), transactions: perRequest((await transactions(bench.database.db)) - transactionsBefore), redisCommands: perRequest((await redisCommands()) - commandsBefore) });
    }
  } finally {
    await stop();
  }
  log("floor: a bare Node HTTP server, 2 processes");
  const floors = [startWorker("./http-floor.ts", ["233"]), startWorker("./http-floor.ts", ["233"])];
  try {
    const urls = await Promise.all(floors.map((f) => f.next<{ url: string }>("listening", 60_000)));
    const m = await measured(floors.map((f) => f.pid), () => drive(urls.map((u) => u.url), CONNECTIONS, Array.from({ length: BUYERS }, (_, i) => i + 1), flashSaleId));
    rows.push(row("floor (bare HTTP)", m, ""));
  } finally {
    await Promise.all(floors.map((f) => f.stop()));
  }
} finally {
  await bench.drop();
}
const floor = rows.at(-1)!.perSecond;
console.log("\n| request | requests/s | of floor | server CPU a request | user / system | machine CPU a request | PostgreSQL / Redis CPU a request | transactions | Redis commands | statuses | outcomes |\n|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.request} | ${r.perSecond.toLocaleString("en")} | ${round((r.perSecond / floor) * 100)}% | ${r.cpuMsPerRequest} ms | ${r.split} ms | ${r.machineMs} ms | ${r.postgresMs} / ${r.redisMs} ms | ${r.transactions ?? ""} | ${r.redisCommands ?? ""} | ${r.statuses} | ${r.outcomes} |`);
process.exit(0);

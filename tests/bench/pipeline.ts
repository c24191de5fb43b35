import { sql } from "drizzle-orm";
import type { LoadResult } from "./http-load.js";
import { benchDatabase, cpuMs, log, round, startGateways, startWorker, sumOf } from "./kit.js";
import { drive, makeBuyers, setUpSale } from "./sellout.js";

/**
 * Where the sellout's gateway CPU goes (a diagnosis, not a phase of `npm run bench`): the sellout's load, 20,000
 * distinct buyers with one request each over 256 connections to 2 gateway processes, sent three times with three
 * documents. `{ __typename }` costs what every request pays before any resolver runs (HTTP, the token, the role,
 * the rate limit, Apollo's pipeline, the response); `viewer { id }` adds one resolver; `placeOrder` is the
 * sellout's own request. Then the sellout's floor (a bare Node HTTP server, 2 processes) with the same generator.
 *
 *   node --import tsx tests/bench/pipeline.ts
 */
const BUYERS = Number(process.env.BENCH_BUYERS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 256);

/** The load of `drive`, and the CPU the server processes spent on it. */
async function measured(pids: number[], load: () => Promise<LoadResult>) {
  const before = sumOf(pids, cpuMs);
  const result = await load();
  return { result, cpuMs: sumOf(pids, cpuMs) - before };
}

const bench = await benchDatabase("pipeline");
const rows: { request: string; perSecond: number; cpuMsPerRequest: number; statuses: string; outcomes: string }[] = [];
/** The floor is sent the sellout's very requests (it reads and ignores them). */
let flashSaleId = "";
try {
  const { gateways, stop } = await startGateways(2, bench.url);
  try {
    const sale = await setUpSale(bench.database.db, gateways[0]!.url, BUYERS / 2);
    flashSaleId = sale.flashSaleId;
    const buyers = await makeBuyers(bench.database.db, BUYERS * 3);
    await bench.database.db.execute(sql`analyze`);
    const shapes: [string, string | undefined][] = [
      ["{ __typename }", `query { __typename }`],
      ["{ viewer { id } }", `query { viewer { id } }`],
      ["placeOrder (the sellout)", undefined],
    ];
    for (const [index, [name, query]] of shapes.entries()) {
      log(`${name}: ${BUYERS} distinct buyers over ${CONNECTIONS} connections`);
      const ids = buyers.slice(index * BUYERS, (index + 1) * BUYERS);
      const targets = gateways.map((g) => g.url);
      const { result, cpuMs } = await measured(gateways.map((g) => g.pid), () => (query ? drive(targets, CONNECTIONS, ids, sale.flashSaleId, query, {}) : drive(targets, CONNECTIONS, ids, sale.flashSaleId)));
      rows.push({ request: name, perSecond: Math.round((result.attempts / result.ms) * 1000), cpuMsPerRequest: round(cpuMs / result.attempts, 3), statuses: JSON.stringify(result.statuses), outcomes: JSON.stringify(result.outcomes) });
    }
  } finally {
    await stop();
  }
  log("floor: a bare Node HTTP server, 2 processes");
  const floors = [startWorker("./http-floor.ts", ["233"]), startWorker("./http-floor.ts", ["233"])];
  try {
    const urls = await Promise.all(floors.map((f) => f.next<{ url: string }>("listening", 60_000)));
    const { result, cpuMs } = await measured(floors.map((f) => f.pid), () => drive(urls.map((u) => u.url), CONNECTIONS, Array.from({ length: BUYERS }, (_, i) => i + 1), flashSaleId));
    rows.push({ request: "floor (bare HTTP)", perSecond: Math.round((result.attempts / result.ms) * 1000), cpuMsPerRequest: round(cpuMs / result.attempts, 3), statuses: JSON.stringify(result.statuses), outcomes: "" });
  } finally {
    await Promise.all(floors.map((f) => f.stop()));
  }
} finally {
  await bench.drop();
}
const floor = rows.at(-1)!.perSecond;
console.log("\n| request | requests/s | of floor | server CPU a request | statuses | outcomes |\n|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.request} | ${r.perSecond.toLocaleString("en")} | ${round((r.perSecond / floor) * 100)}% | ${r.cpuMsPerRequest} ms | ${r.statuses} | ${r.outcomes} |`);
process.exit(0);

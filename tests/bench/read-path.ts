import "reflect-metadata";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import postgres from "postgres";
import { openDatabase } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { TokenService } from "../../src/shared/auth.js";
import { toGlobalId } from "../../src/shared/ids.js";
import { spawnGateway, type GatewayProcess } from "../support/process.js";
import { buildReadPathData, SEED_SCALE } from "../support/read-path-data.js";
import { ADMIN_DATABASE_URL, databaseUrl, JWT_SECRET, REDIS_URL } from "../support/services.js";
import type { Phase } from "./kit.js";

/**
 * Issue 16, target 1: a promoter's shelf (anonymous) and the selection center (the promoter itself, 30 items) on a
 * gateway process in production mode, against a bare Node HTTP server answering the same bytes, in the same run, at
 * the same number of connections. Data at the seeds' scale, ANALYZEd.
 */
export const SHELF_QUERY = `query Shelf($id: ID!) { promoter(id: $id) { shelf { position stock product { id title price { amount currencyCode } } shop { id name } } } }`;
export const SELECTION_QUERY = `query Selection { selectionCenter(first: 30) { edges { node { commissionRate { percent } commissionPlanKind onShelf unitsSold30d product { id title price { amount currencyCode } stock shop { id name } } } } pageInfo { hasNextPage endCursor } } }`;

export interface LoadFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  requests: number;
  non2xx: number;
  errors: number;
  /** Responses whose body was not the expected shape (GraphQL errors, an empty shelf), non-2xx included. */
  mismatches: number;
  /** CPU time the serving process spent per request (user + system, from /proc): steadier than requests/s on a shared machine. */
  cpuMsPerRequest: number | null;
  /** 200 responses with a wrong body: a correctness failure (an overloaded process's 503 is not). */
  wrongAnswers: number;
}

export interface ReadPathResult {
  connections: number;
  seconds: number;
  data: { shops: number; products: number; allianceProducts: number; promoters: number; shelfItems: number; msToBuild: number };
  floor: LoadFigures & { responseBytes: number };
  shelf: LoadFigures & { ofFloorRps: number; p99OverFloorP99: number; meetsTarget: boolean };
  selectionCenter: LoadFigures & { ofFloorRps: number; p99OverFloorP99: number; meetsTarget: boolean };
  target: string;
  gatewayWarnings: string[];
}

export interface ReadPathOptions {
  log: (msg: string) => void;
  connections?: number;
  /** Measured seconds per load (after a warm-up of a third of it). */
  seconds?: number;
  /** An existing database with the data set (from an earlier run's `keepDatabase`): skips building it. */
  databaseName?: string;
  keepDatabase?: boolean;
  /** Extra environment for the gateway process (e.g. to switch a lever off). */
  gatewayEnv?: Record<string, string>;
}

const FLOOR_SERVER = `
const http = require("node:http");
const body = Buffer.from(process.env.FLOOR_BODY, "base64");
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length }); res.end(body); });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log("listening " + server.address().port));
`;

/** The floor: a bare Node HTTP server (its own process, like the gateway) answering `body` to every request. */
async function spawnFloor(body: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["-e", FLOOR_SERVER], { env: { ...process.env, FLOOR_BODY: Buffer.from(body).toString("base64") }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`floor server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** User + system CPU time of a process, in ms (Linux /proc; null elsewhere). */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

interface Load {
  url: string;
  /** The serving process. */
  pid: number;
  /** Body and headers of each request, chosen afresh per request. */
  next: () => { body: string; headers: Record<string, string> };
  verify: (body: string) => boolean;
}

async function measure(load: Load, connections: number, seconds: number): Promise<LoadFigures> {
  let wrongAnswers = 0;
  const run = (duration: number) =>
    autocannon({
      url: load.url,
      connections,
      duration,
      method: "POST",
      requests: [
        {
          setupRequest: (request: Record<string, unknown>) => {
            const { body, headers } = load.next();
            return { ...request, method: "POST", body, headers: { "content-type": "application/json", ...headers } };
          },
          onResponse: (status: number, body: string) => {
            if (status === 200 && !load.verify(body)) wrongAnswers++;
          },
        },
      ],
      verifyBody: load.verify,
    });
  await run(Math.max(2, Math.round(seconds / 3)));
  wrongAnswers = 0;
  const cpuBefore = cpuMs(load.pid);
  const result = await run(seconds);
  const cpuAfter = cpuMs(load.pid);
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    mismatches: result.mismatches ?? 0,
    wrongAnswers,
    cpuMsPerRequest: cpuBefore === null || cpuAfter === null || !result.requests.total ? null : +((cpuAfter - cpuBefore) / result.requests.total).toFixed(2),
  };
}

async function post(url: string, query: string, variables: unknown, token?: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return response.text();
}

export async function benchReadPath(opts: ReadPathOptions): Promise<ReadPathResult> {
  const { log } = opts;
  const connections = opts.connections ?? 50;
  const seconds = opts.seconds ?? 10;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  const name = opts.databaseName ?? `liveshelf_bench_read_${Date.now().toString(36)}`;
  if (!opts.databaseName) await admin.unsafe(`create database ${name}`);
  const url = databaseUrl(name);
  let gateway: GatewayProcess | null = null;
  let floor: Awaited<ReturnType<typeof spawnFloor>> | null = null;
  try {
    const database = await openDatabase({ url, poolSize: 2 });
    const started = performance.now();
    let promoterIds: number[];
    let allianceProducts: number;
    if (opts.databaseName) {
      const client = postgres(url, { max: 1, onnotice: () => {} });
      promoterIds = (await client`select promoter_id from shelf_items group by promoter_id order by promoter_id`).map((r) => Number(r.promoter_id));
      [{ n: allianceProducts }] = (await client`select count(*)::int as n from commission_plans where kind = 'GENERAL'`) as unknown as [{ n: number }];
      await client.end();
    } else {
      log(`read path: building ${SEED_SCALE.shops} shops, ${SEED_SCALE.shops * SEED_SCALE.productsPerShop} products, ${SEED_SCALE.promoters} promoters × ${SEED_SCALE.shelfSize} shelf items`);
      await migrateDatabase(database);
      const data = await buildReadPathData(database.db, SEED_SCALE);
      promoterIds = data.promoterIds;
      allianceProducts = data.allianceProducts;
    }
    const msToBuild = Math.round(performance.now() - started);
    await database.close();

    const env = {
      NODE_ENV: "production",
      DATABASE_URL: url,
      REDIS_URL,
      REDIS_KEY_PREFIX: `bench-read-${randomUUID().slice(0, 8)}:`,
      JWT_SECRET,
      LOG_LEVEL: "warn",
      DB_POOL_SIZE: "10",
      // One client address for every request: the per-address bucket would throttle the load generator.
      RATE_LIMIT_BUCKET_SIZE: "1000000000",
      RATE_LIMIT_RESTORE_RATE: "1000000000",
      ...opts.gatewayEnv,
    };
    gateway = await spawnGateway(env);
    const tokens = new TokenService(JWT_SECRET, 3600);
    const promoterTokens = await Promise.all(promoterIds.map((id) => tokens.mint(id, "PROMOTER" as never)));
    const pick = () => Math.floor(Math.random() * promoterIds.length);

    const sample = await post(gateway.url, SHELF_QUERY, { id: toGlobalId("Promoter", promoterIds[0]!) });
    const shelfOk = (body: string) => body.startsWith(`{"data":{"promoter":{"shelf":[{"position":`) && !body.includes(`"errors"`);
    if (!shelfOk(sample)) throw new Error(`unexpected shelf response: ${sample.slice(0, 300)}`);
    const selectionSample = await post(gateway.url, SELECTION_QUERY, {}, promoterTokens[0]);
    const selectionOk = (body: string) => body.startsWith(`{"data":{"selectionCenter":{"edges":[{"node":{"commissionRate":{"percent":`) && !body.includes(`"errors"`);
    if (!selectionOk(selectionSample)) throw new Error(`unexpected selection-center response: ${selectionSample.slice(0, 300)}`);

    // The gateway's first requests compile code and fill caches: both queries are warmed before anything is measured.
    await measure({ url: gateway.url, pid: gateway.child.pid!, next: () => ({ body: JSON.stringify({ query: SHELF_QUERY, variables: { id: toGlobalId("Promoter", promoterIds[pick()]!) } }), headers: {} }), verify: shelfOk }, connections, 3);
    await measure({ url: gateway.url, pid: gateway.child.pid!, next: () => ({ body: JSON.stringify({ query: SELECTION_QUERY }), headers: { authorization: `Bearer ${promoterTokens[pick()]}` } }), verify: selectionOk }, connections, 3);
    floor = await spawnFloor(sample);
    log(`read path: floor (bare node:http, the shelf's ${Buffer.byteLength(sample)} bytes), ${connections} connections, ${seconds} s`);
    const floorFigures = await measure(
      { url: floor.url, pid: floor.pid, next: () => ({ body: JSON.stringify({ query: SHELF_QUERY, variables: { id: toGlobalId("Promoter", promoterIds[pick()]!) } }), headers: {} }), verify: shelfOk },
      connections,
      seconds,
    );
    await floor.stop();
    floor = null;
    log(`read path: floor ${floorFigures.requestsPerSecond} rps, p50 ${floorFigures.latencyMs.p50} ms, p99 ${floorFigures.latencyMs.p99} ms, ${floorFigures.cpuMsPerRequest} ms CPU a request`);

    const gatewayUrl = gateway.url;
    const shelf = await measure(
      { url: gatewayUrl, pid: gateway.child.pid!, next: () => ({ body: JSON.stringify({ query: SHELF_QUERY, variables: { id: toGlobalId("Promoter", promoterIds[pick()]!) } }), headers: {} }), verify: shelfOk },
      connections,
      seconds,
    );
    log(`read path: shelf ${shelf.requestsPerSecond} rps, p50 ${shelf.latencyMs.p50} ms, p99 ${shelf.latencyMs.p99} ms, ${shelf.cpuMsPerRequest} ms CPU a request`);
    const selection = await measure(
      { url: gatewayUrl, pid: gateway.child.pid!, next: () => ({ body: JSON.stringify({ query: SELECTION_QUERY }), headers: { authorization: `Bearer ${promoterTokens[pick()]}` } }), verify: selectionOk },
      connections,
      seconds,
    );
    log(`read path: selection center ${selection.requestsPerSecond} rps, p50 ${selection.latencyMs.p50} ms, p99 ${selection.latencyMs.p99} ms, ${selection.cpuMsPerRequest} ms CPU a request`);

    // What the gateway said about the load (503s under overload come with a "database unavailable" warning).
    const warnings = gateway
      .output()
      .split("\n")
      .filter((line) => /"level":"(warn|error)"/.test(line));
    if (warnings.length) log(`read path: the gateway logged ${warnings.length} warnings or errors; the first: ${warnings[0]!.slice(0, 400)}`);
    const against = (f: LoadFigures) => {
      const ofFloorRps = +(f.requestsPerSecond / floorFigures.requestsPerSecond).toFixed(3);
      const p99OverFloorP99 = +(f.latencyMs.p99 / Math.max(1, floorFigures.latencyMs.p99)).toFixed(1);
      return { ...f, ofFloorRps, p99OverFloorP99, meetsTarget: ofFloorRps >= 0.1 && p99OverFloorP99 <= 10 };
    };
    return {
      connections,
      seconds,
      data: {
        shops: SEED_SCALE.shops,
        products: SEED_SCALE.shops * SEED_SCALE.productsPerShop,
        allianceProducts,
        promoters: promoterIds.length,
        shelfItems: promoterIds.length * SEED_SCALE.shelfSize,
        msToBuild,
      },
      floor: { ...floorFigures, responseBytes: Buffer.byteLength(sample) },
      gatewayWarnings: warnings.slice(0, 5),
      shelf: against(shelf),
      selectionCenter: against(selection),
      target: "≥ 10% of the floor's requests/s, p99 ≤ 10× the floor's p99 (reported, not asserted)",
    };
  } finally {
    await floor?.stop();
    if (gateway) {
      gateway.child.kill("SIGTERM");
      await gateway.exited;
    }
    if (!opts.keepDatabase) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

export const readPathPhase: Phase = {
  name: "read-path",
  async run(log) {
    const r = await benchReadPath({ log, seconds: Number(process.env.BENCH_READ_SECONDS ?? 10) });
    const rows = (label: string, f: ReadPathResult["shelf"]) => [
      { name: `${label} requests/s`, value: f.requestsPerSecond, floor: r.floor.requestsPerSecond, target: "≥ 10% of floor", met: f.ofFloorRps >= 0.1 },
      { name: `${label} p50`, value: f.latencyMs.p50, unit: "ms", floor: r.floor.latencyMs.p50 },
      { name: `${label} p99`, value: f.latencyMs.p99, unit: "ms", floor: r.floor.latencyMs.p99, target: "≤ 10× floor", met: f.p99OverFloorP99 <= 10 },
      { name: `${label} gateway CPU a request`, value: f.cpuMsPerRequest, unit: "ms", floor: r.floor.cpuMsPerRequest },
      { name: `${label} non-2xx (of ${f.requests})`, value: f.non2xx },
    ];
    const failures = [
      ...(r.shelf.wrongAnswers ? [`${r.shelf.wrongAnswers} shelf replies with a wrong body`] : []),
      ...(r.selectionCenter.wrongAnswers ? [`${r.selectionCenter.wrongAnswers} selection-center replies with a wrong body`] : []),
    ];
    return { figures: [...rows("shelf (anonymous, 30 items)", r.shelf), ...rows("selection center (promoter, 30)", r.selectionCenter)], data: { ...r }, failures };
  },
};

// Alone: `node --import tsx tests/bench/read-path.ts` (BENCH_READ_DB=<name> reuses a kept data set, BENCH_READ_KEEP=1 keeps it).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchReadPath({
    log: (msg) => process.stderr.write(`[bench] ${msg}\n`),
    seconds: Number(process.env.BENCH_READ_SECONDS ?? 10),
    databaseName: process.env.BENCH_READ_DB,
    keepDatabase: process.env.BENCH_READ_KEEP === "1" || Boolean(process.env.BENCH_READ_DB),
  }).then(
    (result) => {
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`read-path bench failed: ${error instanceof Error ? error.stack : error}\n`);
      process.exit(1);
    },
  );
}

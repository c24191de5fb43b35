import { fork, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { LOCAL_ISSUER } from "../../src/shared/auth.js";
import { spawnGateway, type GatewayProcess } from "../support/process.js";
import { ADMIN_DATABASE_URL, databaseUrl, JWT_SECRET, REDIS_URL } from "../support/services.js";

/** What every bench phase hands back to the runner (tests/bench/run.ts). */
export interface PhaseReport {
  /** Rows of the closing table. */
  figures: Figure[];
  /** Everything measured, for results/latest.json. */
  data: Record<string, unknown>;
  /** Correctness figures that broke (oversold, lost, a missed final state): any makes the bench exit non-zero. */
  failures: string[];
}

export interface Figure {
  name: string;
  value: number | string | null;
  unit?: string;
  /** The same figure measured on the phase's floor in the same run. */
  floor?: number | null;
  /** How the value must compare with the floor (reported, not asserted), e.g. "≥ 40% of floor". */
  target?: string;
  met?: boolean | null;
}

export interface Phase {
  name: string;
  run(log: (msg: string) => void): Promise<PhaseReport>;
}

export const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** Latencies kept as counts per tenth of a millisecond: cheap to carry from child processes and to merge. */
export type MsHistogram = Record<number, number>;

export function addToHistogram(h: MsHistogram, ms: number): void {
  const bucket = Math.max(0, Math.round(ms * 10));
  h[bucket] = (h[bucket] ?? 0) + 1;
}

export function mergeHistograms(hs: MsHistogram[]): MsHistogram {
  const out: MsHistogram = {};
  for (const h of hs) for (const [k, n] of Object.entries(h)) out[Number(k)] = (out[Number(k)] ?? 0) + n;
  return out;
}

export function histogramSummary(h: MsHistogram): { count: number; p50: number; p99: number; max: number } {
  const buckets = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const count = buckets.reduce((s, [, n]) => s + n, 0);
  const at = (p: number) => {
    const rank = Math.min(count - 1, Math.floor((count * p) / 100));
    let seen = 0;
    for (const [tenths, n] of buckets) if ((seen += n) > rank) return tenths / 10;
    return 0;
  };
  return { count, p50: at(50), p99: at(99), max: (buckets.at(-1)?.[0] ?? 0) / 10 };
}

/** Resident set size of a process (from /proc), in bytes. */
export function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb ?? 0) * 1024;
}

/**
 * CPU time a process has used (user + system, from /proc), in milliseconds. On a shared machine this is the figure
 * that load does not bend much: wall-clock rates fall with the load average, CPU per operation barely moves.
 */
/** Node flags that load gc-signal.ts: a process started with them collects its garbage on SIGUSR2 (see rssAfterGc). */
export const GC_ON_SIGNAL = ["--import", fileURLToPath(new URL("./gc-signal.ts", import.meta.url))];

/**
 * Resident memory of processes started with GC_ON_SIGNAL (gateways and floors alike), each read a second and a half
 * after the full collection SIGUSR2 asks for: at the size of what is live, not wherever each collector happened to be.
 */
export async function rssAfterGc(pids: number[]): Promise<number[]> {
  for (const pid of pids) process.kill(pid, "SIGUSR2");
  await new Promise((r) => setTimeout(r, 1500));
  return pids.map(rssBytes);
}

/** A process's command name and its user and system CPU so far (from /proc), in ms. */
export function cpuTimes(pid: number | string): { command: string; userMs: number; systemMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.replace(/^.*\) /, "").split(" ");
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based), in clock ticks of 10 ms.
  return { command: /\((.*)\)/.exec(stat)?.[1] ?? "", userMs: Number(fields[11]) * 10, systemMs: Number(fields[12]) * 10 };
}

export function cpuMs(pid: number): number {
  const { userMs, systemMs } = cpuTimes(pid);
  return userMs + systemMs;
}

export const sumOf = (pids: number[], read: (pid: number) => number) => pids.reduce((n, pid) => n + read(pid), 0);

export function openFilesLimit(): { soft: number; hard: number } {
  const line = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
  const n = (v: string | undefined) => (v === "unlimited" || v === undefined ? Infinity : Number(v));
  return { soft: n(line?.[1]), hard: n(line?.[2]) };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * The gateway's own HS256 token (what `npm run token` mints), signed with node:crypto: 20,000 of them take tens
 * of milliseconds, where jose's WebCrypto path takes seconds.
 */
export function mintToken(userId: number, role: string, ttlSeconds = 3600, secret = JWT_SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: "HS256" })}.${b64({ role, sub: String(userId), iss: LOCAL_ISSUER, iat: now, exp: now + ttlSeconds })}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}

/** A database of its own for a phase, migrated; dropped by `drop`. */
export async function benchDatabase(tag: string): Promise<{ url: string; database: Database; drop: () => Promise<void> }> {
  const name = `liveshelf_bench_${tag}_${Date.now().toString(36)}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = databaseUrl(name);
  const database = await openDatabase({ url });
  await migrateDatabase(database);
  return {
    url,
    database,
    drop: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export interface Gateway {
  url: string;
  wsUrl: string;
  pid: number;
  process: GatewayProcess;
}

/** Production-mode gateway processes (real PostgreSQL and Redis), started like `npm start`. */
export async function startGateways(
  count: number,
  databaseUrlValue: string,
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ gateways: Gateway[]; stop: () => Promise<void>; redisPrefix: string }> {
  const redisPrefix = `bench-${randomUUID().slice(0, 8)}:`;
  const env = { DATABASE_URL: databaseUrlValue, REDIS_URL, REDIS_KEY_PREFIX: redisPrefix, JWT_SECRET, LOG_LEVEL: "warn", ...extra };
  const processes = await Promise.all(Array.from({ length: count }, () => spawnGateway(env, 120_000, nodeArgs)));
  const gateways = processes.map((p) => ({ url: p.url, wsUrl: p.url.replace(/^http/, "ws"), pid: p.child.pid!, process: p }));
  return {
    gateways,
    redisPrefix,
    stop: async () => {
      for (const g of gateways) g.process.child.kill("SIGTERM");
      await Promise.all(gateways.map((g) => g.process.exited));
    },
  };
}

export async function graphql(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

/** A bench child process (load generator, floor server, socket crowd): messages both ways over IPC. */
export interface Worker {
  child: ChildProcess;
  pid: number;
  send(message: unknown): void;
  /** The next message whose `type` is `type` (messages are queued until asked for). */
  next<T = any>(type: string, timeoutMs?: number): Promise<T>;
  /** Messages of `type` go to `handler` instead of the queue (progress reports). */
  on(type: string, handler: (message: any) => void): void;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startWorker(file: string, args: string[] = [], nodeArgs: string[] = []): Worker {
  const child = fork(new URL(file, import.meta.url).pathname, args, { execArgv: ["--import", "tsx", ...nodeArgs], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const queued: { type: string }[] = [];
  const waiting: { type: string; resolve: (m: any) => void }[] = [];
  const handlers = new Map<string, (message: any) => void>();
  let failure: Error | null = null;
  child.on("message", (message: { type: string }) => {
    const handler = handlers.get(message.type);
    if (handler) return handler(message);
    const i = waiting.findIndex((w) => w.type === message.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(message);
    else queued.push(message);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      failure = new Error(`bench worker ${file} exited (${code})`);
      resolve(code);
    }),
  );
  return {
    child,
    pid: child.pid!,
    send: (message) => child.send(message as object),
    next: (type, timeoutMs = 300_000) => {
      const i = queued.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(queued.splice(i, 1)[0] as never);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench worker ${file}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
        const entry = {
          type,
          resolve: (m: any) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        waiting.push(entry);
        void exited.then(() => {
          clearTimeout(timer);
          if (waiting.includes(entry)) reject(failure);
        });
      });
    },
    on: (type, handler) => void handlers.set(type, handler),
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** In a worker: the parent's messages, and a way to answer. */
export function workerChannel(): { send(message: unknown): void; on(handler: (message: any) => void): void } {
  if (!process.send) throw new Error("run by the bench runner (an IPC channel is needed)");
  // The parent going away ends the worker, so no crowd of sockets outlives an interrupted bench.
  process.on("disconnect", () => process.exit(0));
  return { send: (message) => process.send!(message as object), on: (handler) => process.on("message", handler) };
}

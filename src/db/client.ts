import { mkdirSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema/index.js";
import { trackWorkOrigins, workOrigin, type WorkOrigin } from "../shared/background.js";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  url?: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; without it the database is PGlite. */
  url?: string;
  /** PGlite data folder; "memory://" keeps it in memory. */
  dataDir?: string;
  poolSize?: number;
  /** Distinct statements a PostgreSQL connection prepares (`preparedStatements`); 0: none. Default 1000. */
  maxPrepared?: number;
  /** Called with every SQL statement drizzle sends, its parameters and the request or scheduled job that sent it (statement counting and plan checks in tests). */
  onQuery?: (query: string, params: unknown[], origin: WorkOrigin) => void;
}

/** The statement texts connections prepare: the first `max` distinct ones drizzle sends. */
class PreparedTexts {
  private readonly texts = new Set<string>();
  constructor(private readonly max: number) {}

  admit(text: string): boolean {
    if (this.texts.has(text)) return true;
    if (this.texts.size >= this.max) return false;
    this.texts.add(text);
    return true;
  }
}

type PostgresClient = import("postgres").Sql;
type Options = Parameters<PostgresClient["unsafe"]>[2];

/**
 * drizzle asks postgres.js to prepare only the statements built with `.prepare(name)`, and postgres.js sends an
 * unnamed statement that has parameters in two round trips (Parse and Describe, then, once the types are back, Bind
 * and Execute) with nothing pipelined behind it: every read was two round trips, and statements sent together
 * (`Promise.all` in a transaction) went one at a time. A prepared statement goes in one round trip, pipelines, and
 * PostgreSQL plans it once per connection (the sellout: PostgreSQL's CPU an attempt 0.11 → 0.085 ms, +10%
 * attempts/s, tests/bench/pipeline.ts). postgres.js keeps a connection's prepared statements for its life, without
 * bound, and drizzle's text varies with a list's length (`in ($1, $2)`): only `texts` are prepared (bounded), the
 * rest go unnamed as before. Transactions and savepoints get the same client.
 */
function preparedStatements(client: PostgresClient, texts: PreparedTexts): PostgresClient {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === "unsafe") {
        // A statement without parameters goes by the simple protocol, planned at each execution (`plannedEachTime`):
        // never prepared, and its text (literals and all) not counted against the bound.
        return (query: string, params?: unknown[], options?: Options) =>
          target.unsafe(query, params as never, { ...options, prepare: options?.prepare === true || (params !== undefined && params.length > 0 && texts.admit(query)) });
      }
      if (key === "begin" || key === "savepoint") {
        return (...args: unknown[]) => {
          const scope = args.at(-1) as (sql: PostgresClient) => unknown;
          const open = Reflect.get(target, key) as (...a: unknown[]) => unknown;
          return open.apply(target, [...args.slice(0, -1), (sql: PostgresClient) => scope(preparedStatements(sql, texts))]);
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.onQuery) trackWorkOrigins();
  const logger: Logger | undefined = options.onQuery
    ? { logQuery: (query, params) => options.onQuery?.(query, params, workOrigin()) }
    : undefined;
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(options.url, {
      max: options.poolSize ?? 10,
      onnotice: () => {},
      // A host that does not answer is given up on after this long (a refused port fails at once anyway).
      connect_timeout: 5,
      // Seconds before a lost connection is tried again. The driver's default grows to 20 s, and queries queued
      // behind such a connection wait that long: here they fail fast (UNAVAILABLE) and the pool is back soon
      // after PostgreSQL is.
      backoff: () => 0.05,
      connection: { application_name: "liveshelf" },
    });
    const db = drizzle(preparedStatements(client, new PreparedTexts(options.maxPrepared ?? 1000)), { schema, logger }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      url: options.url,
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dataDir = options.dataDir ?? "memory://";
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzle(client, { schema, logger }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute(sql...)`: postgres.js answers an array, PGlite an object with `rows`. */
export function resultRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

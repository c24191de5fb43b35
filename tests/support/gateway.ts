import { randomUUID } from "node:crypto";
import { print, type ExecutionResult } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws";
import { inject } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "../../src/config/env.js";
import { startGateway, type Gateway } from "../../src/server.js";
import type { TopicName } from "../../src/realtime/topics.js";
import type { Role } from "../../src/shared/auth.js";
import type { WorkOrigin } from "../../src/shared/background.js";
import type { Clock } from "../../src/shared/clock.js";
import type { Logger } from "../../src/shared/logger.js";
import { countSubscriptions } from "./bus-subscriptions.js";
import { JWT_SECRET, REDIS_URL } from "./services.js";

export type Backend = "postgres" | "pglite";
export const BACKENDS: Backend[] = ["postgres", "pglite"];

/**
 * A Redis prefix of their own for the gateways given it (on PostgreSQL): they hear each other's notices and no other
 * test file's. Tests that assert something is kept in the process need it: every gateway of a run shares one bus
 * otherwise, and a write in another file (a plan, a shop, an order) drops kept pages at any moment.
 */
export const ownBus = (): Record<string, string> => ({ REDIS_KEY_PREFIX: `${inject("redisPrefix")}own-${randomUUID()}:` });

/**
 * No background sweeps either (the flash-sale sweep comes every minute instead of every second; none after sales):
 * in the shared database they end and refund other tests' sales, whose notices drop pages kept here.
 */
export const keptOnly = (): Record<string, string> => ({ ...ownBus(), SWEEP_INTERVAL_MS: "60000", AFTER_SALES_SWEEP_MS: "0" });

export interface SentStatement {
  sql: string;
  params: unknown[];
}

export interface TestGateway extends Gateway {
  /** SQL statements sent since the last reset, outside scheduled jobs (by requests and by direct calls in the test). */
  statements: string[];
  token(userId: number, role: Role | `${Role}`, ttlSeconds?: number): Promise<string>;
  /** `statements`: exactly what this request sent (its async context's statements), for statement counts and EXPLAIN. */
  request<R, V>(
    doc: TypedDocumentNode<R, V>,
    variables?: V,
    token?: string | null,
  ): Promise<ExecutionResult<R> & { status: number; statements: SentStatement[] }>;
  ws(token?: string | null): Client;
  /** The gateway's bus subscriptions in place on a topic. */
  busSubscriptions(topic: TopicName): number;
}

/** A gateway on real PostgreSQL + Redis, or on in-memory PGlite + the in-process bus (the embedded mode). */
export async function startTestGateway(
  backend: Backend,
  options: { clock?: Clock; env?: Record<string, string>; log?: Logger } = {},
): Promise<TestGateway> {
  const env =
    backend === "postgres"
      ? { DATABASE_URL: inject("databaseUrl"), REDIS_URL, REDIS_KEY_PREFIX: inject("redisPrefix") }
      : { DATA_DIR: "memory://", SEED_DEMO: "never" };
  // Every test calls from 127.0.0.1 and, on Postgres, shares one Redis prefix per run: a bucket that never fills,
  // unless a test (tests/e2e/security) sets its own.
  const unthrottled = { RATE_LIMIT_BUCKET_SIZE: "1000000000", RATE_LIMIT_RESTORE_RATE: "1000000000" };
  // No scheduled settlement: it would settle other tests' orders in the shared database on its own clock.
  const quiet = { SETTLEMENT_INTERVAL_MS: "0" };
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", JWT_SECRET, LOG_LEVEL: "error", DB_POOL_SIZE: "5", ...unthrottled, ...quiet, ...env, ...options.env });
  // The schedule's statements (sweeps, ticks) run in the same process and are left out; a request's own are kept
  // apart by its request id, so nothing else that runs meanwhile is counted with it.
  const statements: string[] = [];
  const byRequest = new Map<string, SentStatement[]>();
  const onQuery = (sql: string, params: unknown[], origin: WorkOrigin) => {
    if (origin.job !== undefined) return;
    statements.push(sql);
    if (origin.requestId !== undefined) byRequest.get(origin.requestId)?.push({ sql, params });
  };
  const gateway = await startGateway({ config, clock: options.clock, log: options.log, onQuery });
  const clients: Client[] = [];
  const busSubscriptions = countSubscriptions(gateway.bus);
  return {
    ...gateway,
    statements,
    busSubscriptions,
    token: (userId, role, ttl) => gateway.tokens!.mint(userId, role as Role, ttl),
    async request(doc, variables, token) {
      const requestId = `test-${randomUUID()}`;
      const sent: SentStatement[] = [];
      byRequest.set(requestId, sent);
      try {
        const response = await fetch(gateway.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query: print(doc), variables }),
        });
        return { ...((await response.json()) as ExecutionResult<any>), status: response.status, statements: sent };
      } finally {
        byRequest.delete(requestId);
      }
    },
    ws(token) {
      const client = createClient({
        url: gateway.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      await gateway.stop();
    },
  };
}

/** Collects a subscription's messages; `next(n)` waits until at least n have arrived. */
export function collect<R>(client: Client, query: TypedDocumentNode<R, any>, variables: Record<string, unknown>) {
  const messages: ExecutionResult<R>[] = [];
  let error: unknown = null;
  let completed = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const dispose = client.subscribe<R>(
    { query: print(query), variables },
    {
      next: (m) => {
        messages.push(m as ExecutionResult<R>);
        wake();
      },
      error: (e) => {
        error = e;
        wake();
      },
      complete: () => {
        completed = true;
        wake();
      },
    },
  );
  return {
    messages,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    dispose,
    async until(predicate: () => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(messages)} error=${error instanceof Error ? error.message : JSON.stringify(error, ["code", "reason", "message", "type"])}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

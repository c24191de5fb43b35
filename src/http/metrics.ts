import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { FanoutHub } from "../realtime/fanout.js";

/** One registry per gateway, so several gateways in one test process do not collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: "liveshelf_http_requests_total",
      help: "HTTP requests by route and status code.",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "liveshelf_http_request_duration_seconds",
      help: "HTTP request latency by route.",
      labelNames: ["route"] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: "liveshelf_graphql_operations_total",
      help: "GraphQL operations by transport, type and outcome.",
      labelNames: ["transport", "type", "outcome"] as const,
      registers: [registry],
    }),
    operationDuration: new Histogram({
      name: "liveshelf_graphql_operation_duration_seconds",
      help: "GraphQL operation latency by transport, type and operation name: HTTP until the response, WebSocket until a subscription's first result (its snapshot).",
      labelNames: ["transport", "type", "operation"] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    fastLane: new Counter({
      name: "liveshelf_graphql_fast_lane_total",
      help: "HTTP operations answered by the fast lane (a document Apollo validated before, run compiled, no errors) rather than Apollo's request pipeline.",
      registers: [registry],
    }),
    operationsRefused: new Counter({
      name: "liveshelf_operations_refused_total",
      help: "Operations refused by a limit (depth, aliases, directives, tokens, cost), the rate limit (throttled) or a policy.",
      labelNames: ["transport", "reason"] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: "liveshelf_websocket_connections",
      help: "Open WebSocket connections.",
      registers: [registry],
    }),
    wsSubscriptions: new Gauge({
      name: "liveshelf_websocket_subscriptions",
      help: "Active GraphQL subscriptions.",
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

const MAX_OPERATION_NAMES = 200;

/**
 * Operation names as metric labels: clients choose them, so only the first MAX_OPERATION_NAMES distinct names get
 * their own series (with an allowlist, the manifest's names); later ones are counted as "other", unnamed ones as
 * "anonymous".
 */
export class OperationNames {
  private readonly seen = new Set<string>();
  label(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (this.seen.has(name)) return name;
    if (this.seen.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return "other";
    this.seen.add(name);
    return name;
  }
}

/** Room fan-out: executions run vs messages delivered (their ratio is what execute-once saves). */
export function observeFanout(metrics: Metrics, hub: FanoutHub): void {
  const counters: [string, string, () => number][] = [
    ["liveshelf_fanout_executions_total", "Room messages executed (once per selection set).", () => hub.executions],
    ["liveshelf_fanout_messages_total", "Room messages delivered to subscribers.", () => hub.delivered],
  ];
  for (const [name, help, read] of counters) {
    new Counter({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }
}

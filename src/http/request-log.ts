import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Logger } from "../shared/logger.js";
import type { Metrics, OperationNames } from "./metrics.js";

/** What one HTTP request turned out to be, filled in as it goes: the caller first, then the operation Apollo ran. */
interface RequestFacts {
  userId?: number;
  operationName?: string;
  operationType?: string;
  outcome?: "ok" | "error";
}

const byRequest = new WeakMap<IncomingMessage, RequestFacts>();
// On the context itself: Apollo hands each operation a shallow copy of the context, which keeps symbol properties.
const FACTS = Symbol("requestFacts");

/** Links a request's GraphQL context to the request, so its log line can name the operation and the user. */
export function trackRequest<C extends object>(req: IncomingMessage, context: C, userId: number | undefined): C {
  const facts: RequestFacts = { userId };
  byRequest.set(req, facts);
  (context as { [FACTS]?: RequestFacts })[FACTS] = facts;
  return context;
}

/** Counts every HTTP operation and times it by name (bounded: see OperationNames). */
export function operationMetricsPlugin(metrics: Metrics, names: OperationNames): ApolloServerPlugin<object> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, errors, contextValue }) {
          recordOperation(metrics, names, contextValue, started, { operationName, type: operation?.operation ?? "unknown", outcome: errors?.length ? "error" : "ok" });
        },
      };
    },
  };
}

/** Counts and times one HTTP operation, and names it on its request's log line (Apollo's plugin and the fast lane). */
export function recordOperation(
  metrics: Metrics,
  names: OperationNames,
  context: object,
  started: bigint,
  operation: { operationName: string | null | undefined; type: string; outcome: "ok" | "error" },
): void {
  const { operationName, type, outcome } = operation;
  metrics.graphqlOperations.inc({ transport: "http", type, outcome });
  metrics.operationDuration.observe({ transport: "http", type, operation: names.label(operationName) }, Number(process.hrtime.bigint() - started) / 1e9);
  const facts = (context as { [FACTS]?: RequestFacts })[FACTS];
  if (facts) Object.assign(facts, { operationName: operationName ?? undefined, operationType: type, outcome });
}

/**
 * One line per request: GraphQL requests at info (operation, duration, status, request id, user id), the rest
 * (health checks, metrics scrapes, assets) at debug.
 */
export function logRequest(log: Logger, req: IncomingMessage, res: ServerResponse, line: { requestId: string; route: string; durationMs: number }): void {
  const facts = byRequest.get(req);
  const fields = {
    requestId: line.requestId,
    method: req.method,
    route: line.route,
    status: res.statusCode,
    durationMs: Math.round(line.durationMs * 10) / 10,
    ...(facts && { operationName: facts.operationName ?? null, operationType: facts.operationType, outcome: facts.outcome, userId: facts.userId ?? null }),
  };
  if (line.route === "/graphql") log.info("request", fields);
  else log.debug("request", fields);
}

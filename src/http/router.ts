import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { inRequest } from "../shared/background.js";
import { AppError, ErrorCode, isUnavailable, RETRY_AFTER_SECONDS, unavailable } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { BodyTooLarge, ClientGone, MAX_BODY_BYTES } from "./body.js";
import { graphiqlAsset } from "./graphiql.js";
import type { Metrics } from "./metrics.js";
import { clientAddress } from "./operation-guard.js";
import { overlayResponse } from "./overlay.js";
import { logRequest } from "./request-log.js";
import { send, sendGraphQLError } from "./respond.js";

export interface RouterDeps {
  trustProxyHops: number;
  maxCost: number;
  log: Logger;
  metrics: Metrics;
  /** Each dependency's answer to a ping, within a bounded time. */
  readiness(): Promise<{ database: boolean; bus: boolean }>;
  /** True once the process drains (src/http/shutdown.ts). */
  stopping(): boolean;
  /** Open while PostgreSQL is known to be away: GraphQL requests are refused at once (src/http/availability.ts). */
  breaker: { readonly open: boolean };
  /** Sees errors that meant a dependency was away. */
  onOutage(error: unknown): void;
  graphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, caller: string): Promise<void>;
}

const ALWAYS_ANSWERED = new Set(["/healthz", "/readyz", "/metrics"]);

/** The gateway's HTTP doors: probes, metrics, GraphiQL's files, the overlay and /graphql; each request logged and counted. */
export function createRouter(deps: RouterDeps): RequestListener {
  const { log, metrics, maxCost } = deps;

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, caller: string): Promise<string> {
    const path = url.pathname;
    if (path === "/healthz") {
      send(res, 200, "application/json", JSON.stringify({ status: "ok" }));
      return path;
    }
    if (path === "/readyz") {
      const { database, bus } = await deps.readiness();
      const stopping = deps.stopping();
      const ready = database && bus && !stopping;
      send(res, ready ? 200 : 503, "application/json", JSON.stringify({ status: ready ? "ready" : "unavailable", database, bus, stopping }));
      return path;
    }
    if (path === "/metrics") {
      send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
      return path;
    }
    if (path.startsWith("/graphiql/") && req.method === "GET") {
      const asset = await graphiqlAsset(path.slice("/graphiql/".length));
      if (asset) {
        res.writeHead(200, { "content-type": asset.type, "cache-control": "public, max-age=86400" });
        res.end(asset.body);
      } else send(res, 404, "text/plain", "not found");
      return "/graphiql";
    }
    if (path.startsWith("/overlay/") && req.method === "GET") {
      const overlay = await overlayResponse(path);
      if (overlay) {
        res.writeHead(overlay.status, { "content-type": overlay.type, ...overlay.headers });
        res.end(overlay.body);
        return "/overlay";
      }
    }
    if (path === "/graphql") {
      await inRequest(requestId, () => deps.graphql(req, res, url, requestId, caller));
      return path;
    }
    send(res, 404, "application/json", JSON.stringify({ error: "not found" }));
    return "other";
  }

  return (req, res) => {
    const started = process.hrtime.bigint();
    const header = req.headers["x-request-id"];
    const requestId = typeof header === "string" && /^[\w.-]{1,64}$/.test(header) ? header : randomUUID();
    res.setHeader("x-request-id", requestId);
    let routeName = "other";
    const caller = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], deps.trustProxyHops);
    void (async () => {
      try {
        let url: URL;
        try {
          url = new URL(req.url ?? "/", "http://gateway");
        } catch {
          return sendGraphQLError(res, 400, new AppError(ErrorCode.BAD_REQUEST, "The request target is not a valid URL."), requestId, maxCost);
        }
        if (deps.stopping() && !ALWAYS_ANSWERED.has(url.pathname)) {
          // Draining: in-flight requests finish; new ones are sent elsewhere, and this connection is not reused.
          res.setHeader("connection", "close");
          res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
          return sendGraphQLError(res, 503, unavailable("This gateway process is shutting down; retry (another process will answer)."), requestId, maxCost);
        }
        if (url.pathname === "/graphql") {
          routeName = "/graphql";
          // Every GraphQL operation over HTTP reads or writes the ledger (GraphiQL's page does not).
          if (deps.breaker.open && !(req.headers.accept ?? "").startsWith("text/html")) {
            res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
            return sendGraphQLError(res, 503, unavailable(), requestId, maxCost);
          }
        }
        routeName = await route(req, res, url, requestId, caller);
      } catch (error) {
        if (error instanceof ClientGone) {
          // nginx's "client closed request", for the request log and metrics; there is no one to send it to.
          res.statusCode = 499;
          res.destroy();
        } else if (error instanceof BodyTooLarge) {
          sendGraphQLError(res, 413, new AppError("LIMIT_EXCEEDED", `The request body is over ${MAX_BODY_BYTES} bytes.`, { limit: "bodyBytes" }), requestId, maxCost);
        } else if (isUnavailable(error)) {
          deps.onOutage(error);
          if (!res.headersSent) {
            res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
            sendGraphQLError(res, 503, unavailable(), requestId, maxCost);
          } else res.end();
        } else {
          log.error("request failed", { requestId, error });
          if (!res.headersSent) sendGraphQLError(res, 500, new AppError("INTERNAL_SERVER_ERROR", "Internal server error"), requestId, maxCost);
          else res.end();
        }
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.httpRequests.inc({ route: routeName, method: req.method ?? "?", status: String(res.statusCode) });
        metrics.httpDuration.observe({ route: routeName }, seconds);
        logRequest(log, req, res, { requestId, route: routeName, durationMs: seconds * 1000 });
      }
    })();
  };
}

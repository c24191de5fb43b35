import type { Server as HttpServer } from "node:http";
import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Context } from "../context.js";
import type { TokenService, Viewer } from "../shared/auth.js";
import { formatError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { Metrics } from "./metrics.js";

export interface WsDeps {
  schema: GraphQLSchema;
  tokens: TokenService;
  log: Logger;
  metrics: Metrics;
  contextFor: (viewer: Viewer | null, requestId: string) => Context;
  /** Runs subscriptions (room fields share one execution per event: see realtime/fanout.ts). */
  subscribe: (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
}

const MAX_FRAME_BYTES = 64 * 1024;

/** graphql-ws on the gateway's own port and path; the token travels in connection_init's `authorization`. */
export function attachWebSocket(server: HttpServer, deps: WsDeps) {
  const wss = new WebSocketServer({ server, path: "/graphql", maxPayload: MAX_FRAME_BYTES });
  let sequence = 0;
  const mask = (errors: readonly import("graphql").GraphQLError[], requestId: string) =>
    errors.map((error) =>
      formatError(error.toJSON(), error, requestId, (e) => deps.log.error("unexpected error", { requestId, error: e })),
    );

  const disposable = useServer<Record<string, unknown>, { viewer?: Viewer | null; connectionId?: string }>(
    {
      schema: deps.schema,
      subscribe: (args) => deps.subscribe(args),
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        ctx.extra.connectionId = `ws-${process.pid}-${++sequence}`;
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = typeof raw === "string" ? raw.replace(/^Bearer\s+/i, "") : null;
        try {
          ctx.extra.viewer = await deps.tokens.verify(token);
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => deps.contextFor(ctx.extra.viewer ?? null, `${ctx.extra.connectionId}`),
      onSubscribe: () => {
        deps.metrics.wsSubscriptions.inc();
      },
      onComplete: () => {
        deps.metrics.wsSubscriptions.dec();
      },
      onError: (ctx, _id, _payload, errors) => mask(errors, String(ctx.extra.connectionId)),
      onNext: (ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: mask(result.errors as import("graphql").GraphQLError[], String(ctx.extra.connectionId)) } : result,
    },
    wss,
  );

  wss.on("connection", (socket: WebSocket) => {
    deps.metrics.wsConnections.inc();
    socket.once("close", () => deps.metrics.wsConnections.dec());
  });

  return {
    wss,
    /** Close every socket with 1001 (going away) and stop accepting new ones. */
    async close(): Promise<void> {
      for (const client of wss.clients) client.close(1001, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

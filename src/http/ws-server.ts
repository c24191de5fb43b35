import type { IncomingMessage, Server as HttpServer } from "node:http";
import { GraphQLError, validate, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";
import { handleProtocols, makeServer, type SubscribePayload } from "graphql-ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Config } from "../config/env.js";
import type { Context } from "../shared/context.js";
import type { IdentityService } from "../modules/accounts/index.js";
import type { Viewer } from "../shared/auth.js";
import { AppError, ErrorCode, formatError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { RoomOutlet } from "../realtime/fanout.js";
import { DocumentAnalyzer } from "./limits.js";
import type { Metrics, OperationNames } from "./metrics.js";
import { clientAddress, type CostReport, type OperationGuard } from "./operation-guard.js";
import { MAX_FRAME_BYTES, MessageRate, onTokenExpiry, originAllowed, WsClose } from "./ws-guards.js";

export interface WsDeps {
  config: Config;
  schema: GraphQLSchema;
  identity: IdentityService;
  guard: OperationGuard;
  log: Logger;
  metrics: Metrics;
  operationNames: OperationNames;
  contextFor: (viewer: Viewer | null, requestId: string) => Context;
  /** Runs subscriptions (room fields share one execution per event and write through the outlet: see realtime/fanout.ts). */
  subscribe: (args: ExecutionArgs, outlet: RoomOutlet | undefined) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
}

interface Extra {
  socket: WebSocket;
  connectionId: string;
  clientAddress: string;
  viewer?: Viewer | null;
  cancelExpiry?: () => void;
  /** extensions.cost of each active subscription, sent with each of its results. */
  costs: Map<string, CostReport>;
  /** Each active subscription's name and start, for its latency (until the first result) and its log line. */
  operations: Map<string, { name: string | null; label: string; started: bigint; results: number }>;
}

const KEEP_ALIVE_MS = 12_000;
const CLIENT_MESSAGE_TYPES = new Set(["connection_init", "ping", "pong", "subscribe", "complete"]);

function fromClient(text: string): boolean {
  try {
    return CLIENT_MESSAGE_TYPES.has((JSON.parse(text) as { type?: unknown })?.type as string);
  } catch {
    return false;
  }
}

const MAX_FRAMES_PER_RESULT = 64;
/** Per result: its data's JSON, and frames by cost report, then operation id (strings each subscription keeps, so their hashes are computed once). */
const sharedFrames = new WeakMap<ExecutionResult, { data: string; size: number; frames: Map<string, Map<string, Buffer>> }>();

/**
 * The `next` frame of a room message that every subscriber of a group shares: its data is serialised once, and the
 * frame's bytes are shared by the subscribers with the same operation id and cost report (the first
 * MAX_FRAMES_PER_RESULT such pairs; others get their own copy). Null for a result with errors, which are masked per
 * connection.
 */
function sharedNextFrame(result: ExecutionResult, id: string, cost: string): Buffer | null {
  if (result.errors || result.extensions) return null;
  let shared = sharedFrames.get(result);
  if (!shared) sharedFrames.set(result, (shared = { data: JSON.stringify(result.data), size: 0, frames: new Map() }));
  let byId = shared.frames.get(cost);
  let frame = byId?.get(id);
  if (!frame) {
    frame = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":{"data":${shared.data},"extensions":{"cost":${cost}}}}`);
    if (shared.size < MAX_FRAMES_PER_RESULT) {
      if (!byId) shared.frames.set(cost, (byId = new Map()));
      byId.set(id, frame);
      shared.size++;
    }
  }
  return frame;
}

const costJsons = new Map<string, string>();

/** A cost report's JSON, one string for equal reports (most of a room's crowd has the same one): kept per subscription. */
function costJson(cost: CostReport): string {
  const json = JSON.stringify(cost);
  const known = costJsons.get(json);
  if (known !== undefined) return known;
  if (costJsons.size >= 1024) costJsons.clear();
  costJsons.set(json, json);
  return json;
}

/** GraphQL's own request errors carry no code; give them the codes Apollo gives them on HTTP. */
const tagged = (errors: readonly GraphQLError[], code: string) =>
  errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code } }));

/**
 * graphql-ws on the gateway's own port and path; the token travels in connection_init's `authorization`.
 * Apollo's plugins, validation and CSRF check do not reach this door, so it applies the same OperationGuard,
 * plus what only a socket needs: an Origin allowlist, a frame size cap, a message-rate cap, a cap on active
 * subscriptions, and the end of the connection when its token expires.
 */
export function attachWebSocket(server: HttpServer, deps: WsDeps) {
  const { config, guard, log, metrics } = deps;
  const wss = new WebSocketServer({
    server,
    path: "/graphql",
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols,
    verifyClient: (info: { origin: string; req: IncomingMessage }, accept: (ok: boolean, code?: number, message?: string) => void) => {
      const ok = originAllowed(info.origin || undefined, info.req.headers.host, config.WS_ALLOWED_ORIGINS, config.mode);
      if (!ok) metrics.operationsRefused.inc({ transport: "ws", reason: "origin" });
      accept(ok, 403, "Origin not allowed");
    },
  });
  let sequence = 0;
  const mask = (errors: readonly GraphQLError[], requestId: string) =>
    errors.map((error) => {
      let formatted = error.toJSON();
      // A variable that does not coerce: graphql's own request error, without a code or a path.
      if (!error.extensions?.code && !error.originalError && !error.path) formatted = { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
      return formatError(formatted, error, requestId, (e) => log.error("unexpected error", { requestId, error: e }));
    });

  async function subscribe(ctx: { extra: Extra; subscriptions: Record<string, unknown> }, id: string, payload: SubscribePayload) {
    const max = config.WS_MAX_SUBSCRIPTIONS;
    // graphql-ws has already entered this one in `subscriptions`.
    if (Object.keys(ctx.subscriptions).length > max) {
      metrics.operationsRefused.inc({ transport: "ws", reason: "subscriptions" });
      return [new AppError(ErrorCode.LIMIT_EXCEEDED, `At most ${max} subscriptions may be active on one connection.`, { limit: "subscriptions", max })];
    }
    const persisted = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const source = guard.screen({ query: payload.query || undefined, hash: persisted }, "ws");
    if (source === undefined) return [new AppError(ErrorCode.BAD_USER_INPUT, "A subscribe message needs a query or a persistedQuery hash.")];
    const analysis = guard.analyzer.analyse(source);
    if (analysis.syntaxError) return tagged([analysis.syntaxError], "GRAPHQL_PARSE_FAILED");
    analysis.validationErrors ??= validate(deps.schema, analysis.document!);
    if (analysis.validationErrors.length > 0) return tagged(analysis.validationErrors, "GRAPHQL_VALIDATION_FAILED");
    const operation = DocumentAnalyzer.select(analysis, payload.operationName);
    if (!operation) return [new AppError(ErrorCode.BAD_USER_INPUT, "Name the operation to run (operationName): the document holds several.")];
    if (operation.type !== "subscription") {
      metrics.operationsRefused.inc({ transport: "ws", reason: "not_subscription" });
      return [new AppError(ErrorCode.OPERATION_NOT_ALLOWED, `Only subscriptions are accepted over WebSocket; send this ${operation.type} over HTTP.`)];
    }
    const admitted = await guard.admit({
      source,
      analysis,
      operationName: payload.operationName,
      variables: payload.variables,
      viewer: ctx.extra.viewer ?? null,
      clientAddress: ctx.extra.clientAddress,
      transport: "ws",
    });
    if (admitted.refusal) return [admitted.refusal];
    ctx.extra.costs.set(id, admitted.cost);
    ctx.extra.operations.set(id, { name: operation.name ?? null, label: deps.operationNames.label(operation.name), started: process.hrtime.bigint(), results: 0 });
    metrics.wsSubscriptions.inc();
    metrics.graphqlOperations.inc({ transport: "ws", type: "subscription", outcome: "ok" });
    const args: ExecutionArgs = { schema: deps.schema, document: analysis.document!, operationName: payload.operationName, variableValues: payload.variables };
    // graphql-ws hands these very args to `subscribe` below.
    outlets.set(args, outletFor(ctx.extra, id, costJson(admitted.cost)));
    return args;
  }

  const nextPayload = (extra: Extra, id: string, result: ExecutionResult) => ({
    ...result,
    ...(result.errors ? { errors: mask(result.errors as GraphQLError[], extra.connectionId) } : {}),
    extensions: { ...result.extensions, cost: extra.costs.get(id) },
  });

  /** Writes a room subscriber's messages after the first, as graphql-ws would have: the same `next` frame. */
  const outlets = new WeakMap<ExecutionArgs, RoomOutlet>();
  const outletFor = (extra: Extra, id: string, cost: string): RoomOutlet => ({
    write(result, written) {
      const op = extra.operations.get(id);
      if (op) op.results++;
      const { socket } = extra;
      if (socket.readyState !== socket.OPEN) return written();
      const frame = sharedNextFrame(result, id, cost) ?? JSON.stringify({ id, type: "next", payload: nextPayload(extra, id, result) });
      socket.send(frame, { binary: false }, written);
    },
  });

  const protocol = makeServer<Record<string, unknown>, Extra>({
    schema: deps.schema,
    subscribe: (args) => deps.subscribe(args, outlets.get(args)),
    connectionInitWaitTimeout: config.WS_INIT_TIMEOUT_MS,
    onConnect: async (ctx) => {
      const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
      // A credential that is not a string is a broken client, not an anonymous one: refused (4403).
      if (raw !== undefined && raw !== null && typeof raw !== "string") return false;
      const token = typeof raw === "string" ? raw.replace(/^Bearer\s+/i, "") : null;
      try {
        const viewer = await deps.identity.authenticate(token);
        ctx.extra.viewer = viewer;
        if (viewer) ctx.extra.cancelExpiry = onTokenExpiry(viewer.expiresAt, () => ctx.extra.socket.close(WsClose.FORBIDDEN, "Token expired"));
        return true;
      } catch {
        return false;
      }
    },
    context: (ctx) => deps.contextFor(ctx.extra.viewer ?? null, ctx.extra.connectionId),
    onSubscribe: async (ctx, id, payload) => {
      let result: Awaited<ReturnType<typeof subscribe>>;
      try {
        result = await subscribe(ctx, id, payload);
      } catch (error) {
        result = [error instanceof AppError ? error : new GraphQLError("unexpected", { originalError: error as Error })];
      }
      if (Array.isArray(result)) {
        metrics.graphqlOperations.inc({ transport: "ws", type: "unknown", outcome: "error" });
        log.info("subscription refused", { connectionId: ctx.extra.connectionId, operationName: payload.operationName ?? null, userId: ctx.extra.viewer?.userId ?? null, code: result[0]?.extensions?.code });
      }
      return result;
    },
    onComplete: (ctx, id) => {
      if (ctx.extra.costs.delete(id)) metrics.wsSubscriptions.dec();
      const op = ctx.extra.operations.get(id);
      if (!op) return;
      ctx.extra.operations.delete(id);
      log.info("subscription", {
        connectionId: ctx.extra.connectionId,
        operationName: op.name,
        userId: ctx.extra.viewer?.userId ?? null,
        durationMs: Math.round(Number(process.hrtime.bigint() - op.started) / 1e6),
        results: op.results,
      });
    },
    onError: (ctx, _id, _payload, errors) => mask(errors, ctx.extra.connectionId),
    onNext: (ctx, id, _payload, _args, result) => {
      const op = ctx.extra.operations.get(id);
      if (op && op.results++ === 0) {
        metrics.operationDuration.observe({ transport: "ws", type: "subscription", operation: op.label }, Number(process.hrtime.bigint() - op.started) / 1e9);
      }
      return nextPayload(ctx.extra, id, result);
    },
  });

  // One sweep for all sockets, not a timer each: a socket that has not answered the previous sweep's ping is cut.
  const awaitingPong = new Set<WebSocket>();
  function answered(this: WebSocket) {
    awaitingPong.delete(this);
  }
  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, KEEP_ALIVE_MS);
  keepAlive.unref();

  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    if (wss.clients.size > config.WS_MAX_CONNECTIONS) {
      // 1013 Try Again Later: this process is full; a client reconnects (to another process behind the balancer).
      metrics.operationsRefused.inc({ transport: "ws", reason: "connections" });
      socket.close(WsClose.TRY_AGAIN_LATER, "Too many connections");
      return;
    }
    metrics.wsConnections.inc();
    const extra: Extra = {
      socket,
      connectionId: `ws-${process.pid}-${++sequence}`,
      clientAddress: clientAddress(request.socket.remoteAddress, request.headers["x-forwarded-for"], config.TRUST_PROXY_HOPS),
      costs: new Map(),
      operations: new Map(),
    };
    const rate = new MessageRate(config.WS_MAX_MESSAGES_PER_SECOND);
    // Over the frame limit `ws` closes with 1009 and emits this; a socket error must never reach the process.
    socket.on("error", (error) => log.debug("websocket error", { connectionId: extra.connectionId, error: error.message }));
    const closed = protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on("message", (data) => {
            // Dropped before graphql-ws sees it: over the cap nothing more from this socket is processed.
            if (!rate.allow()) {
              if (socket.readyState === socket.OPEN) {
                metrics.operationsRefused.inc({ transport: "ws", reason: "messages" });
                socket.close(WsClose.TOO_MANY_MESSAGES, "Too many messages");
              }
              return;
            }
            const text = String(data);
            // A subscribe message is handled until its subscription ends: only its verdict waits that long, not its text.
            const clientType = fromClient(text);
            handle(text).catch((error: unknown) => {
              // graphql-ws throws on a well-formed message of a type only a server sends: the client's fault (4400).
              if (!clientType) return socket.close(WsClose.BAD_REQUEST, "Invalid message received");
              log.error("websocket message failed", { connectionId: extra.connectionId, error });
              socket.close(WsClose.INTERNAL, "Internal server error");
            });
          }),
      },
      extra,
    );
    socket.on("pong", answered);
    socket.once("close", (code, reason) => {
      metrics.wsConnections.dec();
      awaitingPong.delete(socket);
      extra.cancelExpiry?.();
      void closed(code, String(reason));
    });
  });

  return {
    wss,
    /**
     * Close every socket with 1001 (going away) and stop accepting new ones; sockets whose client has not finished
     * the closing handshake within `deadlineMs` (a paused or vanished client) are terminated then.
     */
    async close(deadlineMs: number): Promise<void> {
      clearInterval(keepAlive);
      const closing = [...wss.clients].map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.readyState === client.CLOSED) return resolve();
            client.once("close", () => resolve());
            client.close(1001, "Server shutting down");
          }),
      );
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, deadlineMs);
      await Promise.all(closing);
      clearTimeout(cut);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

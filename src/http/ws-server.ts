import type { IncomingMessage, Server as HttpServer } from "node:http";
import { GraphQLError, validate, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";
import { CloseCode, handleProtocols, makeServer, type SubscribePayload } from "graphql-ws";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Config } from "../config/env.js";
import type { Context } from "../shared/context.js";
import type { IdentityService } from "../modules/accounts/index.js";
import type { Viewer } from "../shared/auth.js";
import { AppError, ErrorCode, formatError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { OutletSink, RoomOutlet } from "../realtime/fanout.js";
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

/** What graphql-ws's context holds that the transport reads: the subscriptions it runs (id → its iterator). */
interface ProtocolContext {
  subscriptions: Record<string, unknown>;
}

/** Counts of what the transport holds, for tests: every count returns to zero when its sockets close. */
export interface WsStats {
  connections: number;
  /** Admitted subscriptions not ended yet. */
  operations: number;
  /** Those of them the transport ended graphql-ws's loop for (room subscriptions once their snapshot is out). */
  adopted: number;
  /** Subscriptions in graphql-ws's own records (being set up, or run by graphql-ws to the end). */
  inGraphqlWs: number;
}

/** The keep-alive pings a twelfth of the sockets each WS_KEEPALIVE_MS / 12. */
const KEEP_ALIVE_SLICES = 12;
/** Bytes a room subscriber's socket may hold unsent before its messages wait in the fan-out (newest kept, see fanout.ts). */
const ROOM_WRITE_BUFFER_BYTES = 16 * 1024;
const TEXT_FRAME = { binary: false } as const;
const CLIENT_MESSAGE_TYPES = new Set(["connection_init", "ping", "pong", "subscribe", "complete"]);

/**
 * Constructor of empty records with nothing inherited (`"constructor" in record` is false, as with
 * Object.create(null)), that start in V8's fast mode: 56 bytes instead of a dictionary's 350.
 */
function EmptyRecord() {}
EmptyRecord.prototype = Object.create(null);

/** A client message's type and id (graphql-ws parses and checks it again), or null when it is not one. */
function clientMessage(text: string): { type: string; id?: unknown } | null {
  try {
    const message = JSON.parse(text) as { type?: unknown; id?: unknown } | null;
    return typeof message?.type === "string" && CLIENT_MESSAGE_TYPES.has(message.type) ? (message as { type: string; id?: unknown }) : null;
  } catch {
    return null;
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

  async function subscribe(ctx: { extra: Connection; subscriptions: Record<string, unknown> }, id: string, payload: SubscribePayload) {
    const max = config.WS_MAX_SUBSCRIPTIONS;
    // graphql-ws has already entered this one in `subscriptions`; those it has handed over are the transport's.
    if (Object.keys(ctx.subscriptions).length + ctx.extra.adoptedCount() > max) {
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
    const op = new Operation(ctx.extra, id, operation.name ?? null, deps.operationNames.label(operation.name), costJson(admitted.cost));
    // An array literal holds what it is given; one grown by push holds 17 slots.
    if (ctx.extra.operations) ctx.extra.operations.push(op);
    else ctx.extra.operations = [op];
    metrics.wsSubscriptions.inc();
    metrics.graphqlOperations.inc({ transport: "ws", type: "subscription", outcome: "ok" });
    const args: ExecutionArgs = { schema: deps.schema, document: analysis.document!, operationName: payload.operationName, variableValues: payload.variables };
    // graphql-ws hands these very args to `subscribe` below.
    outlets.set(args, op);
    return args;
  }

  const nextPayload = (op: Operation, result: ExecutionResult) => ({
    ...result,
    ...(result.errors ? { errors: mask(result.errors as GraphQLError[], op.connection.connectionId) } : {}),
    extensions: { ...result.extensions, cost: JSON.parse(op.cost) as CostReport },
  });

  const outlets = new WeakMap<ExecutionArgs, Operation>();

  /**
   * One admitted subscription of a connection, until it ends. For a room subscription it is also the outlet: it writes
   * the messages after the first, as graphql-ws would have (the same `next` frame), and once the snapshot is out it
   * adopts the subscription, so graphql-ws's loop ends and frees what it held (the subscribe message, the execution
   * arguments and their context); the client's `complete` and the socket's close then reach it here. A crowd's
   * viewer costs this object, its entry in the connection's map, and the fan-out's subscriber.
   */
  class Operation implements RoomOutlet {
    results = 0;
    readonly started = process.hrtime.bigint();
    /** The subscription once adopted: the transport ends it (see `end`), graphql-ws no longer knows it. */
    adopted: AsyncIterator<ExecutionResult> | null = null;

    constructor(
      readonly connection: Connection,
      readonly id: string,
      readonly name: string | null,
      readonly label: string,
      /** The cost report's JSON, one string for equal reports. */
      readonly cost: string,
    ) {}

    write(result: ExecutionResult, sink: OutletSink): boolean {
      this.results++;
      const { socket } = this.connection;
      if (socket.readyState !== socket.OPEN) return true;
      const frame = sharedNextFrame(result, this.id, this.cost) ?? JSON.stringify({ id: this.id, type: "next", payload: nextPayload(this, result) });
      // A socket with room takes the frame without a callback: one per write doubled the JS cost of a send (a plain ws
      // server, 14,000 sockets: 8.4 vs 4.0 µs of user time a frame). A full one (a slow reader) tells when it took it.
      if (socket.bufferedAmount < ROOM_WRITE_BUFFER_BYTES) {
        socket.send(frame, TEXT_FRAME);
        return true;
      }
      socket.send(frame, TEXT_FRAME, () => sink.written());
      return false;
    }

    adopt(subscription: AsyncIterator<ExecutionResult>): boolean {
      const subscriptions = this.connection.graphqlWs?.subscriptions;
      // Only while graphql-ws still runs it: one it let go of (completed, its socket closed) is ending already.
      if (this.connection.gone || !subscriptions || subscriptions[this.id] !== subscription || this.connection.operation(this.id) !== this) return false;
      delete subscriptions[this.id];
      // graphql-ws's record is a dictionary (Object.create(null)) that keeps ~350 bytes once an id has been in it; an
      // empty one is swapped for a compact empty record (graphql-ws reads ctx.subscriptions afresh each time).
      if (Object.keys(subscriptions).length === 0) this.connection.graphqlWs!.subscriptions = new (EmptyRecord as unknown as new () => Record<string, unknown>)();
      this.adopted = subscription;
      return true;
    }

    /** Ends an adopted subscription (the client's `complete`, the socket's close): as graphql-ws would have ended it. */
    end() {
      const subscription = this.adopted;
      if (!subscription) return;
      this.adopted = null;
      this.connection.ended(this.id, this);
      subscription.return?.().catch((error: unknown) => log.error("subscription did not end cleanly", { connectionId: this.connection.connectionId, error }));
    }
  }

  /**
   * One socket: graphql-ws's socket and its `extra` at once, methods on a prototype rather than closures made per
   * socket. It holds the connection's viewer, its admitted subscriptions and the message-rate bucket.
   */
  class Connection {
    viewer?: Viewer | null;
    cancelExpiry?: () => void;
    /** graphql-ws's context of this connection (from connection_init on). */
    graphqlWs: ProtocolContext | null = null;
    /** Admitted subscriptions (at most WS_MAX_SUBSCRIPTIONS; an array, made with the first: most sockets hold one). */
    operations: Operation[] | null = null;
    gone = false;
    private handle: ((data: string) => Promise<void>) | null = null;
    private closed: ((code: number, reason: string) => Promise<void>) | null = null;
    private initTimer: NodeJS.Timeout | null;
    private readonly rate = new MessageRate(config.WS_MAX_MESSAGES_PER_SECOND);

    constructor(
      readonly socket: WebSocket,
      readonly connectionId: string,
      readonly clientAddress: string,
    ) {
      // graphql-ws's own wait keeps its timer for the socket's life: this one is dropped once connection_init is in.
      this.initTimer = setTimeout(initTimedOut, config.WS_INIT_TIMEOUT_MS, this);
      this.closed = protocol.opened(this, this);
    }

    /** graphql-ws's socket: its subprotocol, send, close and onMessage. */
    get protocol() {
      return this.socket.protocol;
    }

    send(data: string): Promise<void> {
      const { socket } = this;
      return new Promise<void>((resolve, reject) => {
        if (socket.readyState !== socket.OPEN) return resolve();
        socket.send(data, (error) => (error ? reject(error) : resolve()));
      });
    }

    close(code: number, reason: string) {
      this.socket.close(code, reason);
    }

    onMessage(handle: (data: string) => Promise<void>) {
      this.handle = handle;
    }

    initialised() {
      if (this.initTimer) clearTimeout(this.initTimer);
      this.initTimer = null;
    }

    operation(id: string): Operation | undefined {
      return this.operations?.find((op) => op.id === id);
    }

    adoptedCount(): number {
      let n = 0;
      for (const op of this.operations ?? []) if (op.adopted) n++;
      return n;
    }

    received(data: RawData) {
      const { socket } = this;
      // Dropped before graphql-ws sees it: over the cap nothing more from this socket is processed.
      if (!this.rate.allow()) {
        if (socket.readyState === socket.OPEN) {
          metrics.operationsRefused.inc({ transport: "ws", reason: "messages" });
          socket.close(WsClose.TOO_MANY_MESSAGES, "Too many messages");
        }
        return;
      }
      const text = String(data);
      const message = clientMessage(text);
      if (message?.type === "connection_init") this.initialised();
      else if (typeof message?.id === "string" && (message.type === "subscribe" || message.type === "complete")) {
        const op = this.operation(message.id);
        // graphql-ws no longer knows an adopted subscription: its id is still taken, and its `complete` ends it here.
        if (op?.adopted && message.type === "subscribe") return socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${message.id} already exists`);
        if (op?.adopted) op.end();
      }
      // A subscribe message is handled until its subscription ends (or is adopted): only its verdict waits that long, not its text.
      const clientType = message !== null;
      this.handle!(text).catch((error: unknown) => {
        // graphql-ws throws on a well-formed message of a type only a server sends: the client's fault (4400).
        if (!clientType) return socket.close(WsClose.BAD_REQUEST, "Invalid message received");
        log.error("websocket message failed", { connectionId: this.connectionId, error });
        socket.close(WsClose.INTERNAL, "Internal server error");
      });
    }

    /** An admitted subscription ended: its place, gauge and log line. */
    ended(id: string, op?: Operation) {
      const known = this.operation(id);
      if (!known || (op && known !== op)) return;
      this.operations!.splice(this.operations!.indexOf(known), 1);
      if (this.operations!.length === 0) this.operations = null;
      metrics.wsSubscriptions.dec();
      log.info("subscription", {
        connectionId: this.connectionId,
        operationName: known.name,
        userId: this.viewer?.userId ?? null,
        durationMs: Math.round(Number(process.hrtime.bigint() - known.started) / 1e6),
        results: known.results,
      });
    }

    /** The socket closed: graphql-ws ends the subscriptions it runs, this ends the adopted ones. */
    disconnected(code: number, reason: string) {
      this.gone = true;
      this.initialised();
      this.cancelExpiry?.();
      void this.closed?.(code, reason);
      this.closed = null;
      for (const op of [...(this.operations ?? [])]) op.end();
    }
  }

  function initTimedOut(connection: Connection) {
    connection.initialised();
    connection.socket.close(CloseCode.ConnectionInitialisationTimeout, "Connection initialisation timeout");
  }

  const protocol = makeServer<Record<string, unknown>, Connection>({
    schema: deps.schema,
    subscribe: (args) => deps.subscribe(args, outlets.get(args)),
    // The connection's own timer (see Connection): graphql-ws's would stay referenced as long as the socket.
    connectionInitWaitTimeout: 0,
    onConnect: async (ctx) => {
      ctx.extra.graphqlWs = ctx;
      const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
      // A credential that is not a string is a broken client, not an anonymous one: refused (4403).
      if (raw !== undefined && raw !== null && typeof raw !== "string") return false;
      const token = typeof raw === "string" ? raw.replace(/^Bearer\s+/i, "") : null;
      // Read once: the token is not kept for the socket's life.
      delete (ctx as { connectionParams?: unknown }).connectionParams;
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
      // An adopted subscription has not ended: graphql-ws's loop over it has (see Operation.adopt).
      if (ctx.extra.operation(id)?.adopted) return;
      ctx.extra.ended(id);
    },
    onError: (ctx, _id, _payload, errors) => mask(errors, ctx.extra.connectionId),
    onNext: (ctx, id, _payload, _args, result) => {
      const op = ctx.extra.operation(id);
      if (!op) return { ...result, ...(result.errors ? { errors: mask(result.errors as GraphQLError[], ctx.extra.connectionId) } : {}) };
      if (op.results++ === 0) {
        metrics.operationDuration.observe({ transport: "ws", type: "subscription", operation: op.label }, Number(process.hrtime.bigint() - op.started) / 1e9);
      }
      return nextPayload(op, result);
    },
  });

  // One timer for all sockets, not a timer each: every WS_KEEPALIVE_MS a socket is pinged, and cut if it has not answered
  // its previous ping. The sockets are dealt into slices, one slice pinged a tick: pinging 14,000 sockets in one turn
  // of the event loop took ~300 ms, and a room message that arrived meanwhile waited for it.
  const awaitingPong = new Set<WebSocket>();
  function answered(this: WebSocket) {
    awaitingPong.delete(this);
  }
  const slices = Array.from({ length: KEEP_ALIVE_SLICES }, () => new Set<WebSocket>());
  let tick = 0;
  const keepAlive = setInterval(() => {
    for (const socket of slices[tick++ % KEEP_ALIVE_SLICES]!) {
      if (socket.readyState !== socket.OPEN) continue;
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, config.WS_KEEPALIVE_MS / KEEP_ALIVE_SLICES);
  keepAlive.unref();

  // Listeners shared by all sockets (`this` is the socket), not closures made per socket.
  const connections = new WeakMap<WebSocket, Connection>();
  function onSocketMessage(this: WebSocket, data: RawData) {
    connections.get(this)?.received(data);
  }
  // Over the frame limit `ws` closes with 1009 and emits this; a socket error must never reach the process.
  function onSocketError(this: WebSocket, error: Error) {
    log.debug("websocket error", { connectionId: connections.get(this)?.connectionId, error: error.message });
  }
  function onSocketClose(this: WebSocket, code: number, reason: Buffer) {
    metrics.wsConnections.dec();
    awaitingPong.delete(this);
    for (const slice of slices) slice.delete(this);
    const connection = connections.get(this);
    connections.delete(this);
    connection?.disconnected(code, String(reason));
  }

  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    if (wss.clients.size > config.WS_MAX_CONNECTIONS) {
      // 1013 Try Again Later: this process is full; a client reconnects (to another process behind the balancer).
      metrics.operationsRefused.inc({ transport: "ws", reason: "connections" });
      socket.close(WsClose.TRY_AGAIN_LATER, "Too many connections");
      return;
    }
    metrics.wsConnections.inc();
    socket.on("error", onSocketError);
    const connection = new Connection(
      socket,
      `ws-${process.pid}-${++sequence}`,
      clientAddress(request.socket.remoteAddress, request.headers["x-forwarded-for"], config.TRUST_PROXY_HOPS),
    );
    connections.set(socket, connection);
    socket.on("message", onSocketMessage);
    socket.on("pong", answered);
    slices[sequence % KEEP_ALIVE_SLICES]!.add(socket);
    socket.on("close", onSocketClose);
  });

  return {
    wss,
    stats(): WsStats {
      const stats: WsStats = { connections: 0, operations: 0, adopted: 0, inGraphqlWs: 0 };
      for (const socket of wss.clients) {
        const connection = connections.get(socket);
        if (!connection) continue;
        stats.connections++;
        stats.operations += connection.operations?.length ?? 0;
        stats.adopted += connection.adoptedCount();
        stats.inGraphqlWs += Object.keys(connection.graphqlWs?.subscriptions ?? {}).length;
      }
      return stats;
    },
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

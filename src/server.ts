import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { StartupError, type Config } from "./config/env.js";
import { embeddedDbDir, resolveJwtSecret } from "./config/secrets.js";
import { createContext, type Context, type Services } from "./context.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrateDatabase } from "./db/migrate.js";
import { BodyTooLarge, readBody } from "./http/body.js";
import { graphiqlAsset, graphiqlPage } from "./http/graphiql.js";
import { createMetrics, observeFanout, OperationNames } from "./http/metrics.js";
import { overlayResponse } from "./http/overlay.js";
import { logRequest, operationMetricsPlugin, trackRequest } from "./http/request-log.js";
import { clientAddress, noCost, OperationGuard, screenHttpRequest, withCost } from "./http/operation-guard.js";
import { OperationManifest, RedisApqCache } from "./http/persisted-operations.js";
import { InProcessRateLimiter, RedisRateLimiter } from "./http/rate-limit.js";
import { attachWebSocket } from "./http/ws-server.js";
import { AllianceService } from "./modules/alliance/alliance.service.js";
import { AccountsService } from "./modules/accounts/accounts.service.js";
import { CatalogService } from "./modules/catalog/catalog.service.js";
import { InProcessGate, RedisGate, type AdmissionGate } from "./modules/flash-sales/flash-sale.gate.js";
import { CreditService, DepositService, GovernanceService } from "./modules/governance/index.js";
import { AfterSalesService } from "./modules/after-sales/index.js";
import { FlashSaleService } from "./modules/flash-sales/flash-sale.service.js";
import { LiveService } from "./modules/live/live.service.js";
import { ViewerCounter } from "./modules/live/viewer-counter.js";
import { OrderService } from "./modules/orders/orders.service.js";
import { PriceGuardService } from "./modules/price-guard/price-guard.service.js";
import { FulfilmentService } from "./modules/fulfilment/index.js";
import { postRefund, SettlementService } from "./modules/settlement/index.js";
import { FanoutHub } from "./realtime/fanout.js";
import { InProcessBus, type EventBus } from "./realtime/bus.js";
import { RedisBus, redactedUrl } from "./realtime/redis-bus.js";
import { buildGatewaySchema } from "./schema.js";
import { seedDemo } from "./seed/demo.js";
import { ensureBootstrapAdmin } from "./modules/accounts/accounts.bootstrap.js";
import { IdentityService } from "./modules/accounts/identity.service.js";
import { bearerToken, TokenService, type Viewer } from "./shared/auth.js";
import { JwksVerifier } from "./shared/jwks.js";
import { systemClock, type Clock } from "./shared/clock.js";
import { within, retryUntil } from "./shared/deadline.js";
import { AppError, ErrorCode, formatError, isUnavailable, RETRY_AFTER_SECONDS, unavailable, unavailableDependency } from "./shared/errors.js";
import { DatabaseBreaker } from "./http/availability.js";
import { createLogger, type Logger } from "./shared/logger.js";
import { inBackground } from "./shared/background.js";

export interface GatewayOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** Every SQL statement, for statement-counting tests. */
  onQuery?: (sql: string, job: string | undefined) => void;
}

export interface Gateway {
  url: string;
  wsUrl: string;
  port: number;
  database: Database;
  bus: EventBus;
  /** The gateway's own HS256 tokens; null in a production that takes only the identity provider's (JWKS_URL). */
  tokens: TokenService | null;
  identity: IdentityService;
  services: Services;
  hub: FanoutHub;
  /** The flash-sale admission gate (Redis or in-process), for operators' tools and tests. */
  gate: AdmissionGate;
  /** Drains: in-flight requests finish, sockets close with 1001, Postgres and Redis connections close. */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** /readyz answers within this, whatever PostgreSQL and Redis do. */
const READY_CHECK_MS = 500;

const describeError = (error: unknown) =>
  (error as { code?: string })?.code ?? ((error as Error)?.message || String(error));

/** Fails before any work when the port is taken: one clear line instead of an 'error' event after side effects. */
async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(new StartupError(error.code === "EADDRINUSE" ? `PORT ${port} is already in use on ${host}` : `cannot listen on ${host}:${port} (${error.code ?? error.message})`)),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
const AUTH_STATUS: Record<string, number> = { FORBIDDEN: 403, SERVICE_UNAVAILABLE: 503 };

/** Composition root: env → db → bus → services → schema → HTTP + WebSocket. No domain logic here. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.LOG_LEVEL, { service: "liveshelf", pid: process.pid });
  const manifest = config.PERSISTED_QUERIES === "allowlist" ? OperationManifest.fromFile(config.OPERATIONS_MANIFEST!) : null;

  await assertPortFree(config.PORT, config.HOST);
  // The first embedded start takes a while (PGlite, migrations, demo data): say what is happening.
  const step = (msg: string, fields: Record<string, unknown> = {}) => {
    const started = Date.now();
    log.info(msg, fields);
    return () => log.info(`${msg}: done`, { ...fields, ms: Date.now() - started });
  };
  let done = step("opening database", { database: config.DATABASE_URL ? "postgres" : "pglite" });
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: embeddedDbDir(config),
    poolSize: config.DB_POOL_SIZE,
    onQuery: options.onQuery,
  });
  if (database.kind === "postgres") {
    await retryUntil(
      () => database.ping(),
      config.STARTUP_TIMEOUT_MS,
      (error) => {
        void database.close().catch(() => {});
        return new StartupError(`PostgreSQL at ${redactedUrl(config.DATABASE_URL!)} is not reachable after ${config.STARTUP_TIMEOUT_MS} ms (${describeError(error)})`);
      },
    );
  }
  done();
  done = step("migrating database");
  await migrateDatabase(database);
  done();
  if (config.mode === "embedded" && config.SEED_DEMO === "auto") {
    done = step("seeding demo data (only into an empty database)");
    await seedDemo(database.db, log, clock.now());
    done();
  }
  if (config.BOOTSTRAP_ADMIN_SUBJECT) {
    const admin = await ensureBootstrapAdmin(database.db, { name: config.BOOTSTRAP_ADMIN_NAME, issuer: config.JWT_ISSUER!, subject: config.BOOTSTRAP_ADMIN_SUBJECT }, clock.now());
    if (admin) log.info("first admin created from BOOTSTRAP_ADMIN_SUBJECT", { userId: admin.id });
  }

  const bus: EventBus = config.REDIS_URL
    ? await RedisBus.connect(config.REDIS_URL, config.REDIS_KEY_PREFIX, log, {
        startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
        commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
      }).catch(async (error) => {
        await database.close().catch(() => {});
        throw error;
      })
    : new InProcessBus((error) => log.error("bus handler failed", { error }));
  const tokens = config.mode === "embedded" || config.JWT_SECRET ? new TokenService(resolveJwtSecret(config), config.JWT_TTL_SECONDS) : null;
  const provider = config.JWKS_URL
    ? new JwksVerifier({
        url: config.JWKS_URL,
        issuer: config.JWT_ISSUER!,
        audience: config.JWT_AUDIENCE,
        algorithms: config.JWT_ALGORITHMS,
        userClaim: config.JWT_USER_CLAIM,
        roleClaim: config.JWT_ROLE_CLAIM,
        nameClaim: config.JWT_NAME_CLAIM,
        maxLifetimeSeconds: config.JWT_MAX_LIFETIME_SECONDS,
        clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
        cooldownMs: config.JWKS_COOLDOWN_MS,
      })
    : null;
  const redis = bus instanceof RedisBus ? bus.client : null;
  const gate: AdmissionGate = redis ? new RedisGate(redis, config.REDIS_KEY_PREFIX, config.GATE_LEASE_MS) : new InProcessGate();
  const db = database.db;
  const identity = new IdentityService({ db, bus, clock, log, local: tokens, provider });
  await identity.start();
  const deposits = new DepositService({ db, clock, log, terms: { periodDays: config.DEPOSIT_SALES_PERIOD_DAYS, tiers: config.DEPOSIT_TIERS } });
  const flashSales = new FlashSaleService({ db, bus, gate, clock, log, coalesceMs: config.INVENTORY_COALESCE_MS, deposits });
  const live = new LiveService({ db, bus, clock, log, flashSales });
  const priceGuard = new PriceGuardService({ db, bus, clock, log, flashSales, live, warningBps: config.PRICE_GUARD_WARNING_BPS });
  const fulfilment = new FulfilmentService({ db, bus, clock, log, autoReceiveDays: config.AUTO_RECEIVE_DAYS, refunds: { postRefund } });
  const settlement = new SettlementService({
    db,
    clock,
    log,
    fulfilment,
    intervalMs: config.SETTLEMENT_INTERVAL_MS,
    terms: {
      defaultTechnicalBps: config.TECHNICAL_FEE_DEFAULT_BPS,
      fanxing: { from: config.FANXING_ENROLL_FROM, until: config.FANXING_ENROLL_UNTIL, rateBps: config.FANXING_RATE_BPS, lineFen: config.FANXING_SALES_LINE_YUAN * 100 },
    },
  });
  const credit = new CreditService({
    db,
    clock,
    log,
    terms: { startScore: config.CREDIT_START_SCORE, deductions: config.CREDIT_DEDUCTIONS },
    cart: { switchCart: (tx, shopId, enabled) => services.catalog.switchCart(tx, shopId, enabled) },
    payouts: settlement,
    compensator: deposits,
  });
  const afterSales = new AfterSalesService({
    db,
    bus,
    clock,
    log,
    terms: { windowDays: config.AFTER_SALES_WINDOW_DAYS, answerHours: config.AFTER_SALES_ANSWER_HOURS },
    refunds: fulfilment,
    consequences: credit,
    sweepIntervalMs: config.AFTER_SALES_SWEEP_MS,
  });
  const services: Services = {
    accounts: new AccountsService({ bus, identity }),
    catalog: new CatalogService({ db, bus, log }),
    flashSales,
    live,
    orders: new OrderService({ db, bus, gate, clock, log, flashSales, maxBatch: config.ORDER_BATCH_MAX }),
    alliance: new AllianceService(),
    priceGuard,
    fulfilment,
    settlement,
    governance: new GovernanceService(),
    afterSales,
    credit,
    deposits,
  };
  flashSales.guard = priceGuard;
  live.guard = priceGuard;
  services.orders.guard = priceGuard;
  services.catalog.guard = priceGuard;
  services.catalog.cartLost = (tx, shopId) => live.withdraw(tx, { shopId, promoterId: null, crossBorderOnly: false }, "CART_DISABLED");
  const schema = await buildGatewaySchema();
  const metrics = createMetrics();
  const bucket = { size: config.RATE_LIMIT_BUCKET_SIZE, restoreRate: config.RATE_LIMIT_RESTORE_RATE };
  const guard = new OperationGuard({
    config,
    schema,
    metrics,
    limiter: bus instanceof RedisBus ? new RedisRateLimiter(bus.client, config.REDIS_KEY_PREFIX, bucket, log) : new InProcessRateLimiter(bucket),
    manifest,
  });

  const contextFor = (viewer: Viewer | null, requestId: string, clientAddress?: string): Context =>
    createContext({ requestId, viewer, clientAddress, db: database.db, clock, log: log.child({ requestId }), services });

  const viewers = new ViewerCounter({
    redis,
    prefix: config.REDIS_KEY_PREFIX,
    tickMs: config.VIEWER_TICK_MS,
    log,
    onChange: (roomId, count) =>
      hub.inject(services.live.eventsSpec.name, roomId, { kind: "VIEWER_COUNT_CHANGED", at: clock.now().toISOString(), viewers: count }),
  });
  services.live.viewers = viewers;
  // Room messages are public room state: they execute once per selection with an anonymous, fresh context.
  const hub = new FanoutHub(bus, log, () => contextFor(null, "fanout"), (roomId, members) => viewers.set(roomId, members));
  observeFanout(metrics, hub);
  viewers.start();

  await flashSales.rebuildAllGates();
  await priceGuard.recover();
  if (bus instanceof RedisBus) {
    bus.onReconnect(() => {
      // Whatever was published while Redis was away is lost: gates and rooms are read again from the ledger.
      log.info("redis is back: rebuilding flash sale gates and room states from the ledger");
      flashSales.rebuildAllGates().catch((error) => log.error("gate rebuild failed", { error }));
      hub.reloadAll().catch((error: unknown) => log.error("room reload failed", { error }));
    });
  }
  const sweeper = setInterval(() => {
    // During an outage the sweep fails every tick: the outage is reported once by /readyz and the connection logs.
    inBackground("flash-sale sweep", () => flashSales.sweep()).catch((error) => (isUnavailable(error) ? log.debug : log.error)("flash sale sweep failed", { error }));
  }, config.SWEEP_INTERVAL_MS);
  sweeper.unref();
  settlement.start();
  afterSales.start();

  const operationNames = new OperationNames();
  const metricsPlugin = operationMetricsPlugin(metrics, operationNames);
  const breaker = new DatabaseBreaker(async () => {
    if (!(await within(database.ping().then(() => true), 1000, false))) throw new Error("no answer within 1 s");
  }, log);
  const noteOutage = (error: unknown) => {
    if (unavailableDependency(error) === "database") breaker.trip();
  };
  const unexpected = new WeakMap<object, unknown>();
  const requestIdPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== "single" || !response.body.singleResult.errors) return;
          const { requestId } = contextValue;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => {
            if (unexpected.has(e)) log.error("unexpected error", { requestId, error: unexpected.get(e) });
            return { ...e, extensions: { ...e.extensions, requestId } };
          });
        },
      };
    },
  };
  // An outage answers 503 with Retry-After: the client may retry the same request (orders carry idempotency keys).
  const unavailablePlugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          if (!response.body.singleResult.errors?.some((e) => e.extensions?.code === ErrorCode.UNAVAILABLE)) return;
          response.http.status = 503;
          response.http.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
  const apollo = new ApolloServer<Context>({
    schema,
    // Signals are the process's (src/main.ts): Apollo's own handler would refuse requests with 500s while the
    // server still drains.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    persistedQueries: bus instanceof RedisBus ? { cache: new RedisApqCache(bus.client, config.REDIS_KEY_PREFIX, log) } : {},
    // Apollo's formatError knows no request: masked errors are remembered here and logged, with the request id,
    // by the requestIdPlugin as the response leaves.
    formatError: (formatted, error) => {
      noteOutage(error);
      let original: { error: unknown } | null = null;
      const result = formatError(formatted, error, undefined, (e) => (original = { error: e }));
      if (original) unexpected.set(result, (original as { error: unknown }).error);
      return result;
    },
    // No HTTP caching of GraphQL responses here; the cache-control plugin would wrap every field resolver.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), metricsPlugin, guard.apolloPlugin(), requestIdPlugin, unavailablePlugin],
  });
  await apollo.start();

  let stopping = false;
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { "content-type": type });
    res.end(body);
  };
  const sendGraphQLError = (res: ServerResponse, status: number, error: AppError, requestId: string) =>
    send(
      res,
      status,
      "application/json",
      JSON.stringify({ errors: [{ message: error.message, extensions: { ...error.extensions, requestId } }], extensions: { cost: noCost(config.LIMIT_MAX_COST) } }),
    );

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, caller: string) {
    // A browser navigating here (HTML first in Accept) gets GraphiQL, even with ?query= (a shared link); API GETs do not.
    if (req.method === "GET" && !url.searchParams.has("extensions") && (req.headers.accept ?? "").trimStart().startsWith("text/html")) {
      const viewer = await (async () => identity.authenticate(url.searchParams.get("token") ?? bearerToken(req.headers.authorization)))().catch(() => null);
      if (!guard.mayIntrospect(viewer)) return send(res, 403, "text/plain; charset=utf-8", "GraphiQL is open to ADMIN and ANALYST users here: open it with ?token=<token>.");
      return send(res, 200, "text/html; charset=utf-8", graphiqlPage());
    }
    let viewer: Viewer | null;
    try {
      viewer = await identity.authenticate(bearerToken(req.headers.authorization));
    } catch (error) {
      if (error instanceof AppError) return sendGraphQLError(res, AUTH_STATUS[String(error.extensions.code)] ?? 401, error, requestId);
      throw error;
    }
    let body: unknown = undefined;
    if (req.method === "POST") {
      const text = await readBody(req, MAX_BODY_BYTES);
      if ((req.headers["content-type"] ?? "").includes("application/json")) {
        try {
          body = JSON.parse(text);
        } catch {
          return sendGraphQLError(res, 400, new AppError("BAD_USER_INPUT", "The request body is not valid JSON."), requestId);
        }
      } else body = text;
    }
    try {
      body = screenHttpRequest(guard, req.method ?? "GET", url, body);
    } catch (error) {
      if (error instanceof AppError) return sendGraphQLError(res, 400, error, requestId);
      throw error;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: async () => trackRequest(req, contextFor(viewer, requestId, caller), viewer?.userId),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") return res.end(res.statusCode >= 400 ? withCost(response.body.string, config.LIMIT_MAX_COST) : response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, caller: string): Promise<string> {
    const path = url.pathname;
    if (path === "/healthz") {
      send(res, 200, "application/json", JSON.stringify({ status: "ok" }));
      return path;
    }
    if (path === "/readyz") {
      const [db, redis] = await Promise.all([
        within(database.ping().then(() => true, () => false), READY_CHECK_MS, false),
        within(bus.ready(), READY_CHECK_MS, false),
      ]);
      const ready = db && redis && !stopping;
      send(res, ready ? 200 : 503, "application/json", JSON.stringify({ status: ready ? "ready" : "unavailable", database: db, bus: redis, stopping }));
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
      await handleGraphQL(req, res, url, requestId, caller);
      return path;
    }
    send(res, 404, "application/json", JSON.stringify({ error: "not found" }));
    return "other";
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const header = req.headers["x-request-id"];
    const requestId = typeof header === "string" && /^[\w.-]{1,64}$/.test(header) ? header : randomUUID();
    res.setHeader("x-request-id", requestId);
    let routeName = "other";
    const caller = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUST_PROXY_HOPS);
    void (async () => {
      try {
        let url: URL;
        try {
          url = new URL(req.url ?? "/", "http://gateway");
        } catch {
          return sendGraphQLError(res, 400, new AppError(ErrorCode.BAD_REQUEST, "The request target is not a valid URL."), requestId);
        }
        if (stopping && url.pathname !== "/healthz" && url.pathname !== "/readyz" && url.pathname !== "/metrics") {
          // Draining: in-flight requests finish; new ones are sent elsewhere, and this connection is not reused.
          res.setHeader("connection", "close");
          res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
          return sendGraphQLError(res, 503, unavailable("This gateway process is shutting down; retry (another process will answer)."), requestId);
        }
        if (url.pathname === "/graphql") {
          routeName = "/graphql";
          // Every GraphQL operation over HTTP reads or writes the ledger (GraphiQL's page does not).
          if (breaker.open && !(req.headers.accept ?? "").startsWith("text/html")) {
            res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
            return sendGraphQLError(res, 503, unavailable(), requestId);
          }
        }
        routeName = await route(req, res, url, requestId, caller);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          sendGraphQLError(res, 413, new AppError("LIMIT_EXCEEDED", `The request body is over ${MAX_BODY_BYTES} bytes.`, { limit: "bodyBytes" }), requestId);
        } else if (isUnavailable(error)) {
          noteOutage(error);
          if (!res.headersSent) {
            res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
            sendGraphQLError(res, 503, unavailable(), requestId);
          } else res.end();
        } else {
          log.error("request failed", { requestId, error });
          if (!res.headersSent) sendGraphQLError(res, 500, new AppError("INTERNAL_SERVER_ERROR", "Internal server error"), requestId);
          else res.end();
        }
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.httpRequests.inc({ route: routeName, method: req.method ?? "?", status: String(res.statusCode) });
        metrics.httpDuration.observe({ route: routeName }, seconds);
        logRequest(log, req, res, { requestId, route: routeName, durationMs: seconds * 1000 });
      }
    })();
  });
  server.keepAliveTimeout = 5_000;

  const ws = attachWebSocket(server, { config, schema, identity, guard, log, metrics, operationNames, contextFor, subscribe: (args) => hub.subscribe(args) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new StartupError(`PORT ${config.PORT} is already in use on ${config.HOST}`) : error),
    );
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  log.info("gateway listening", { port, mode: config.mode, database: database.kind, bus: bus.kind });

  let stopped: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}/graphql`,
    wsUrl: `ws://${host}:${port}/graphql`,
    port,
    database,
    bus,
    tokens,
    identity,
    services,
    hub,
    gate,
    stop: () =>
      (stopped ??= (async () => {
        // Everything below shares one deadline, so the process is done within SHUTDOWN_GRACE_MS.
        const deadline = Date.now() + config.SHUTDOWN_GRACE_MS;
        const left = () => Math.max(0, deadline - Date.now());
        stopping = true;
        log.info("draining", { graceMs: config.SHUTDOWN_GRACE_MS });
        clearInterval(sweeper);
        await within(settlement.stop(), left(), undefined);
        await within(afterSales.stop(), left(), undefined);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // A kept-alive connection whose last request just finished is idle: close it rather than wait for its timeout.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        server.closeIdleConnections();
        // Sockets get 1001 now; a client that does not complete the closing handshake is cut at the deadline.
        const sockets = ws.close(left());
        const grace = setTimeout(() => server.closeAllConnections(), left());
        await Promise.all([closed, sockets]);
        clearTimeout(grace);
        clearInterval(idle);
        await services.orders.drain(left());
        await within(hub.close(), left(), undefined);
        await within(viewers.stop(), left(), undefined);
        await within(identity.stop(), left(), undefined);
        await within(apollo.stop(), left(), undefined);
        await within(bus.close(), left(), undefined);
        await within(database.close().catch(() => {}), Math.max(left(), 100), undefined);
        log.info("stopped");
      })()),
  };
}

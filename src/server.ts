import "reflect-metadata";
import { createServer } from "node:http";
import { StartupError, type Config } from "./config/env.js";
import { embeddedDbDir, resolveJwtSecret } from "./config/secrets.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrateDatabase } from "./db/migrate.js";
import { startApollo } from "./http/apollo.js";
import { DatabaseBreaker } from "./http/availability.js";
import { CompiledOperations } from "./http/compiled-executor.js";
import { FastLane } from "./http/fast-lane.js";
import { graphqlHandler } from "./http/graphql-handler.js";
import { assertPortFree, listen } from "./http/listen.js";
import { createMetrics, observeFanout, OperationNames } from "./http/metrics.js";
import { OperationGuard } from "./http/operation-guard.js";
import { OperationManifest, RedisApqCache } from "./http/persisted-operations.js";
import { InProcessRateLimiter, RATE_LIMIT_SCRIPTS, RedisRateLimiter } from "./http/rate-limit.js";
import { operationMetricsPlugin } from "./http/request-log.js";
import { createRouter } from "./http/router.js";
import { drain } from "./http/shutdown.js";
import { attachWebSocket, type WsStats } from "./http/ws-server.js";
import { accountLoaders, ensureBootstrapAdmin, IdentityService } from "./modules/accounts/index.js";
import { allianceLoaders } from "./modules/alliance/index.js";
import { catalogLoaders } from "./modules/catalog/index.js";
import { type AdmissionGate, flashSaleLoaders, GATE_SCRIPTS, InProcessGate, RedisGate } from "./modules/flash-sales/index.js";
import { fulfilmentLoaders } from "./modules/fulfilment/index.js";
import { liveLoaders, ViewerCounter } from "./modules/live/index.js";
import { orderLoaders } from "./modules/orders/index.js";
import { priceGuardLoaders } from "./modules/price-guard/index.js";
import { settlementLoaders } from "./modules/settlement/index.js";
import { afterSalesLoaders } from "./modules/after-sales/index.js";
import { FanoutHub } from "./realtime/fanout.js";
import { InProcessBus, type EventBus } from "./realtime/bus.js";
import { RedisBus, redactedUrl } from "./realtime/redis-bus.js";
import { buildGatewaySchema } from "./schema.js";
import { seedDemo } from "./seed/demo.js";
import { buildServices, type Services } from "./services.js";
import { TokenService } from "./shared/auth.js";
import { JwksVerifier } from "./shared/jwks.js";
import { systemClock, type Clock } from "./shared/clock.js";
import { RequestContexts, type Context, type LoaderFactory } from "./shared/context.js";
import { within, retryUntil } from "./shared/deadline.js";
import { isUnavailable, unavailableDependency } from "./shared/errors.js";
import { createLogger, type Logger } from "./shared/logger.js";
import { inBackground, type WorkOrigin } from "./shared/background.js";

/** Every module's DataLoaders, made lazily per request and per subscription event. */
const LOADERS: LoaderFactory[] = [
  accountLoaders,
  catalogLoaders,
  liveLoaders,
  flashSaleLoaders,
  orderLoaders,
  allianceLoaders,
  priceGuardLoaders,
  fulfilmentLoaders,
  settlementLoaders,
  afterSalesLoaders,
];

export interface GatewayOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** Every SQL statement with its parameters and origin, for statement-counting tests. */
  onQuery?: (sql: string, params: unknown[], origin: WorkOrigin) => void;
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
  /** Makes request contexts as the gateway does (for tests that call a service directly). */
  contexts: RequestContexts;
  hub: FanoutHub;
  /** What the WebSocket transport holds (sockets, subscriptions), for tests. */
  websocketStats(): WsStats;
  /** The flash-sale admission gate (Redis or in-process), for operators' tools and tests. */
  gate: AdmissionGate;
  /** Drains: in-flight requests finish, sockets close with 1001, Postgres and Redis connections close. */
  stop(): Promise<void>;
}

/** /readyz answers within this, whatever PostgreSQL and Redis do. */
const READY_CHECK_MS = 500;

const describeError = (error: unknown) =>
  (error as { code?: string })?.code ?? ((error as Error)?.message || String(error));

type Step = (msg: string, fields?: Record<string, unknown>) => () => void;

/** PostgreSQL (waited for up to STARTUP_TIMEOUT_MS) or PGlite, migrated; the demo data and first admin when configured. */
async function openLedger(config: Config, clock: Clock, log: Logger, step: Step, onQuery: GatewayOptions["onQuery"]): Promise<Database> {
  let done = step("opening database", { database: config.DATABASE_URL ? "postgres" : "pglite" });
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: embeddedDbDir(config), poolSize: config.DB_POOL_SIZE, maxPrepared: config.DB_PREPARED_STATEMENTS, onQuery });
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
  return database;
}

/** The Lua scripts of the gateway's Redis client: node-redis loads them (EVALSHA, EVAL on NOSCRIPT). */
const REDIS_SCRIPTS = { ...GATE_SCRIPTS, ...RATE_LIMIT_SCRIPTS };

async function openBus(config: Config, log: Logger, database: Database): Promise<InProcessBus | RedisBus<typeof REDIS_SCRIPTS>> {
  if (!config.REDIS_URL) return new InProcessBus((error) => log.error("bus handler failed", { error }));
  return RedisBus.connect(config.REDIS_URL, config.REDIS_KEY_PREFIX, log, {
    startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    replyTimeoutMs: config.REDIS_REPLY_TIMEOUT_MS,
    scripts: REDIS_SCRIPTS,
  }).catch(async (error) => {
    await database.close().catch(() => {});
    throw error;
  });
}

function identityProvider(config: Config): JwksVerifier | null {
  if (!config.JWKS_URL) return null;
  return new JwksVerifier({
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
  });
}

/** Composition root: env → db → bus → services → schema → HTTP + WebSocket. No domain logic here. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.LOG_LEVEL, { service: "liveshelf", pid: process.pid });
  const manifest = config.PERSISTED_QUERIES === "allowlist" ? OperationManifest.fromFile(config.OPERATIONS_MANIFEST!) : null;

  await assertPortFree(config.PORT, config.HOST);
  // The first embedded start takes a while (PGlite, migrations, demo data): say what is happening.
  const step: Step = (msg, fields = {}) => {
    const started = Date.now();
    log.info(msg, fields);
    return () => log.info(`${msg}: done`, { ...fields, ms: Date.now() - started });
  };
  const database = await openLedger(config, clock, log, step, options.onQuery);
  const bus = await openBus(config, log, database);
  const redis = bus instanceof RedisBus ? bus.client : null;
  const tokens = config.mode === "embedded" || config.JWT_SECRET ? new TokenService(resolveJwtSecret(config), config.JWT_TTL_SECONDS) : null;
  const identity = new IdentityService({ db: database.db, bus, clock, log, local: tokens, provider: identityProvider(config) });
  await identity.start();
  const gate: AdmissionGate = redis ? new RedisGate(redis, config.REDIS_KEY_PREFIX, config.GATE_LEASE_MS) : new InProcessGate();
  // Counts change only once it has started (below, with the fan-out hub it reports to).
  const viewers = new ViewerCounter({
    redis,
    prefix: config.REDIS_KEY_PREFIX,
    tickMs: config.VIEWER_TICK_MS,
    log,
    onChange: (roomId, count) =>
      hub.inject(services.live.eventsSpec.name, roomId, { kind: "VIEWER_COUNT_CHANGED", at: clock.now().toISOString(), viewers: count }),
  });
  const services = buildServices({ config, database, bus, gate, identity, viewers, clock, log });
  const { flashSales, priceGuard, settlement } = services;
  await services.alliance.start();
  await services.catalog.start();

  const schema = await buildGatewaySchema(services);
  const metrics = createMetrics();
  const bucket = { size: config.RATE_LIMIT_BUCKET_SIZE, restoreRate: config.RATE_LIMIT_RESTORE_RATE };
  const guard = new OperationGuard({
    config,
    schema,
    metrics,
    limiter: redis ? new RedisRateLimiter(redis, config.REDIS_KEY_PREFIX, bucket, log) : new InProcessRateLimiter(bucket),
    manifest,
  });
  const contexts = new RequestContexts({ db: database.db, clock, log }, LOADERS);
  const contextFor = contexts.forRequest.bind(contexts);

  const hub = new FanoutHub(
    bus,
    log,
    // Room messages are public room state: they execute once per selection with an anonymous context.
    (subscription) => (subscription ? contexts.forEvent(subscription as Context) : contexts.forRequest(null, "fanout")),
    (roomId, members) => viewers.set(roomId, members),
  );
  observeFanout(metrics, hub);
  viewers.start();

  await flashSales.rebuildAllGates();
  await priceGuard.recover();
  if (bus instanceof RedisBus) {
    bus.onReconnect(() => {
      // Whatever was published while Redis was away is lost: gates and rooms are read again from the ledger.
      log.info("redis is back: rebuilding flash sale gates and room states from the ledger");
      // Listing changes published meanwhile were lost: public shelves and kept shops are read again.
      services.alliance.forgetKept();
      services.catalog.forgetKept();
      inBackground("redis reconnect", () => flashSales.rebuildAllGates()).catch((error) => log.error("gate rebuild failed", { error }));
      inBackground("redis reconnect", () => hub.reloadAll()).catch((error: unknown) => log.error("room reload failed", { error }));
    });
  }
  const sweeper = setInterval(() => {
    // During an outage the sweep fails every tick: the outage is reported once by /readyz and the connection logs.
    inBackground("flash-sale sweep", () => flashSales.sweep()).catch((error) => log[isUnavailable(error) ? "debug" : "error"]("flash sale sweep failed", { error }));
  }, config.SWEEP_INTERVAL_MS);
  sweeper.unref();
  settlement.start();
  services.afterSales.start();

  const operationNames = new OperationNames();
  const breaker = new DatabaseBreaker(async () => {
    if (!(await within(database.ping().then(() => true), 1000, false))) throw new Error("no answer within 1 s");
  }, log);
  const noteOutage = (error: unknown) => {
    if (unavailableDependency(error) === "database") breaker.trip(error);
  };
  const operations = new CompiledOperations(schema);
  const fastLane = config.HTTP_FAST_LANE === "on" ? new FastLane({ guard, operations, metrics, names: operationNames }) : null;
  const apollo = await startApollo({
    schema,
    operations,
    fastLanePlugins: fastLane ? [fastLane.apolloPlugin()] : [],
    log,
    guard,
    metricsPlugin: operationMetricsPlugin(metrics, operationNames),
    persistedQueries: redis ? { cache: new RedisApqCache(redis, config.REDIS_KEY_PREFIX, log) } : {},
    onError: noteOutage,
  });

  let stopping = false;
  const server = createServer(
    createRouter({
      trustProxyHops: config.TRUST_PROXY_HOPS,
      maxCost: config.LIMIT_MAX_COST,
      log,
      metrics,
      readiness: async () => {
        const [database_, bus_] = await Promise.all([
          within(database.ping().then(() => true, () => false), READY_CHECK_MS, false),
          within(bus.ready(), READY_CHECK_MS, false),
        ]);
        return { database: database_, bus: bus_ };
      },
      stopping: () => stopping,
      breaker,
      onOutage: noteOutage,
      graphql: graphqlHandler({ apollo, authenticate: (token) => identity.authenticate(token), guard, maxCost: config.LIMIT_MAX_COST, contextFor, fastLane }),
    }),
  );
  server.keepAliveTimeout = 5_000;

  const ws = attachWebSocket(server, { config, schema, identity, guard, log, metrics, operationNames, contextFor, subscribe: (args, outlet) => hub.subscribe(args, outlet) });
  const port = await listen(server, config.PORT, config.HOST);
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
    contexts,
    hub,
    websocketStats: () => ws.stats(),
    gate,
    stop: () =>
      (stopped ??= (() => {
        stopping = true;
        return drain({
          graceMs: config.SHUTDOWN_GRACE_MS,
          log,
          beforeClose: [async () => clearInterval(sweeper), () => settlement.stop(), () => services.afterSales.stop()],
          server,
          closeSockets: (deadlineMs) => ws.close(deadlineMs),
          afterClose: [
            (left) => services.orders.drain(left),
            () => hub.close(),
            () => viewers.stop(),
            () => identity.stop(),
            () => services.alliance.stop(),
            () => services.catalog.stop(),
            () => services.listings.close(),
            () => apollo.stop(),
            () => bus.close(),
            () => database.close().catch(() => {}),
          ],
        });
      })()),
  };
}

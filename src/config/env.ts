import { z } from "zod";

const intFrom = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const urlWith = (protocols: string[]) =>
  z
    .string()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.join(" or ")}//`);

/** "0:0,100000:2000" (sales yuan : deposit yuan) → tiers in fen, ascending from 0 yuan of sales. */
const depositTiers = z
  .string()
  .regex(/^\s*\d{1,12}:\d{1,10}(\s*,\s*\d{1,12}:\d{1,10})*\s*$/, "must be SALES_YUAN:DEPOSIT_YUAN pairs separated by commas")
  .transform((v) => v.split(",").map((p) => p.split(":").map((n) => Number(n.trim()) * 100)).map(([salesFen, depositFen]) => ({ salesFen: salesFen!, depositFen: depositFen! })))
  .refine((tiers) => tiers[0]!.salesFen === 0 && tiers.every((t, i) => i === 0 || t.salesFen > tiers[i - 1]!.salesFen), "tiers start at 0 yuan of sales and ascend");

const DEDUCTION_CAUSES = ["DESCRIPTION_MISMATCH", "PASSIVE_HANDLING", "LOST_ARBITRATION"] as const;
/** "DESCRIPTION_MISMATCH:10,PASSIVE_HANDLING:20,LOST_ARBITRATION:15": each cause once, 0–1000 points. */
const creditDeductions = z
  .string()
  .regex(/^\s*[A-Z_]+:\d{1,4}(\s*,\s*[A-Z_]+:\d{1,4})*\s*$/, "must be CAUSE:POINTS pairs separated by commas")
  .transform((v) => Object.fromEntries(v.split(",").map((p) => p.split(":").map((x) => x.trim())).map(([k, n]) => [k, Number(n)])) as Record<string, number>)
  .refine(
    (t) => Object.keys(t).length === DEDUCTION_CAUSES.length && DEDUCTION_CAUSES.every((c) => t[c] !== undefined && t[c]! <= 1000),
    `must name each of ${DEDUCTION_CAUSES.join(", ")} once, with 0–1000 points`,
  )
  .transform((t) => t as Record<(typeof DEDUCTION_CAUSES)[number], number>);

const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

const schema = z.object({
  PORT: intFrom(0, 65535).default(4000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: urlWith(["postgres:", "postgresql:"]).optional(),
  REDIS_URL: urlWith(["redis:", "rediss:"]).optional(),
  DATA_DIR: z.string().min(1).default(".liveshelf-data"),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  JWT_TTL_SECONDS: intFrom(60, 31_536_000).default(7 * 24 * 3600),
  // The platform's identity provider (src/shared/jwks.ts): asymmetric tokens checked against its published keys.
  JWKS_URL: urlWith(["https:", "http:"]).optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_ALGORITHMS: z
    .string()
    .transform((v) => v.split(",").map((a) => a.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((a) => ASYMMETRIC_ALGORITHMS.includes(a)), `must be a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(", ")}`)
    .default(["RS256", "ES256", "EdDSA"]),
  JWT_USER_CLAIM: z.string().min(1).default("sub"),
  JWT_ROLE_CLAIM: z.string().min(1).default("role"),
  JWT_NAME_CLAIM: z.string().min(1).default("name"),
  /** Identity-provider tokens living longer than this (exp − iat) are refused: they are meant to be short-lived. */
  JWT_MAX_LIFETIME_SECONDS: intFrom(60, 86_400).default(3600),
  JWT_CLOCK_TOLERANCE_SECONDS: intFrom(0, 300).default(30),
  /** Least time between two fetches of the key set when a token names an unknown kid. */
  JWKS_COOLDOWN_MS: intFrom(0, 3_600_000).default(30_000),
  /** At start, the identity provider's subject made the first ADMIN when it is linked to no user yet (src/modules/accounts). */
  BOOTSTRAP_ADMIN_SUBJECT: z.string().min(1).max(255).optional(),
  BOOTSTRAP_ADMIN_NAME: z.string().min(1).max(100).default("Platform admin"),
  DB_POOL_SIZE: intFrom(1, 200).default(10),
  /** Distinct statements each PostgreSQL connection prepares (src/db/client.ts); 0 behind a pooler that cannot keep them. */
  DB_PREPARED_STATEMENTS: intFrom(0, 100_000).default(1000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  SEED_DEMO: z.enum(["auto", "never"]).default("auto"),
  SHUTDOWN_GRACE_MS: intFrom(0, 120_000).default(10_000),
  /** How long a starting process waits for PostgreSQL and Redis before it exits with one line saying which is missing. */
  STARTUP_TIMEOUT_MS: intFrom(0, 600_000).default(15_000),
  /** A Redis command not written to Redis in this time fails (a Redis that is down or unreachable is refused at once). */
  REDIS_COMMAND_TIMEOUT_MS: intFrom(50, 60_000).default(700),
  /**
   * A Redis connection awaiting replies that gets none in this time is closed and its commands fail (a Redis that
   * hangs with its connection open is then refused like a dead one). Longer than REDIS_COMMAND_TIMEOUT_MS: a busy
   * event loop must not read as a hung Redis.
   */
  REDIS_REPLY_TIMEOUT_MS: intFrom(100, 600_000).default(2000),
  INVENTORY_COALESCE_MS: intFrom(0, 10_000).default(100),
  SWEEP_INTERVAL_MS: intFrom(50, 60_000).default(1000),
  VIEWER_TICK_MS: intFrom(50, 60_000).default(1000),
  ORDER_BATCH_MAX: intFrom(1, 5000).default(500),
  /** An admitted order not committed within this (its process died) gives its units and key back to the gate. */
  GATE_LEASE_MS: intFrom(500, 600_000).default(5_000),
  /** R13: an offer whose lowest reachable hand price is within this margin above the agreed price raises a WARNING (basis points). */
  PRICE_GUARD_WARNING_BPS: intFrom(0, 10_000).default(500),
  /** Fulfilment: a shipped order counts as received this many days after shipping unless the buyer confirmed earlier. */
  AUTO_RECEIVE_DAYS: intFrom(1, 60).default(10),
  /** R16: how often each process runs the settlement (one at a time across processes: an advisory lock). 0: never. */
  SETTLEMENT_INTERVAL_MS: intFrom(0, 86_400_000).default(60_000),
  /** R16: technical service fee of categories missing from the technical_fee_rates table (basis points). */
  TECHNICAL_FEE_DEFAULT_BPS: intFrom(0, 5000).default(500),
  /** Seed 001, 凡星计划: shops created in [FROM, UNTIL) pay FANXING_RATE_BPS until their settled sales reach the line. */
  FANXING_ENROLL_FROM: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).default(new Date("2020-09-01T00:00:00+08:00")),
  FANXING_ENROLL_UNTIL: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).default(new Date("2020-11-01T00:00:00+08:00")),
  FANXING_RATE_BPS: intFrom(0, 5000).default(100),
  FANXING_SALES_LINE_YUAN: intFrom(0, 1_000_000_000).default(100_000),
  /** R17 after-sales: a case is opened before receipt or within this many days after it. */
  AFTER_SALES_WINDOW_DAYS: intFrom(1, 365).default(15),
  /** R17: the merchant answers a case within this many hours; unanswered is passive handling (decided for the buyer). */
  AFTER_SALES_ANSWER_HOURS: intFrom(1, 14 * 24).default(48),
  /** How often each process decides overdue cases (passive handling, the 15-day close). 0: never. */
  AFTER_SALES_SWEEP_MS: intFrom(0, 86_400_000).default(60_000),
  /** R17 credit: a shop's score is this plus its entries. */
  CREDIT_START_SCORE: intFrom(1, 10_000).default(100),
  /** R17 credit: points deducted per case outcome. */
  CREDIT_DEDUCTIONS: creditDeductions.prefault("DESCRIPTION_MISMATCH:10,PASSIVE_HANDLING:20,LOST_ARBITRATION:15"),
  /** R17 deposits (梯度保证金): the required deposit by sales volume over DEPOSIT_SALES_PERIOD_DAYS (yuan:yuan). */
  DEPOSIT_TIERS: depositTiers.prefault("0:0,100000:2000,1000000:10000"),
  DEPOSIT_SALES_PERIOD_DAYS: intFrom(1, 365).default(30),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/, "may hold only letters, digits, ':', '_' and '-'").default("liveshelf:"),

  // Operation limits, on HTTP and WebSocket alike (src/http/limits.ts).
  LIMIT_MAX_DEPTH: intFrom(1, 100).default(10),
  LIMIT_MAX_ALIASES: intFrom(0, 1000).default(20),
  LIMIT_MAX_DIRECTIVES: intFrom(0, 1000).default(20),
  LIMIT_MAX_TOKENS: intFrom(100, 100_000).default(2000),
  LIMIT_MAX_COST: intFrom(1, 1_000_000).default(1000),
  // Leaky bucket of cost points per user (per client address when anonymous), in Redis when REDIS_URL is set.
  RATE_LIMIT_BUCKET_SIZE: intFrom(1, 1_000_000_000).default(2000),
  RATE_LIMIT_RESTORE_RATE: intFrom(1, 1_000_000_000).default(100),
  TRUST_PROXY_HOPS: intFrom(0, 10).default(0),
  PERSISTED_QUERIES: z.enum(["automatic", "allowlist"]).default("automatic"),
  OPERATIONS_MANIFEST: z.string().min(1).optional(),
  INTROSPECTION: z.enum(["auto", "everyone", "staff", "nobody"]).default("auto"),
  /** Known documents over HTTP answered without Apollo's request pipeline (src/http/fast-lane.ts). */
  HTTP_FAST_LANE: z.enum(["on", "off"]).default("on"),
  WS_INIT_TIMEOUT_MS: intFrom(100, 600_000).default(10_000),
  WS_MAX_SUBSCRIPTIONS: intFrom(1, 10_000).default(20),
  /** WebSocket connections one process holds; past it a new socket is closed with 1013 (Try Again Later). */
  WS_MAX_CONNECTIONS: intFrom(1, 1_000_000).default(50_000),
  WS_MAX_MESSAGES_PER_SECOND: intFrom(1, 100_000).default(20),
  /** Each WebSocket is pinged this often, and closed when it has not answered its previous ping. */
  WS_KEEPALIVE_MS: intFrom(1_200, 600_000).default(12_000),
  WS_ALLOWED_ORIGINS: z
    .string()
    .transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean))
    // "null" is the Origin of pages opened from files, as overlays in streaming software can be.
    .refine((list) => list.every((o) => o === "null" || /^https?:\/\/[^/\s]+$/.test(o)), "must be a comma-separated list of origins like https://shop.example.com")
    .default([]),
});

export type RawEnv = Record<string, string | undefined>;
export type Config = z.infer<typeof schema> & { mode: "embedded" | "production" };

export class ConfigError extends Error {}

/** A dependency (PostgreSQL, Redis, the port) that a starting process cannot have: one line, then exit. */
export class StartupError extends Error {}

const SECRET_VARIABLES = new Set(["JWT_SECRET"]);

/** What a refused value is shown as: never a secret, never the password inside a URL. */
function shown(key: string, value: string | undefined): string {
  if (value === undefined) return "";
  if (SECRET_VARIABLES.has(key)) return ` (got ${value.length} characters; the value is not shown)`;
  let text = value;
  try {
    const url = new URL(value);
    if (url.password) {
      url.password = "***";
      text = url.toString();
    }
  } catch {
    // not a URL: shown as it is
  }
  return ` (got ${JSON.stringify(text)})`;
}

export function loadConfig(env: RawEnv = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === "" ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}${shown(String(issue.path[0]), cleaned[String(issue.path[0])])}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const config = parsed.data;
  if (Boolean(config.DATABASE_URL) !== Boolean(config.REDIS_URL)) {
    throw new ConfigError(
      "invalid configuration:\n  DATABASE_URL and REDIS_URL: set both for production mode, or neither for the embedded default",
    );
  }
  const mode = config.DATABASE_URL ? "production" : "embedded";
  if (mode === "production" && !config.JWT_SECRET && !config.JWKS_URL) {
    throw new ConfigError(
      "invalid configuration:\n  JWKS_URL or JWT_SECRET: production mode (DATABASE_URL set) needs the identity provider's key set (JWKS_URL), a local HS256 secret (JWT_SECRET, at least 32 characters), or both",
    );
  }
  if (config.BOOTSTRAP_ADMIN_SUBJECT && !config.JWKS_URL) {
    throw new ConfigError("invalid configuration:\n  BOOTSTRAP_ADMIN_SUBJECT: names a user of the identity provider, so it needs JWKS_URL and JWT_ISSUER");
  }
  if (config.JWKS_URL && !config.JWT_ISSUER) {
    throw new ConfigError("invalid configuration:\n  JWT_ISSUER: required with JWKS_URL (the `iss` the identity provider puts in its tokens)");
  }
  if (config.RATE_LIMIT_BUCKET_SIZE < config.LIMIT_MAX_COST) {
    throw new ConfigError(
      `invalid configuration:\n  RATE_LIMIT_BUCKET_SIZE: must be at least LIMIT_MAX_COST (${config.LIMIT_MAX_COST}), or an admissible operation could never run`,
    );
  }
  if (config.REDIS_REPLY_TIMEOUT_MS <= config.REDIS_COMMAND_TIMEOUT_MS) {
    throw new ConfigError(
      `invalid configuration:\n  REDIS_REPLY_TIMEOUT_MS: must be longer than REDIS_COMMAND_TIMEOUT_MS (${config.REDIS_COMMAND_TIMEOUT_MS}): a reply comes after its command is written`,
    );
  }
  if (config.PERSISTED_QUERIES === "allowlist" && !config.OPERATIONS_MANIFEST) {
    throw new ConfigError("invalid configuration:\n  OPERATIONS_MANIFEST: required when PERSISTED_QUERIES=allowlist (a JSON manifest of the allowed operations)");
  }
  return { ...config, mode };
}

import { performance } from "node:perf_hooks";
import { LRUCache } from "lru-cache";
import { defineScript, type CommandParser } from "redis";
import type { Logger } from "../shared/logger.js";

/** Shopify's shape: what the caller's bucket holds after this operation, and how fast it refills. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface Admission {
  admitted: boolean;
  /** When refused: how long until the bucket has leaked enough for this cost. */
  retryAfterMs: number;
  status: ThrottleStatus;
}

/**
 * A leaky bucket of cost points per caller: every operation pours its cost in, the bucket leaks `restoreRate`
 * points a second, and an operation that would overflow it is refused (nothing is poured).
 */
export interface RateLimiter {
  take(key: string, cost: number): Promise<Admission>;
}

export interface BucketShape {
  size: number;
  restoreRate: number;
}

function admission(shape: BucketShape, admitted: boolean, level: number, retryAfterMs: number): Admission {
  return {
    admitted,
    retryAfterMs,
    status: { maximumAvailable: shape.size, currentlyAvailable: Math.max(0, Math.floor(shape.size - level)), restoreRate: shape.restoreRate },
  };
}

/**
 * Atomic in Redis, on Redis's own clock, so every gateway instance shares one bucket per caller whatever its
 * own clock says. The key expires once the bucket has leaked empty.
 */
const LEAKY_BUCKET = `
local size = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
level = math.max(0, level - (now - at) * rate / 1000)
if level + cost > size then
  return {0, tostring(level), tostring(math.ceil((level + cost - size) * 1000 / rate))}
end
level = level + cost
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(level * 1000 / rate) + 1000)
return {1, tostring(level), '0'}
`;

/** Given to the Redis client at its creation (`createClient({ scripts })`); node-redis sends EVALSHA, and EVAL on NOSCRIPT. */
export const RATE_LIMIT_SCRIPTS = {
  leakyBucket: defineScript({
    SCRIPT: LEAKY_BUCKET,
    NUMBER_OF_KEYS: 1,
    parseCommand(parser: CommandParser, key: string, size: number, restoreRate: number, cost: number) {
      parser.pushKey(key);
      parser.push(String(size), String(restoreRate), String(cost));
    },
    transformReply: undefined as unknown as () => [number, string, string],
  }),
};

/** A client created with RATE_LIMIT_SCRIPTS. */
export interface RateLimitRedis {
  leakyBucket(key: string, size: number, restoreRate: number, cost: number): Promise<unknown>;
}

export class RedisRateLimiter implements RateLimiter {
  private warnedAt = -Infinity;

  constructor(
    private readonly client: RateLimitRedis,
    private readonly prefix: string,
    private readonly shape: BucketShape,
    private readonly log: Logger,
  ) {}

  async take(key: string, cost: number): Promise<Admission> {
    try {
      const reply = await this.client.leakyBucket(`${this.prefix}ratelimit:${key}`, this.shape.size, this.shape.restoreRate, cost);
      const [admitted, level, retry] = reply as [number, string, string];
      return admission(this.shape, admitted === 1, Number(level), Number(retry));
    } catch (error) {
      // Fail open: an unreachable Redis must not turn into an outage of the whole API; the limits still hold.
      // Said once a minute, not once per request of an outage.
      const now = performance.now();
      if (now - this.warnedAt > 60_000) {
        this.warnedAt = now;
        this.log.warn("rate limiter unavailable; admitting", { error: (error as Error)?.message });
      }
      return admission(this.shape, true, 0, 0);
    }
  }
}

/** The embedded mode's bucket table, bounded to `maxKeys` callers: the least recently admitted is dropped first (idle that long, it has most likely leaked empty anyway). */
export class InProcessRateLimiter implements RateLimiter {
  private readonly buckets: LRUCache<string, { level: number; at: number }>;

  constructor(
    private readonly shape: BucketShape,
    maxKeys = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.buckets = new LRUCache({ max: maxKeys });
  }

  async take(key: string, cost: number): Promise<Admission> {
    const now = this.now();
    // peek: a refusal does not make the caller recent.
    const bucket = this.buckets.peek(key);
    const level = bucket ? Math.max(0, bucket.level - ((now - bucket.at) * this.shape.restoreRate) / 1000) : 0;
    if (level + cost > this.shape.size) {
      return admission(this.shape, false, level, Math.ceil(((level + cost - this.shape.size) * 1000) / this.shape.restoreRate));
    }
    this.buckets.set(key, { level: level + cost, at: now });
    return admission(this.shape, true, level + cost, 0);
  }
}

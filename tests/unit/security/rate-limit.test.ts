import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessRateLimiter, RATE_LIMIT_SCRIPTS, RedisRateLimiter } from "../../../src/http/rate-limit.js";
import { createLogger } from "../../../src/shared/logger.js";
import { REDIS_URL } from "../../support/services.js";

describe("in-process leaky bucket (embedded mode)", () => {
  it("admits until the bucket is full, refuses with the time to retry, and leaks at the restore rate", async () => {
    let now = 0;
    const limiter = new InProcessRateLimiter({ size: 100, restoreRate: 10 }, 10_000, () => now);
    expect(await limiter.take("u", 60)).toMatchObject({ admitted: true, status: { maximumAvailable: 100, currentlyAvailable: 40, restoreRate: 10 } });
    const refused = await limiter.take("u", 60);
    expect(refused).toMatchObject({ admitted: false, retryAfterMs: 2000, status: { currentlyAvailable: 40 } });
    now = 1999;
    expect((await limiter.take("u", 60)).admitted).toBe(false);
    now = 2000;
    expect(await limiter.take("u", 60)).toMatchObject({ admitted: true, status: { currentlyAvailable: 0 } });
    expect((await limiter.take("someone-else", 100)).admitted).toBe(true);
  });

  it("keeps at most maxKeys buckets", async () => {
    const limiter = new InProcessRateLimiter({ size: 10, restoreRate: 1 }, 3, () => 0);
    for (const key of ["a", "b", "c", "d"]) await limiter.take(key, 10);
    // "a" was dropped as least recently used: its bucket starts empty again.
    expect((await limiter.take("a", 10)).admitted).toBe(true);
    expect((await limiter.take("d", 10)).admitted).toBe(false);
  });
});

describe("Redis leaky bucket (production mode)", () => {
  let client: RedisClientType<{}, {}, typeof RATE_LIMIT_SCRIPTS>;
  const log = createLogger("silent");
  beforeAll(async () => {
    client = createClient({ url: REDIS_URL, scripts: RATE_LIMIT_SCRIPTS });
    await client.connect();
  });
  afterAll(() => client?.quit());

  it("is atomic: of 50 concurrent calls from many instances, exactly as many as fit are admitted", async () => {
    const prefix = `liveshelf-unit-${randomUUID()}:`;
    // Five limiters stand for five gateway instances; they share the bucket through Redis.
    const limiters = Array.from({ length: 5 }, () => new RedisRateLimiter(client, prefix, { size: 100, restoreRate: 1 }, log));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => limiters[i % 5]!.take("user:1", 10)));
    expect(results.filter((r) => r.admitted)).toHaveLength(10);
    const refused = results.find((r) => !r.admitted)!;
    expect(refused.retryAfterMs).toBeGreaterThan(9000);
    expect(refused.status).toMatchObject({ maximumAvailable: 100, restoreRate: 1 });
    expect(await client.pTTL(`${prefix}ratelimit:user:1`)).toBeGreaterThan(90_000);
  });

  it("leaks on Redis's clock and recovers when its script cache is flushed", async () => {
    const prefix = `liveshelf-unit-${randomUUID()}:`;
    const limiter = new RedisRateLimiter(client, prefix, { size: 10, restoreRate: 100 }, log);
    expect((await limiter.take("addr:1", 10)).admitted).toBe(true);
    expect((await limiter.take("addr:1", 10)).admitted).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    await client.scriptFlush();
    expect((await limiter.take("addr:1", 10)).admitted).toBe(true);
  });

  it("fails open, with a warning, when Redis cannot be reached", async () => {
    const dead = createClient({ url: "redis://127.0.0.1:1", socket: { reconnectStrategy: false }, scripts: RATE_LIMIT_SCRIPTS });
    dead.on("error", () => {});
    const warnings: string[] = [];
    const limiter = new RedisRateLimiter(dead, "x:", { size: 1, restoreRate: 1 }, Object.assign(Object.create(log), { warn: (msg: string) => warnings.push(msg) }));
    expect((await limiter.take("user:1", 100)).admitted).toBe(true);
    expect(warnings).toEqual(["rate limiter unavailable; admitting"]);
  });
});

import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ViewerCounter } from "../../../src/modules/live/viewer-counter.js";
import { createLogger, type Logger } from "../../../src/shared/logger.js";
import { REDIS_URL } from "../../support/services.js";

let redis: RedisClientType;
beforeAll(async () => {
  redis = createClient({ url: REDIS_URL });
  await redis.connect();
});
afterAll(() => redis?.quit());

/** Two instances sharing one Redis, ticked by hand; what each would send to its room's subscribers. */
function instances(prefix = `viewers-test-${randomUUID()}:`, tickMs = 60_000) {
  const make = () => {
    const sent: number[] = [];
    const counter = new ViewerCounter({ redis, prefix, tickMs, log: createLogger("silent"), onChange: (_room, viewers) => sent.push(viewers) });
    return { counter, sent };
  };
  return [make(), make()] as const;
}

describe("viewer count (real Redis)", () => {
  it("keeps counting an instance that ticks late (a busy event loop), for up to 10 s", async () => {
    const [a, b] = instances(undefined, 50);
    a.counter.set(1, 7);
    await a.counter.tick();
    b.counter.set(1, 5);
    await b.counter.tick();
    // b misses 10 ticks of 50 ms: its heartbeat still stands
    await new Promise((r) => setTimeout(r, 500));
    expect(await a.counter.total(1)).toBe(12);
    await b.counter.stop();
    expect(await a.counter.total(1)).toBe(7);
    await a.counter.stop();
  });

  it("sends every move in a small room, the total of both instances", async () => {
    const [a, b] = instances();
    a.counter.set(1, 3);
    await a.counter.tick();
    b.counter.set(1, 2);
    await b.counter.tick();
    await a.counter.tick();
    a.counter.set(1, 2);
    await a.counter.tick();
    expect(a.sent).toEqual([3, 5, 4]);
    expect(b.sent).toEqual([5]);
    await Promise.all([a.counter.stop(), b.counter.stop()]);
  });

  it("in a big room sends a move of at least 1% once ⌈N / 2000⌉ ticks have passed, a smaller one once the last count sent is 10 ticks old, and ends exact", async () => {
    const [a, b] = instances();
    a.counter.set(9, 10_000);
    await a.counter.tick();
    // the other instance's crowd joins in small steps: under 1% of the room each
    for (let n = 1; n <= 9; n++) {
      b.counter.set(9, n * 10);
      await b.counter.tick();
      await a.counter.tick();
    }
    expect(a.sent).toEqual([10_000]);
    b.counter.set(9, 100);
    await b.counter.tick();
    await a.counter.tick();
    expect(a.sent).toEqual([10_000, 10_100]);
    // a small move stands: it goes out on the 10th tick after the last count sent
    b.counter.set(9, 130);
    await b.counter.tick();
    for (let t = 1; t <= 9; t++) await a.counter.tick();
    expect(a.sent).toEqual([10_000, 10_100]);
    await a.counter.tick();
    expect(a.sent).toEqual([10_000, 10_100, 10_130]);
    // a crowd leaving at once: a room of 10,130 gets a count every 6 ticks
    a.counter.set(9, 5_000);
    for (let t = 1; t <= 5; t++) await a.counter.tick();
    expect(a.sent.at(-1)).toBe(10_130);
    await a.counter.tick();
    expect(a.sent.at(-1)).toBe(5_130);
    // growing to 6,130 (the bigger of the two counts sets the pace): 4 ticks apart
    a.counter.set(9, 6_000);
    for (let t = 1; t <= 3; t++) await a.counter.tick();
    expect(a.sent.at(-1)).toBe(5_130);
    await a.counter.tick();
    expect(a.sent.at(-1)).toBe(6_130);
    await Promise.all([a.counter.stop(), b.counter.stop()]);
  });

  it("starts over for a room its last local subscriber left", async () => {
    const [a] = instances();
    a.counter.set(4, 1_000);
    await a.counter.tick();
    a.counter.set(4, 0);
    await a.counter.tick();
    a.counter.set(4, 1_001);
    await a.counter.tick();
    expect(a.sent).toEqual([1_000, 1_001]);
    await a.counter.stop();
  });

  it("logs failing ticks once, then once a minute at most, and says when they succeed again", async () => {
    // A client not connected yet: every command fails at once ("The client is closed"), as while Redis is away.
    const offline = createClient({ url: REDIS_URL }) as RedisClientType;
    const logged: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const quiet = createLogger("silent");
    const recording = (): Logger =>
      Object.assign(Object.create(quiet) as Logger, {
        warn: (msg: string, fields?: Record<string, unknown>) => void logged.push({ level: "warn", msg, fields }),
        info: (msg: string, fields?: Record<string, unknown>) => void logged.push({ level: "info", msg, fields }),
        child: () => recording(),
      });
    const counter = new ViewerCounter({ redis: offline, prefix: `viewers-test-${randomUUID()}:`, tickMs: 10, log: recording(), onChange: () => {} });
    counter.set(1, 3);
    counter.start();
    try {
      await new Promise((r) => setTimeout(r, 500));
      // ~50 failed ticks (at least a few even on a stalled event loop), one line
      expect(logged.map((l) => l.msg)).toEqual(["viewer count tick failed; counts are local until it succeeds"]);
      await offline.connect();
      const deadline = Date.now() + 5_000;
      while (!logged.some((l) => l.level === "info") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const back = logged.find((l) => l.level === "info");
      expect(back?.msg).toBe("viewer count ticks succeed again");
      expect(back?.fields?.failedTicks).toBeGreaterThanOrEqual(2);
      expect(logged).toHaveLength(2);
      expect(await counter.total(1)).toBe(3);
    } finally {
      await counter.stop();
      if (offline.isOpen) await offline.quit();
    }
  });
});

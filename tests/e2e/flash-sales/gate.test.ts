import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATE_SCRIPTS, InProcessGate, RedisGate, type AdmissionGate } from "../../../src/modules/flash-sales/flash-sale.gate.js";
import { REDIS_URL } from "../../support/services.js";

let redis: RedisClientType<{}, {}, typeof GATE_SCRIPTS>;
beforeAll(async () => {
  redis = createClient({ url: REDIS_URL, scripts: GATE_SCRIPTS });
  await redis.connect();
});
afterAll(() => redis?.quit());

const gates: [string, () => AdmissionGate][] = [
  ["in-process", () => new InProcessGate()],
  ["redis", () => new RedisGate(redis, `gate-test-${randomUUID()}:`)],
];

describe.each(gates)("admission gate (%s)", (_name, make) => {
  const state = (remaining: number) => ({ remaining, buyers: new Map<number, number>(), keys: new Set<string>(), expiresAt: new Date(Date.now() + 60_000) });

  it("admits until sold out, holds per-buyer limits and spots repeated keys", async () => {
    const gate = make();
    expect(await gate.admit(1, 10, "a", 1, 2, "lease-10-a")).toBe("NO_GATE");
    await gate.load(1, state(3));
    expect(await gate.admit(1, 10, "a", 2, 2, "lease-10-a")).toBe("OK");
    expect(await gate.admit(1, 10, "a", 1, 2, "lease-10-a")).toBe("DUPLICATE");
    expect(await gate.admit(1, 10, "b", 1, 2, "lease-10-b")).toBe("LIMIT_REACHED");
    expect(await gate.admit(1, 11, "a", 2, 2, "lease-11-a")).toBe("NOT_ENOUGH_UNITS");
    expect(await gate.admit(1, 11, "a", 1, 2, "lease-11-a")).toBe("OK");
    expect(await gate.admit(1, 12, "a", 1, 2, "lease-12-a")).toBe("SOLD_OUT");
    expect(await gate.remaining(1)).toBe(0);
  });

  it("gives units back on release, and frees the key only when asked", async () => {
    const gate = make();
    await gate.load(2, state(1));
    expect(await gate.admit(2, 10, "k", 1, 1, "l1")).toBe("OK");
    await gate.release(2, 10, "k", 1, false, "l1");
    expect(await gate.remaining(2)).toBe(1);
    expect(await gate.admit(2, 10, "k", 1, 1, "l2")).toBe("DUPLICATE");
    expect(await gate.admit(2, 10, "j", 1, 1, "l3")).toBe("OK");
    await gate.release(2, 10, "j", 1, true, "l3");
    expect(await gate.admit(2, 10, "j", 1, 1, "l4")).toBe("OK");
    await gate.drop(2);
    expect(await gate.admit(2, 11, "k", 1, 1, "l5")).toBe("NO_GATE");
  });

  it("never admits more than the units under concurrency", async () => {
    const gate = make();
    await gate.load(3, state(50));
    const verdicts = await Promise.all(Array.from({ length: 500 }, (_, i) => gate.admit(3, i, "k", 1, 1, `lease-${i}`)));
    expect(verdicts.filter((v) => v === "OK")).toHaveLength(50);
    expect(await gate.remaining(3)).toBe(0);
  });

  it("is rebuilt from the ledger's buyers and keys", async () => {
    const gate = make();
    await gate.load(4, { remaining: 5, buyers: new Map([[10, 2]]), keys: new Set(["10:old"]), expiresAt: new Date(Date.now() + 60_000) });
    expect(await gate.admit(4, 10, "old", 1, 5, "lease-10-old")).toBe("DUPLICATE");
    expect(await gate.admit(4, 10, "new", 1, 2, "lease-10-new")).toBe("LIMIT_REACHED");
  });
});

describe("admission leases (redis)", () => {
  const state = (remaining: number) => ({ remaining, buyers: new Map<number, number>(), keys: new Set<string>(), expiresAt: new Date(Date.now() + 60_000) });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("lets survivors take back an admission whose holder died, with its key", async () => {
    const gate = new RedisGate(redis, `gate-test-${randomUUID()}:`, 100);
    await gate.load(7, state(2));
    expect(await gate.admit(7, 10, "a:b", 1, 1, "dead")).toBe("OK");
    expect(await gate.admit(7, 11, "x", 1, 1, "alive")).toBe("OK");
    expect(await gate.expired(7)).toEqual([]);
    await gate.settle(7, 11, "x", 1, "alive");
    await pause(150);
    expect(await gate.expired(7)).toEqual([{ lease: "dead", buyerId: 10, idempotencyKey: "a:b", quantity: 1 }]);
    await gate.expire(7, { lease: "dead", buyerId: 10, idempotencyKey: "a:b", quantity: 1 }, false);
    expect(await gate.remaining(7)).toBe(1);
    expect(await gate.expired(7)).toEqual([]);
    // The key is free again: the buyer's retry is admitted, not told DUPLICATE / IN_PROGRESS for ever.
    expect(await gate.admit(7, 10, "a:b", 1, 1, "retry")).toBe("OK");
    // A late release of the expired lease gives nothing back twice.
    await gate.release(7, 10, "a:b", 1, true, "dead");
    expect(await gate.remaining(7)).toBe(0);
  });

  it("keeps the units of an expired admission whose order the ledger has, and re-takes them if a slow commit settles late", async () => {
    const gate = new RedisGate(redis, `gate-test-${randomUUID()}:`, 100);
    await gate.load(8, state(3));
    expect(await gate.admit(8, 10, "committed", 1, 1, "c")).toBe("OK");
    expect(await gate.admit(8, 11, "slow", 1, 1, "s")).toBe("OK");
    await pause(150);
    const expired = await gate.expired(8);
    expect(expired).toHaveLength(2);
    for (const lease of expired) await gate.expire(8, lease, lease.lease === "c");
    expect(await gate.remaining(8)).toBe(2);
    expect(await gate.admit(8, 10, "committed", 1, 1, "again")).toBe("DUPLICATE");
    await gate.settle(8, 11, "slow", 1, "s");
    expect(await gate.remaining(8)).toBe(1);
    expect(await gate.admit(8, 11, "slow", 1, 1, "again")).toBe("DUPLICATE");
  });
});

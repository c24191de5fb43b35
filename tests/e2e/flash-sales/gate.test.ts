import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessGate, RedisGate, type AdmissionGate } from "../../../src/modules/flash-sales/flash-sale.gate.js";
import { REDIS_URL } from "../../support/services.js";

let redis: RedisClientType;
beforeAll(async () => {
  redis = createClient({ url: REDIS_URL });
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
    expect(await gate.admit(1, 10, "a", 1, 2)).toBe("NO_GATE");
    await gate.load(1, state(3));
    expect(await gate.admit(1, 10, "a", 2, 2)).toBe("OK");
    expect(await gate.admit(1, 10, "a", 1, 2)).toBe("DUPLICATE");
    expect(await gate.admit(1, 10, "b", 1, 2)).toBe("LIMIT_REACHED");
    expect(await gate.admit(1, 11, "a", 2, 2)).toBe("NOT_ENOUGH_UNITS");
    expect(await gate.admit(1, 11, "a", 1, 2)).toBe("OK");
    expect(await gate.admit(1, 12, "a", 1, 2)).toBe("SOLD_OUT");
    expect(await gate.remaining(1)).toBe(0);
  });

  it("gives units back on release, and frees the key only when asked", async () => {
    const gate = make();
    await gate.load(2, state(1));
    expect(await gate.admit(2, 10, "k", 1, 1)).toBe("OK");
    await gate.release(2, 10, "k", 1, false);
    expect(await gate.remaining(2)).toBe(1);
    expect(await gate.admit(2, 10, "k", 1, 1)).toBe("DUPLICATE");
    await gate.release(2, 10, "k", 0, true);
    expect(await gate.admit(2, 10, "k", 1, 1)).toBe("OK");
    await gate.drop(2);
    expect(await gate.admit(2, 11, "k", 1, 1)).toBe("NO_GATE");
  });

  it("never admits more than the units under concurrency", async () => {
    const gate = make();
    await gate.load(3, state(50));
    const verdicts = await Promise.all(Array.from({ length: 500 }, (_, i) => gate.admit(3, i, "k", 1, 1)));
    expect(verdicts.filter((v) => v === "OK")).toHaveLength(50);
    expect(await gate.remaining(3)).toBe(0);
  });

  it("is rebuilt from the ledger's buyers and keys", async () => {
    const gate = make();
    await gate.load(4, { remaining: 5, buyers: new Map([[10, 2]]), keys: new Set(["10:old"]), expiresAt: new Date(Date.now() + 60_000) });
    expect(await gate.admit(4, 10, "old", 1, 5)).toBe("DUPLICATE");
    expect(await gate.admit(4, 10, "new", 1, 2)).toBe("LIMIT_REACHED");
  });
});

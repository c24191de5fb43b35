import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATE_SCRIPTS, RedisGate, type GateRedis } from "../../src/modules/flash-sales/flash-sale.gate.js";
import { sleep, waitFor } from "./support/cluster.js";
import { startRedis, type PrivateRedis } from "./support/servers.js";

const REPLY_TIMEOUT_MS = 500;

/** A client set up as the gateway's (src/realtime/redis-bus.ts), with a short reply deadline; its errors are collected. */
async function connect(redis: PrivateRedis) {
  const errors: Error[] = [];
  const client = createClient({
    url: redis.url,
    scripts: GATE_SCRIPTS,
    disableOfflineQueue: true,
    commandOptions: { timeout: 200 },
    replyTimeout: REPLY_TIMEOUT_MS,
    socket: { reconnectStrategy: () => 50 },
  });
  client.on("error", (error: Error) => errors.push(error));
  await client.connect();
  return { client, errors };
}

/** How a command ended, and after how long. */
async function outcome(command: Promise<unknown>): Promise<{ value?: unknown; error?: string; ms: number }> {
  const started = performance.now();
  try {
    const value = await command;
    return { value, ms: performance.now() - started };
  } catch (error) {
    return { error: (error as Error).constructor.name, ms: performance.now() - started };
  }
}

/**
 * node-redis as installed, with patches/@redis+client+6.3.1.patch: its command timeout ends once a command is
 * written, and the patch's reply deadline (`replyTimeout`) covers the rest. Without it the first case waits for ever.
 */
describe("the redis client when Redis hangs with its connection open", () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    redis?.resume();
    await redis?.destroy();
  });

  it("gives up on a written command after the reply deadline, fails at once while Redis stays hung, and is back after SIGCONT", async () => {
    const { client, errors } = await connect(redis);
    try {
      await client.set("k", "1");
      redis.pause();
      const written = await outcome(client.get("k"));
      const next = await outcome(client.get("k"));
      await sleep(REPLY_TIMEOUT_MS * 2);
      const later = await outcome(client.get("k"));
      redis.resume();
      const backMs = await waitFor(() => client.isReady, 5000, "the client ready again");
      // Replies are matched to their commands again: nothing given up on is answered to a later caller.
      const after = await Promise.all([client.incr("n"), client.get("k"), client.incr("n")]);

      expect(written.error).toBe("SocketTimeoutError");
      expect(written.ms).toBeGreaterThanOrEqual(REPLY_TIMEOUT_MS - 5);
      expect(written.ms).toBeLessThan(REPLY_TIMEOUT_MS + 1000);
      // The connection was closed: until Redis answers the new one's handshake, commands fail at once.
      expect(next.error).toBe("ClientOfflineError");
      expect(next.ms).toBeLessThan(100);
      expect(later.error).toBe("ClientOfflineError");
      expect(later.ms).toBeLessThan(100);
      expect(after).toEqual([1, "1", 2]);
      expect(errors.some((e) => e.constructor.name === "SocketTimeoutError")).toBe(true);
      console.info(`[faults] redis client, Redis stopped: written command given up after ${Math.round(written.ms)} ms (replyTimeout ${REPLY_TIMEOUT_MS}), next ones in ${Math.round(next.ms)} / ${Math.round(later.ms)} ms; ready again ${backMs} ms after SIGCONT`);
    } finally {
      client.destroy();
    }
  });

  it("does not give up on a reply that came while the event loop was busy past the deadline", async () => {
    const { client, errors } = await connect(redis);
    try {
      await client.set("busy", "ok");
      const reply = client.get("busy");
      // The command is written on the next turn of the loop; then the loop is held past the deadline while the
      // reply waits in the socket. The timer runs before the socket is read; the patch looks again after the read.
      await new Promise((resolve) => setImmediate(resolve));
      const until = performance.now() + REPLY_TIMEOUT_MS * 3;
      while (performance.now() < until) {
        // busy
      }
      expect(await outcome(reply)).toMatchObject({ value: "ok" });
      expect(client.isReady).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it("may still run a command it gave up on once Redis moves: a gate admission left so expires and gives its units back", async () => {
    const { client } = await connect(redis);
    const gate = new RedisGate(client as unknown as GateRedis, "driver:", 300);
    try {
      await gate.load(1, { remaining: 5, buyers: new Map(), keys: new Set(), expiresAt: new Date(Date.now() + 3600_000) });
      // One admission settled first, so Redis knows the script and the next EVALSHA runs (a NOSCRIPT would run nothing).
      expect(await gate.admit(1, 7, "key-0", 1, 2, "lease-0")).toBe("OK");
      await gate.settle(1, 7, "key-0", 1, "lease-0");
      redis.pause();
      const admitted = await outcome(gate.admit(1, 42, "key-1", 2, 2, "lease-1"));
      // Released by the caller on its way out (as OrderService does on a failure): fails at once, Redis is still hung.
      const released = await outcome(gate.release(1, 42, "key-1", 2, true, "lease-1"));
      redis.resume();
      await waitFor(() => client.isReady, 5000, "the client ready again");
      // Redis read the admission written before the deadline and ran it: its units are held by the lease.
      const held = await gate.remaining(1);
      await waitFor(async () => (await gate.expired(1)).length === 1, 5000, "the lease expired");
      const [lease] = await gate.expired(1);
      // What the sweep does: the ledger has no order for the key, so the units and the key go back.
      await gate.expire(1, lease!, false);
      const again = await gate.admit(1, 42, "key-1", 2, 2, "lease-2");

      expect(admitted.error).toBe("SocketTimeoutError");
      expect(released.error).toBe("ClientOfflineError");
      expect(held).toBe(2);
      expect(lease).toMatchObject({ lease: "lease-1", buyerId: 42, idempotencyKey: "key-1", quantity: 2 });
      expect(again).toBe("OK");
      expect(await gate.remaining(1)).toBe(2);
    } finally {
      client.destroy();
    }
  });
});

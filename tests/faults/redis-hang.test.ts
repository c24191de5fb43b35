import { eq } from "drizzle-orm";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashSales, orders, products } from "../../src/db/schema/index.js";
import { idOf } from "../../src/shared/ids.js";
import { buildUsers } from "../support/builders.js";
import { FlashSaleDocument, PlaceOrderDocument } from "../support/generated/graphql.js";
import type { GatewayProcess } from "../support/process.js";
import { liveSale } from "../support/scenarios.js";
import { alive, durationsBetween, expectRefusalBounds, gql, readyz, REFUSAL_BOUND_MS, serverDurations, sleep, startCluster, waitFor, type FaultCluster, type Reply } from "./support/cluster.js";

/** REDIS_REPLY_TIMEOUT_MS's default: the gateway below runs with it. */
const REPLY_TIMEOUT_MS = 2000;
/** How long the test waits for an answer before it calls the request held (the code before the reply deadline held it until SIGCONT). */
const HELD_MS = 10_000;

/** The reply, or null when none came within HELD_MS (the request is left to finish on its own). */
async function bounded(request: Promise<Reply>): Promise<Reply | null> {
  let timer: NodeJS.Timeout | undefined;
  const held = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), HELD_MS)));
  try {
    return await Promise.race([request, held]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Redis hangs with its connections open (SIGSTOP: the kernel keeps completing connections and buffering what is
 * written; nothing is answered). Without a reply deadline every request waited for the rate limit's reply until
 * Redis moved again. With one: the requests whose commands were already written get their answers within
 * REDIS_REPLY_TIMEOUT_MS (the rate limit fails open, the gate refuses with UNAVAILABLE), the connection is closed,
 * and while Redis stays hung the next requests are answered at once, as when Redis is down. After SIGCONT the same
 * process serves again and the sale sells out exactly.
 */
describe("Redis hung with its connections open", () => {
  let c: FaultCluster;
  let g: GatewayProcess;
  beforeAll(async () => {
    c = await startCluster();
    g = await c.spawn();
  });
  afterAll(async () => {
    c?.redis.resume();
    await c?.close();
  });

  it("answers within the reply deadline (rate limit open, orders UNAVAILABLE, nothing taken), then at once, and sells out exactly after SIGCONT", async () => {
    const UNITS = 10;
    const s = await liveSale(c.api(g), { units: UNITS, limit: 1, stock: UNITS });
    const saleId = idOf("FlashSale", s.flashSaleId!);
    const buyers = await buildUsers(c.database.db, "BUYER", 16);
    const tokens = await Promise.all(buyers.map((u) => c.tokens.mint(u.id, "BUYER" as never)));
    const buy = (i: number) => gql(g.url, PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: `k-${i}` } }, tokens[i]);
    const read = (i: number) => gql(g.url, FlashSaleDocument, { id: s.flashSaleId }, tokens[i]);
    const before = await Promise.all([0, 1, 2].map(buy));
    expect(before.every((r) => r.body.data?.placeOrder.order)).toBe(true);
    const [stockBefore] = await c.database.db.select({ stock: products.stock }).from(products).where(eq(products.id, s.product.id));

    c.redis.pause();
    // First wave, at once: their rate-limit commands are written to the hung Redis and wait for the reply deadline.
    const first = await Promise.all([...[3, 4, 5, 6].map((i) => bounded(buy(i))), ...[0, 1].map((i) => bounded(read(i)))]);
    const firstOrders = first.slice(0, 4);
    const firstReads = first.slice(4);
    // Then, with the connection closed and Redis still hung: answered at once, as when Redis is down.
    const metricsBefore = [await serverDurations(g)];
    const refused: (Reply | null)[] = [];
    const reads: (Reply | null)[] = [];
    for (let round = 0; round < 3; round++) {
      refused.push(...(await Promise.all([7, 8, 9, 10, 11, 12].map((i) => bounded(buy(i))))));
      reads.push(...(await Promise.all([0, 1].map((i) => bounded(read(i))))));
      await sleep(300);
    }
    const metricsAfter = [await serverDurations(g)];
    const ready = await readyz(g);
    const [saleDuring] = await c.database.db.select().from(flashSales).where(eq(flashSales.id, saleId));
    const ordersDuring = await c.database.db.select().from(orders).where(eq(orders.flashSaleId, saleId));
    const [stockDuring] = await c.database.db.select({ stock: products.stock }).from(products).where(eq(products.id, s.product.id));

    const waits = [...first, ...refused, ...reads].map((r) => (r ? Math.round(r.ms) : "held"));
    for (const r of [...firstOrders, ...refused]) {
      expect(r, `answers in ms: ${waits.join(", ")}`).not.toBeNull();
      expect(r!.status, JSON.stringify(r!.body)).toBe(503);
      expect(r!.code).toBe("UNAVAILABLE");
      expect(r!.retryAfter).toBe("1");
    }
    for (const r of [...firstReads, ...reads]) {
      // Every request takes the rate limit first: it failed open, and the read (PostgreSQL only) was served.
      expect(r, `answers in ms: ${waits.join(", ")}`).not.toBeNull();
      expect(r!.status).toBe(200);
      expect(r!.body.data?.flashSale).toMatchObject({ soldUnits: 3, status: "RUNNING" });
    }
    // The first wave waited for the reply deadline, not more (margin for a loaded machine).
    for (const r of first) expect(r!.ms).toBeLessThan(REPLY_TIMEOUT_MS + 1500);
    const bounds = expectRefusalBounds(durationsBetween(metricsBefore, metricsAfter), [...refused, ...reads].map((r) => r!.ms), expect);
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(REFUSAL_BOUND_MS);
    // Nothing was taken while Redis hung: no order, no unit, no stock.
    expect(ordersDuring).toHaveLength(3);
    expect(saleDuring).toMatchObject({ soldUnits: 3, status: "RUNNING" });
    expect(stockDuring).toEqual(stockBefore);

    // The subscriber's PING meets the deadline too: it connects again when Redis answers, and the gates and rooms are
    // rebuilt from the ledger as after an outage.
    await waitFor(() => /"connection":"subscriber"[^\n]*"msg":"redis connection lost"/.test(g.output()), 5000, "the subscriber's connection given up");

    c.redis.resume();
    const backMs = await waitFor(async () => (await readyz(g)).status === 200, 15_000, "the gateway ready again");
    // Every buyer (those refused above retry with the same keys) until each has an answer that is not IN_PROGRESS.
    const answers = new Map<number, Reply>();
    let inProgress = 0;
    await waitFor(
      async () => {
        const pending = Array.from({ length: buyers.length - 3 }, (_, i) => i + 3).filter((i) => !answers.has(i));
        const replies = await Promise.all(pending.map(buy));
        replies.forEach((r, k) => {
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          if (r.body.data?.placeOrder.userErrors?.[0]?.code === "IN_PROGRESS") inProgress++;
          else answers.set(pending[k]!, r);
        });
        return answers.size === buyers.length - 3;
      },
      20_000,
      "every buyer answered",
    );
    const after = [...answers.values()];
    const accepted = [...before, ...after].filter((r) => r.body.data.placeOrder.order).map((r) => idOf("Order", r.body.data.placeOrder.order.id));
    const soldOut = after.filter((r) => r.body.data.placeOrder.userErrors?.[0]?.code === "SOLD_OUT");
    const rows = await c.database.db.select().from(orders).where(eq(orders.flashSaleId, saleId));
    const [sale] = await c.database.db.select().from(flashSales).where(eq(flashSales.id, saleId));
    expect(accepted).toHaveLength(UNITS);
    expect(soldOut).toHaveLength(buyers.length - UNITS);
    expect(new Set(accepted)).toEqual(new Set(rows.map((o) => o.id)));
    expect(rows).toHaveLength(UNITS);
    expect(new Set(rows.map((o) => o.buyerId)).size).toBe(UNITS);
    expect(sale).toMatchObject({ soldUnits: UNITS, status: "SOLD_OUT" });

    // No admission is left holding units in the gate (a lease written before the deadline would expire and be swept).
    const redis = createClient({ url: c.redis.url });
    await redis.connect();
    try {
      const tag = `liveshelf:{fs:${saleId}}`;
      await waitFor(async () => (await redis.zCard(`${tag}:leases`)) === 0, 15_000, "no lease left in the gate");
      expect(await redis.get(`${tag}:remaining`)).toBe("0");
    } finally {
      redis.destroy();
    }
    expect(alive(g)).toBe(true);
    console.info(
      `[faults] redis hung (SIGSTOP): first wave answered in ${first.map((r) => (r ? Math.round(r.ms) : "held")).join("/")} ms (reply deadline ${REPLY_TIMEOUT_MS} ms), then ${bounds}; readyz ${Math.round(ready.ms)} ms; ready again ${backMs} ms after SIGCONT; ${inProgress} IN_PROGRESS retries; ${accepted.length} accepted = ${rows.length} orders = ${sale!.soldUnits} sold`,
    );
  }, 120_000);
});

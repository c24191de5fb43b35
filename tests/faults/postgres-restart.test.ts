import { eq } from "drizzle-orm";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashSales, orders } from "../../src/db/schema/index.js";
import { idOf } from "../../src/shared/ids.js";
import { buildUsers } from "../support/builders.js";
import { FlashSaleInventoryDocument, PlaceOrderDocument } from "../support/generated/graphql.js";
import type { GatewayProcess } from "../support/process.js";
import { liveSale } from "../support/scenarios.js";
import { alive, durationsBetween, expectRefusalBounds, gql, overlay, readyz, serverDurations, sleep, startCluster, waitFor, type FaultCluster, type Reply } from "./support/cluster.js";

/**
 * Issue 10, case 1: `pg_ctl stop -m fast` under a flash-sale load on two gateway processes, a few seconds down,
 * then started again. No process dies; while PostgreSQL is away buyers get UNAVAILABLE (503, Retry-After) within
 * a second and retry; afterwards the same processes sell the rest, and every overlay ends on the ledger's state.
 */
describe("PostgreSQL restarted under load", () => {
  let c: FaultCluster;
  let a: GatewayProcess;
  let b: GatewayProcess;
  beforeAll(async () => {
    c = await startCluster();
    [a, b] = await Promise.all([c.spawn(), c.spawn()]);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("keeps both processes alive, refuses fast while down, and sells every unit exactly once after", async () => {
    const UNITS = 120;
    const s = await liveSale(c.api(a), { units: UNITS, limit: 1, stock: UNITS });
    const saleId = idOf("FlashSale", s.flashSaleId!);
    const buyers = await buildUsers(c.database.db, "BUYER", 200);
    const tokens = await Promise.all(buyers.map((u) => c.tokens.mint(u.id, "BUYER" as never)));
    const inventory = print(FlashSaleInventoryDocument);
    const overlays = Array.from({ length: 6 }, () => overlay(a.url.replace("http", "ws"), s.liveSessionId, inventory));
    await waitFor(() => overlays.every((o) => o.last !== null), 15_000, "overlays' first snapshot");

    const replies: (Reply & { sent: number; at: number })[] = [];
    let down: { from: number; to: number } | null = null;
    const buy = async (i: number) => {
      await sleep(i * 30);
      const gateway = i % 2 ? a : b;
      for (let attempt = 0; attempt < 60; attempt++) {
        const sent = Date.now();
        const reply = await gql(gateway.url, PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: `k-${i}` } }, tokens[i]).catch(
          (error) => ({ status: 0, retryAfter: null, body: { errors: [{ message: String(error) }] }, ms: 0, code: "NETWORK" }) as Reply,
        );
        replies.push({ ...reply, sent, at: Date.now() });
        if (reply.status !== 503) return reply;
        // As a well-behaved client does: Retry-After, with jitter so the retries do not arrive as one burst.
        await sleep(Number(reply.retryAfter ?? 1) * 1000 + Math.random() * 1000);
      }
      return null;
    };
    const load = Promise.all(buyers.map((_, i) => buy(i)));

    await sleep(1500);
    c.pg.stop();
    down = { from: Date.now(), to: 0 };
    // Overlays that (re)subscribe while PostgreSQL is away, on the process whose room is not loaded yet.
    const late = Array.from({ length: 4 }, () => overlay(b.url.replace("http", "ws"), s.liveSessionId, inventory));
    await sleep(500);
    const ready = await Promise.all([readyz(a), readyz(b)]);
    const health = await fetch(new URL("/healthz", a.url));
    // Requests in flight while PostgreSQL was shutting down finish (or fail) first; the gateways' histograms then
    // count only requests that arrived with PostgreSQL away.
    await sleep(1000);
    const before = await Promise.all([serverDurations(a), serverDurations(b)]);
    await sleep(2500);
    const after = await Promise.all([serverDurations(a), serverDurations(b)]);
    c.pg.start();
    down.to = Date.now();
    const results = await load;

    expect(alive(a) && alive(b)).toBe(true);
    for (const r of ready) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(1000);
    }
    expect(health.status).toBe(200);
    // Requests sent while PostgreSQL was away (those in flight when it stopped finish or fail with it).
    const during = replies.filter((r) => r.sent > down!.from && r.at < down!.to);
    expect(during.length).toBeGreaterThan(10);
    for (const r of during) {
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.code).toBe("UNAVAILABLE");
      expect(r.retryAfter).toBe("1");
    }
    const bounds = expectRefusalBounds(durationsBetween(before, after), during.map((r) => r.ms), expect);
    expect(replies.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
    expect(replies.filter((r) => r.code && !["UNAVAILABLE"].includes(r.code))).toEqual([]);

    const accepted = results.filter((r) => r?.body.data?.placeOrder.order).map((r) => idOf("Order", r!.body.data.placeOrder.order.id));
    const refused = results.filter((r) => r?.body.data?.placeOrder.userErrors.length).map((r) => r!.body.data.placeOrder.userErrors[0].code);
    expect(results.every((r) => r !== null)).toBe(true);
    expect(new Set(refused)).toEqual(new Set(["SOLD_OUT"]));
    const rows = await c.database.db.select().from(orders).where(eq(orders.flashSaleId, saleId));
    const [sale] = await c.database.db.select().from(flashSales).where(eq(flashSales.id, saleId));
    expect(sale).toMatchObject({ soldUnits: UNITS, status: "SOLD_OUT" });
    expect(rows).toHaveLength(UNITS);
    expect(new Set(accepted)).toEqual(new Set(rows.map((o) => o.id)));

    const all = [...overlays, ...late];
    await waitFor(
      () => all.every((o) => o.last?.sales[0]?.status === "SOLD_OUT" && o.last.sales[0].soldUnits === UNITS && o.last.sales[0].remainingUnits === 0),
      15_000,
      "every overlay on the ledger's final state",
    );
    expect(late.some((o) => o.resubscribed > 0)).toBe(true);
    await Promise.all(all.map((o) => o.stop()));
    console.info(
      `[faults] postgres restart: ${replies.length} replies, ${during.length} refused while down (${bounds}), readyz ${ready.map((r) => Math.round(r.ms)).join("/")} ms, ${accepted.length} accepted = ${rows.length} orders = ${sale!.soldUnits} sold, ${late.reduce((n, o) => n + o.resubscribed, 0)} resubscriptions`,
    );
  }, 120_000);
});

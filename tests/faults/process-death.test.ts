import { eq } from "drizzle-orm";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashSales, orders } from "../../src/db/schema/index.js";
import { idOf } from "../../src/shared/ids.js";
import { buildUsers } from "../support/builders.js";
import { PlaceOrderDocument } from "../support/generated/graphql.js";
import type { GatewayProcess } from "../support/process.js";
import { liveSale } from "../support/scenarios.js";
import { alive, gql, sleep, startCluster, waitFor, type FaultCluster, type Reply } from "./support/cluster.js";

/**
 * Issue 10, case 3: `kill -9` of one of two gateways mid-sale. Its admissions in the Redis gate (units and
 * idempotency keys of orders it never committed) hold leases; the survivor takes them back once they expire, so
 * every unit is sold in the end and every buyer's retry with the same key gets a real answer.
 */
describe("a gateway process killed mid-sale", () => {
  let c: FaultCluster;
  let victim: GatewayProcess;
  let survivor: GatewayProcess;
  const LEASE_MS = 3000;
  beforeAll(async () => {
    c = await startCluster();
    [victim, survivor] = await Promise.all([c.spawn({ GATE_LEASE_MS: String(LEASE_MS) }), c.spawn({ GATE_LEASE_MS: String(LEASE_MS) })]);
    // Commits of this suite's orders take a while, so the kill finds admissions in flight, every run.
    await c.database.db.execute(`
      create or replace function faults_slow_orders() returns trigger language plpgsql as $$
      begin perform pg_sleep(0.3); return null; end $$;
      create trigger faults_slow_orders after insert on orders for each statement execute function faults_slow_orders();
    ` as never);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("returns the dead process's admissions within the lease, sells every unit and resolves every retried key", async () => {
    const UNITS = 60;
    const s = await liveSale(c.api(survivor), { units: UNITS, limit: 1, stock: UNITS });
    const saleId = idOf("FlashSale", s.flashSaleId!);
    const buyers = await buildUsers(c.database.db, "BUYER", 120);
    const tokens = await Promise.all(buyers.map((u) => c.tokens.mint(u.id, "BUYER" as never)));
    const order = (gateway: GatewayProcess, i: number) =>
      gql(gateway.url, PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: `k-${i}` } }, tokens[i]).catch(() => null);

    // The first 40 buyers go to the victim; it dies while their orders are in flight.
    const inFlight = Array.from({ length: 40 }, (_, i) => order(victim, i));
    // Kill it while a batch of its orders is being committed (admitted in the gate, not yet in the ledger).
    await waitFor(async () => {
      const rows = await c.database.db.execute(`select 1 from pg_stat_activity where wait_event = 'PgSleep'` as never);
      return (rows as unknown as unknown[]).length > 0;
    }, 20_000, "a batch of orders being committed");
    victim.child.kill("SIGKILL");
    await victim.exited;
    const killedAt = Date.now();
    // The dead process's admissions, as the gate holds them (the survivor has had no request yet).
    const redis = createClient({ url: c.redis.url });
    await redis.connect();
    const leasesKey = `liveshelf:{fs:${saleId}}:leases`;
    const dead = await redis.zRange(leasesKey, 0, -1);
    expect(dead.length).toBeGreaterThan(0);
    const stranded = UNITS - Number(await redis.get(`liveshelf:{fs:${saleId}}:remaining`));
    const first = await Promise.all(inFlight);
    const lost = first.filter((r) => r === null).length;
    expect(lost).toBeGreaterThan(0);

    // Those buyers retry on the survivor with the same keys until they get a real answer.
    const retry = async (i: number) => {
      for (;;) {
        const reply = (await order(survivor, i)) as Reply;
        const payload = reply.body.data?.placeOrder;
        if (payload?.order || (payload?.userErrors[0] && payload.userErrors[0].code !== "IN_PROGRESS")) return { reply, at: Date.now() };
        expect(Date.now() - killedAt).toBeLessThan(15_000);
        await sleep(250);
      }
    };
    const retrying = Promise.all(Array.from({ length: 40 }, (_, i) => retry(i)));
    const reclaimedMs = await waitFor(async () => (await Promise.all(dead.map((l) => redis.zScore(leasesKey, l)))).every((score) => score === null), 10_000, "the dead process's leases to be taken back");
    await redis.quit();
    const retried = await retrying;
    const resolvedWithin = Math.max(...retried.map((r) => r.at - killedAt));
    // Then the other 80 buyers, on the survivor, buy what is left.
    const rest = await Promise.all(Array.from({ length: 80 }, (_, i) => order(survivor, 40 + i)));

    expect(alive(survivor)).toBe(true);
    const replies = [...retried.map((r) => r.reply), ...(rest as Reply[])];
    expect(replies.every((r) => r && r.status === 200 && !r.body.errors)).toBe(true);
    const accepted = replies.filter((r) => r.body.data.placeOrder.order).map((r) => idOf("Order", r.body.data.placeOrder.order.id));
    const refused = replies.filter((r) => !r.body.data.placeOrder.order).map((r) => r.body.data.placeOrder.userErrors[0].code);
    const rows = await c.database.db.select().from(orders).where(eq(orders.flashSaleId, saleId));
    const [sale] = await c.database.db.select().from(flashSales).where(eq(flashSales.id, saleId));
    expect(sale).toMatchObject({ soldUnits: UNITS, status: "SOLD_OUT" });
    expect(rows).toHaveLength(UNITS);
    expect(new Set(accepted)).toEqual(new Set(rows.map((o) => o.id)));
    expect(new Set(refused)).toEqual(new Set(["SOLD_OUT"]));
    // Nothing is left admitted in the gate once the leases are settled or expired.
    await waitFor(async () => (await c.database.db.select().from(flashSales).where(eq(flashSales.id, saleId)))[0]!.soldUnits === UNITS, 5000, "ledger");
    expect(resolvedWithin).toBeLessThan(15_000);
    console.info(
      `[faults] kill -9: ${lost} requests lost with the process, ${dead.length} admissions (${stranded} units) stranded in the gate and taken back after ${reclaimedMs} ms (lease ${LEASE_MS} ms), every retried key resolved within ${resolvedWithin} ms, ${accepted.length} accepted = ${rows.length} orders = ${sale!.soldUnits} sold, ${refused.length} SOLD_OUT`,
    );
  }, 120_000);
});

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashSalePurchases, flashSales, orders } from "../../../src/db/schema/index.js";
import { idOf } from "../../../src/shared/ids.js";
import { buildUsers } from "../../support/builders.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { FlashSaleInventoryDocument, PlaceOrderDocument } from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";
import { inFlight } from "../../support/in-flight.js";

describe("a flash sale on two gateway instances (real Postgres and Redis)", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestGateway("postgres"), startTestGateway("postgres")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("1,000 concurrent buyers on a 100-unit sale: exactly 100 sold, orders = accepted replies, limits hold", async () => {
    const s = await liveSale(a, { units: 100, limit: 2, stock: 100 });
    const saleId = idOf("FlashSale", s.flashSaleId!);
    const buyers = await buildUsers(a.database.db, "BUYER", 1000);
    const tokens = await Promise.all(buyers.map((u) => a.token(u.id, "BUYER")));
    // Each buyer asks for 1 unit twice (different keys) and once more for 1: up to 3 units against a limit of 2.
    const attempts = buyers.flatMap((u, i) => [0, 1, 2].map((n) => ({ gw: (i + n) % 2 ? a : b, token: tokens[i]!, buyerId: u.id, key: `k${n}` })));
    // At most 256 requests in flight, as a load generator's connection pool holds them. 3,000 sockets opened at once
    // by the process that also runs both servers were reset (ECONNRESET, none answered yet) on a loaded machine; not
    // from listen-queue overflow or EMFILE (both checked), cause not pinned down. The sale still sees 256 at once.
    const slots = inFlight(256);
    const replies = await Promise.all(
      attempts.map(async (t) => ({
        ...t,
        result: await slots(() => t.gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: t.key } }, t.token)),
      })),
    );
    expect(replies.every((r) => r.result.status === 200 && !r.result.errors)).toBe(true);
    const accepted = replies.filter((r) => r.result.data!.placeOrder.order);
    const refusals = replies.flatMap((r) => r.result.data!.placeOrder.userErrors.map((e) => e.code));
    expect(accepted).toHaveLength(100);
    expect(refusals).toHaveLength(2900);
    expect(refusals.every((code) => code === "SOLD_OUT" || code === "LIMIT_REACHED")).toBe(true);

    const rows = await a.database.db.select().from(orders).where(eq(orders.flashSaleId, saleId));
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((o) => o.id))).toEqual(new Set(accepted.map((r) => idOf("Order", r.result.data!.placeOrder.order!.id))));
    const perBuyer = new Map<number, number>();
    for (const o of rows) perBuyer.set(o.buyerId, (perBuyer.get(o.buyerId) ?? 0) + o.quantity);
    expect(Math.max(...perBuyer.values())).toBeLessThanOrEqual(2);
    const [sale] = await a.database.db.select().from(flashSales).where(eq(flashSales.id, saleId));
    expect(sale).toMatchObject({ soldUnits: 100, status: "SOLD_OUT" });
    const [{ total }] = (await a.database.db
      .select({ total: sql<number>`sum(${flashSalePurchases.quantity})::int` })
      .from(flashSalePurchases)
      .where(eq(flashSalePurchases.flashSaleId, saleId))) as [{ total: number }];
    expect(total).toBe(100);
    expect(await a.gate.remaining(saleId)).toBe(0);
  }, 120_000);

  it("concurrent retries with one idempotency key on both instances make one order", async () => {
    const s = await liveSale(a, { units: 10, limit: 10, stock: 10 });
    const [buyer] = await buildUsers(a.database.db, "BUYER", 1);
    const token = await a.token(buyer!.id, "BUYER");
    const input = { flashSaleId: s.flashSaleId, quantity: 2, idempotencyKey: "retry-me" };
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).request(PlaceOrderDocument, { input }, token)));
    const ids = new Set(replies.map((r) => r.data!.placeOrder.order?.id ?? r.data!.placeOrder.userErrors[0]?.code));
    expect(ids.size).toBe(1);
    const rows = await a.database.db.select().from(orders).where(eq(orders.buyerId, buyer!.id));
    expect(rows).toHaveLength(1);
    const [sale] = await a.database.db.select().from(flashSales).where(eq(flashSales.id, idOf("FlashSale", s.flashSaleId!)));
    expect(sale!.soldUnits).toBe(2);
  }, 60_000);

  it("a subscriber on A sees the sale made on B, with growing versions, ending in SOLD_OUT", async () => {
    const s = await liveSale(a, { units: 20, limit: 1, stock: 20 });
    const sub = collect(a.ws(null), FlashSaleInventoryDocument, { liveSessionId: s.liveSessionId });
    await sub.until(() => sub.messages.length >= 1);
    expect(sub.messages[0]!.data!.flashSaleInventory.sales[0]).toMatchObject({ soldUnits: 0, remainingUnits: 20, status: "RUNNING" });
    const buyers = await buildUsers(a.database.db, "BUYER", 30);
    await Promise.all(
      buyers.map(async (u) => b.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "x" } }, await b.token(u.id, "BUYER"))),
    );
    await sub.until(() => sub.messages.at(-1)!.data!.flashSaleInventory.sales[0]!.status === "SOLD_OUT");
    const versions = sub.messages.map((m) => m.data!.flashSaleInventory.version);
    expect([...versions].sort((x, y) => x - y)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    expect(sub.messages.at(-1)!.data!.flashSaleInventory.sales[0]).toMatchObject({ soldUnits: 20, remainingUnits: 0 });
    // coalesced: far fewer messages than the 20 sales
    expect(sub.messages.length).toBeLessThan(20);
    sub.dispose();
  }, 60_000);
});

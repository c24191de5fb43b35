import { eq, sql } from "drizzle-orm";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { flashSalePurchases, flashSales, orders } from "../../../src/db/schema/index.js";
import { idOf } from "../../../src/shared/ids.js";
import { buildUsers } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { PlaceOrderDocument } from "../../support/generated/graphql.js";
import { spawnGateway, type GatewayProcess } from "../../support/process.js";
import { liveSale } from "../../support/scenarios.js";
import { JWT_SECRET, REDIS_URL } from "../../support/services.js";

describe("a gateway process killed in the middle of a sale", () => {
  let gw: TestGateway;
  const env = () => ({ DATABASE_URL: inject("databaseUrl"), REDIS_URL, REDIS_KEY_PREFIX: inject("redisPrefix"), JWT_SECRET, LOG_LEVEL: "warn" });
  let child: GatewayProcess | null = null;
  beforeAll(async () => {
    gw = await startTestGateway("postgres");
  });
  afterAll(async () => {
    child?.child.kill("SIGKILL");
    await gw?.stop();
  });

  const order = async (url: string, token: string, flashSaleId: string) => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(PlaceOrderDocument), variables: { input: { flashSaleId, quantity: 1, idempotencyKey: "crash" } } }),
      });
      const body = (await response.json()) as { data?: { placeOrder: { order: { id: string } | null; userErrors: { code: string }[] } } };
      return body.data?.placeOrder ?? null;
    } catch {
      return null; // the process died under this request: its fate is unknown to the client
    }
  };

  it("loses no accepted order, oversells nothing, and its gate matches the ledger after restart", async () => {
    const s = await liveSale(gw, { units: 300, limit: 1, stock: 300 });
    const saleId = idOf("FlashSale", s.flashSaleId!);
    const buyers = await buildUsers(gw.database.db, "BUYER", 600);
    const tokens = await Promise.all(buyers.map((u) => gw.token(u.id, "BUYER")));

    child = await spawnGateway(env());
    const first = child;
    // Kill it while orders are still arriving: at the 20th accepted reply, with arrivals spread over 3 s (at most 200
    // a second), so hundreds of units are still unsold however slow the machine is (polling the ledger for the
    // kill let a loaded machine sell all 300 first).
    let acceptedSoFar = 0;
    let twentieth!: () => void;
    const twentyAccepted = new Promise<void>((resolve) => (twentieth = resolve));
    const inFlight = tokens.map((t, i) =>
      new Promise((r) => setTimeout(r, i * 5))
        .then(() => order(first.url, t, s.flashSaleId!))
        .then((reply) => {
          if (reply?.order && ++acceptedSoFar === 20) twentieth();
          return reply;
        }),
    );
    await twentyAccepted;
    first.child.kill("SIGKILL");
    await first.exited;
    const replies = await Promise.all(inFlight);
    const accepted = replies.filter((r) => r?.order).map((r) => idOf("Order", r!.order!.id));
    expect(accepted.length).toBeGreaterThan(0);

    const ledger = async () => {
      const rows = await gw.database.db.select().from(orders).where(eq(orders.flashSaleId, saleId));
      const [sale] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, saleId));
      const [{ bought }] = (await gw.database.db
        .select({ bought: sql<number>`coalesce(sum(${flashSalePurchases.quantity}), 0)::int` })
        .from(flashSalePurchases)
        .where(eq(flashSalePurchases.flashSaleId, saleId))) as [{ bought: number }];
      return { rows, sale: sale!, bought };
    };
    const afterCrash = await ledger();
    const stored = new Set(afterCrash.rows.map((o) => o.id));
    for (const id of accepted) expect(stored.has(id)).toBe(true);
    expect(afterCrash.sale.soldUnits).toBe(afterCrash.rows.length);
    expect(afterCrash.sale.soldUnits).toBeLessThan(300); // it died mid-sale
    expect(afterCrash.bought).toBe(afterCrash.rows.length);

    child = await spawnGateway(env());
    const gate = gw.gate;
    expect(await gate.remaining(saleId)).toBe(300 - afterCrash.sale.soldUnits);

    // Sell out on the restarted process: every buyer tries again (same keys), more buyers than units.
    const more = await buildUsers(gw.database.db, "BUYER", 200);
    const moreTokens = await Promise.all(more.map((u) => gw.token(u.id, "BUYER")));
    const second = child;
    const retries = await Promise.all([...tokens, ...moreTokens].map((t) => order(second.url, t, s.flashSaleId!)));
    expect(retries.every((r) => r !== null)).toBe(true);
    const final = await ledger();
    expect(final.sale).toMatchObject({ soldUnits: 300, status: "SOLD_OUT" });
    expect(final.rows).toHaveLength(300);
    expect(final.bought).toBe(300);
    expect(new Set(final.rows.map((o) => o.buyerId)).size).toBe(300);
    // Every order accepted before the crash is still the answer to its buyer's retry.
    const retriedIds = new Set(retries.filter((r) => r!.order).map((r) => idOf("Order", r!.order!.id)));
    for (const id of accepted) expect(retriedIds.has(id)).toBe(true);
    expect(await gate.remaining(saleId)).toBe(0);
  }, 180_000);
});

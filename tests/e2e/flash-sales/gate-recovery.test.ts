import { sql } from "drizzle-orm";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RedisBus } from "../../../src/realtime/redis-bus.js";
import { idOf } from "../../../src/shared/ids.js";
import { buildUser } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { PlaceOrderDocument } from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";
import { REDIS_URL } from "../../support/services.js";

describe("the admission gate recovers from Redis trouble and failed commits (real Redis and Postgres)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("postgres");
  });
  afterAll(() => gw?.stop());
  const gate = () => gw.gate;

  it("rebuilds the gates from the ledger when its Redis connection comes back", async () => {
    const s = await liveSale(gw, { units: 10, limit: 5, stock: 10 });
    const saleId = idOf("FlashSale", s.flashSaleId!);
    const buyer = await buildUser(gw.database.db, "BUYER");
    const token = await gw.token(buyer.id, "BUYER");
    await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 3, idempotencyKey: "before" } }, token);
    expect(await gate().remaining(saleId)).toBe(7);

    // Redis "loses acknowledged writes" (a failover to a stale replica): the gate now disagrees with the ledger.
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    const prefix = inject("redisPrefix");
    await admin.set(`${prefix}{fs:${saleId}}:remaining`, "10");
    await admin.del(`${prefix}{fs:${saleId}}:buyers`);
    // Then the connection drops and comes back: the gateway rebuilds its open sales' gates from Postgres.
    const name = (gw.bus as RedisBus).connectionName;
    const clients = (await admin.sendCommand(["CLIENT", "LIST"])) as string;
    const ids = clients.split("\n").filter((line) => line.includes(` name=${name} `)).map((line) => /id=(\d+)/.exec(line)?.[1]);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    for (const id of ids) if (id) await admin.sendCommand(["CLIENT", "KILL", "ID", id]).catch(() => {});
    await admin.quit().catch(() => {});
    const deadline = Date.now() + 10_000;
    while ((await gate().remaining(saleId).catch(() => null)) !== 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await gate().remaining(saleId)).toBe(7);
    // and the buyer's units are back in the gate's per-buyer count: 3 bought, limit 5
    const over = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 3, idempotencyKey: "after" } }, token);
    expect(over.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["LIMIT_REACHED"]);
  });

  it("gives the units (and the key) back to the gate when the commit fails", async () => {
    const s = await liveSale(gw, { units: 5, limit: 5, stock: 5 });
    const saleId = idOf("FlashSale", s.flashSaleId!);
    const buyer = await buildUser(gw.database.db, "BUYER");
    const token = await gw.token(buyer.id, "BUYER");
    const fn = `fail_orders_${buyer.id}`;
    await gw.database.db.execute(
      sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin if new.buyer_id = ${buyer.id} then raise exception 'disk on fire'; end if; return new; end $$;
               create trigger ${fn} before insert on orders for each row execute function ${fn}();`),
    );
    try {
      const failed = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 2, idempotencyKey: "k" } }, token);
      expect(failed.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      expect(JSON.stringify(failed)).not.toContain("disk on fire");
      expect(await gate().remaining(saleId)).toBe(5);
    } finally {
      await gw.database.db.execute(sql.raw(`drop trigger ${fn} on orders; drop function ${fn}();`));
    }
    // the same key works once the fault is gone: it was freed, not burnt
    const retried = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 2, idempotencyKey: "k" } }, token);
    expect(retried.data!.placeOrder.order?.quantity).toBe(2);
    expect(await gate().remaining(saleId)).toBe(3);
  });
});

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultRows } from "../../../src/db/client.js";
import { formatFen } from "../../../src/shared/money.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildUser, buildUsers } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { SalesAggregatesDocument, type SalesAggregatesQuery, type SalesDimension } from "../../support/generated/graphql.js";
import { buildLiveRoom } from "../../support/live-builders.js";

// A month of its own, far from the other tests' orders (they are placed "now").
const FROM = "2030-03-01T00:00:00+08:00";
const TO = "2030-04-01T00:00:00+08:00";
const ORDERS_PER_ROOM = 25_000;

interface Expected {
  label: string;
  gmv: number;
  orders: number;
  units: number;
  buyers: Set<number>;
  settled: number;
  commission: number;
  promotionFee: number;
  technicalFee: number;
}

describe("salesAggregates on 100,000 generated orders (PostgreSQL)", () => {
  let gw: TestGateway;
  let analyst: string;
  const expected = new Map<SalesDimension, Map<string, Expected>>();
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    gw = await startTestGateway("postgres");
    const db = gw.database.db;
    analyst = await gw.token((await buildUser(db, "ANALYST")).id, "ANALYST");
    const rooms = await Promise.all([0, 1, 2, 3].map(() => buildLiveRoom(db)));
    const belts = ["JADE_SIHUI", "JADE_SIHUI", "CLOTHING_HANGZHOU", "OTHER"];
    for (const [i, room] of rooms.entries()) await db.execute(sql`update shops set industry_belt = ${belts[i]} where id = ${room.merchant.shop.id}`);
    const buyers = (await buildUsers(db, "BUYER", 300)).map((u) => u.id);
    const started = Date.now();
    for (const [r, room] of rooms.entries()) {
      // The fourth room's orders are direct sales: no promoter, no session.
      const promoter = r === 3 ? null : room.promoter.id;
      const session = r === 3 ? null : room.session.id;
      await db.execute(sql`
        insert into orders (buyer_id, shop_id, product_id, promoter_id, live_session_id, quantity, unit_price_fen, total_fen, hand_price_fen, idempotency_key, created_at, status)
        select (string_to_array(${buyers.join(",")}, ',')::bigint[])[1 + (i * 7 + ${r}) % ${buyers.length}],
          ${room.merchant.shop.id}, ${room.product.id}, ${promoter}::bigint, ${session}::bigint,
          1 + i % 3, 1000 + (i % 50) * 10, (1 + i % 3) * (1000 + (i % 50) * 10), 1000 + (i % 50) * 10,
          'agg-' || ${r} || '-' || i,
          ${FROM}::timestamptz + ((i % 31) * interval '1 day') + ((i * 13 % 1440) * interval '1 minute'),
          (case when i % 97 = 0 then 'CANCELLED' else 'ACCEPTED' end)::order_status
        from generate_series(1, ${ORDERS_PER_ROOM}) i
      `);
    }
    // Some of them settled: commission 10%, of which the platform keeps a tenth; technical fee 1%.
    await db.execute(sql`
      insert into settlements (order_id, run_id, posting_id, shop_id, promoter_id, buyer_id, base_fen, commission_rate_bps, commission_fen, promotion_fee_fen, promoter_fen,
        technical_rate_bps, technical_fee_fen, merchant_fen, received_at, settled_at)
      select o.id, 0, 0, o.shop_id, o.promoter_id, o.buyer_id, o.total_fen, 1000, o.total_fen / 10, o.total_fen / 100, o.total_fen / 10 - o.total_fen / 100,
        100, o.total_fen / 100, o.total_fen - o.total_fen / 10 - o.total_fen / 100, o.created_at, o.created_at
      from orders o where o.idempotency_key like 'agg-%' and o.status <> 'CANCELLED' and o.id % 10 = 0
    `);
    timings.generateMs = Date.now() - started;

    // The expected figures, computed here from the rows, not by the SQL under test.
    const rows = resultRows<Record<string, string | null>>(
      await db.execute(sql`
        select o.id, o.buyer_id, o.quantity, o.total_fen, o.created_at, o.shop_id, o.promoter_id, o.live_session_id, sh.name as shop_name, sh.industry_belt,
          pu.name as promoter_name, ls.title, s.commission_fen, s.promotion_fee_fen, s.technical_fee_fen
        from orders o join shops sh on sh.id = o.shop_id left join users pu on pu.id = o.promoter_id left join live_sessions ls on ls.id = o.live_session_id
        left join settlements s on s.order_id = o.id
        where o.idempotency_key like 'agg-%' and o.status <> 'CANCELLED'
      `),
    );
    expect(rows.length).toBeGreaterThan(95_000);
    const add = (dimension: SalesDimension, key: string, label: string, row: Record<string, string | null>) => {
      const groups = expected.get(dimension) ?? new Map<string, Expected>();
      expected.set(dimension, groups);
      const g = groups.get(key) ?? { label, gmv: 0, orders: 0, units: 0, buyers: new Set<number>(), settled: 0, commission: 0, promotionFee: 0, technicalFee: 0 };
      groups.set(key, g);
      g.gmv += Number(row.total_fen);
      g.orders += 1;
      g.units += Number(row.quantity);
      g.buyers.add(Number(row.buyer_id));
      if (row.commission_fen !== null) {
        g.settled += 1;
        g.commission += Number(row.commission_fen);
        g.promotionFee += Number(row.promotion_fee_fen);
        g.technicalFee += Number(row.technical_fee_fen);
      }
    };
    for (const row of rows) {
      const day = new Date(new Date(row.created_at!).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
      add("DAY", day, day, row);
      add("SHOP", toGlobalId("Shop", Number(row.shop_id)), row.shop_name!, row);
      add("INDUSTRY_BELT", row.industry_belt!, row.industry_belt!, row);
      add("PROMOTER", row.promoter_id ? toGlobalId("User", Number(row.promoter_id)) : "none", row.promoter_name ?? "direct sales", row);
      add("LIVE_SESSION", row.live_session_id ? toGlobalId("LiveSession", Number(row.live_session_id)) : "none", row.title ?? "not in a live session", row);
    }
  }, 180_000);
  afterAll(async () => {
    console.log(`salesAggregates timings (ms): ${JSON.stringify(timings)}`);
    await gw?.stop();
  });

  it.each(["DAY", "SHOP", "INDUSTRY_BELT", "PROMOTER", "LIVE_SESSION"] as SalesDimension[])("groups by %s, every page, matching the rows to the fen", async (groupBy) => {
    const seen: { key: string; gmv: string }[] = [];
    let after: string | null = null;
    const started = Date.now();
    do {
      const page = await gw.request(SalesAggregatesDocument, { groupBy, from: FROM, to: TO, first: 7, after }, analyst);
      expect(page.errors).toBeUndefined();
      const connection: SalesAggregatesQuery["salesAggregates"] = page.data!.salesAggregates;
      for (const { node } of connection.edges) {
        const want = expected.get(groupBy)!.get(node.key);
        expect(want, node.key).toBeDefined();
        expect(node).toEqual({
          key: node.key,
          label: want!.label,
          gmv: { amount: formatFen(want!.gmv) },
          orders: want!.orders,
          units: want!.units,
          buyers: want!.buyers.size,
          settledOrders: want!.settled,
          commission: { amount: formatFen(want!.commission) },
          promotionFee: { amount: formatFen(want!.promotionFee) },
          technicalFee: { amount: formatFen(want!.technicalFee) },
        });
        seen.push({ key: node.key, gmv: node.gmv.amount });
      }
      expect(connection.csv.split("\n")[0]).toBe("key,label,gmv,orders,units,buyers,settledOrders,commission,promotionFee,technicalFee");
      expect(connection.csv.trimEnd().split("\n")).toHaveLength(connection.edges.length + 1);
      after = connection.pageInfo.hasNextPage ? (connection.pageInfo.endCursor ?? null) : null;
    } while (after);
    timings[groupBy] = Date.now() - started;
    expect(seen.map((s) => s.key).sort()).toEqual([...expected.get(groupBy)!.keys()].sort());
    // Largest GMV first.
    const amounts = seen.map((s) => Number(s.gmv));
    expect([...amounts].sort((a, b) => b - a)).toEqual(amounts);
  });

  it("is for analysts and admins only, and checks its range", async () => {
    const variables = { groupBy: "SHOP" as const, from: FROM, to: TO };
    const buyer = await gw.token((await buildUser(gw.database.db, "BUYER")).id, "BUYER");
    expect((await gw.request(SalesAggregatesDocument, variables, buyer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(SalesAggregatesDocument, variables)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const admin = await gw.token((await buildUser(gw.database.db, "ADMIN")).id, "ADMIN");
    expect((await gw.request(SalesAggregatesDocument, variables, admin)).data!.salesAggregates.edges.length).toBeGreaterThan(0);
    const backwards = await gw.request(SalesAggregatesDocument, { ...variables, from: TO, to: FROM }, analyst);
    expect(backwards.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const tooLong = await gw.request(SalesAggregatesDocument, { ...variables, to: "2031-06-01T00:00:00+08:00" }, analyst);
    expect(tooLong.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const csv = (await gw.request(SalesAggregatesDocument, { ...variables, first: 100 }, analyst)).data!.salesAggregates.csv;
    expect(csv.split("\n")[1]).toMatch(/^[\w-]+,shop-[\w-]+,\d+\.\d{2},\d+,\d+,\d+,\d+,\d+\.\d{2},\d+\.\d{2},\d+\.\d{2}$/);
  });
});

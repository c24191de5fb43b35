import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coupons, orders } from "../../../src/db/schema/index.js";
import { buildUsers } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { CreateCouponDocument, PlaceOrderDocument } from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";

/** Atomic redemption (R12 coupons): two gateway instances on one real PostgreSQL never redeem a coupon beyond its counts. */
describe("coupon redemption on two gateway instances (real Postgres)", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestGateway("postgres"), startTestGateway("postgres")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const issue = async (s: Awaited<ReturnType<typeof liveSale>>, totalQuantity: number, perBuyerLimit?: number) => {
    const code = `Q${Math.random().toString(36).slice(2, 12)}`;
    const created = await a.request(
      CreateCouponDocument,
      { input: { productId: s.productId, code, amount: "1.00", validUntil: new Date(Date.now() + 3_600_000).toISOString(), totalQuantity, perBuyerLimit } },
      await a.token(s.merchant.user.id, "MERCHANT"),
    );
    expect(created.data!.createCoupon.userErrors).toEqual([]);
    const [row] = await a.database.db.select().from(coupons).where(eq(coupons.code, code));
    return row!;
  };
  const redeemedBy = async (couponId: number) => {
    const [row] = await a.database.db.select().from(coupons).where(eq(coupons.id, couponId));
    const rows = await a.database.db.select().from(orders).where(eq(orders.couponId, couponId));
    return { counted: row!.redeemedCount, orders: rows };
  };

  it("60 buyers at once on a 5-use coupon (cart orders): exactly 5 redeem it", async () => {
    const s = await liveSale(a, { units: 0, stock: 1000 });
    const coupon = await issue(s, 5);
    const buyers = await buildUsers(a.database.db, "BUYER", 60);
    const replies = await Promise.all(
      buyers.map(async (u, i) => {
        const gw = i % 2 ? a : b;
        const input = { liveSessionId: s.liveSessionId, productId: s.productId, quantity: 1, couponCode: coupon.code, idempotencyKey: "c" };
        return (await gw.request(PlaceOrderDocument, { input }, await gw.token(u.id, "BUYER"))).data!.placeOrder;
      }),
    );
    expect(replies.filter((r) => r.order)).toHaveLength(5);
    expect(replies.flatMap((r) => r.userErrors.map((e) => e.code)).every((c) => c === "COUPON_EXHAUSTED")).toBe(true);
    const { counted, orders: rows } = await redeemedBy(coupon.id);
    expect(counted).toBe(5);
    expect(rows).toHaveLength(5);
  }, 60_000);

  it("60 buyers at once on a 7-use coupon in a flash sale (batched orders): exactly 7 redeem it", async () => {
    const s = await liveSale(a, { units: 100, limit: 1, stock: 100 });
    const coupon = await issue(s, 7);
    const buyers = await buildUsers(a.database.db, "BUYER", 60);
    const replies = await Promise.all(
      buyers.map(async (u, i) => {
        const gw = i % 2 ? a : b;
        const input = { flashSaleId: s.flashSaleId, quantity: 1, couponCode: coupon.code, idempotencyKey: "f" };
        return (await gw.request(PlaceOrderDocument, { input }, await gw.token(u.id, "BUYER"))).data!.placeOrder;
      }),
    );
    expect(replies.filter((r) => r.order)).toHaveLength(7);
    expect(replies.flatMap((r) => r.userErrors.map((e) => e.code)).every((c) => c === "COUPON_EXHAUSTED")).toBe(true);
    const { counted, orders: rows } = await redeemedBy(coupon.id);
    expect(counted).toBe(7);
    expect(rows).toHaveLength(7);
  }, 60_000);

  it("one buyer, 20 different keys at once on both instances, a per-buyer limit of 2: exactly 2 redeem it", async () => {
    const s = await liveSale(a, { units: 0, stock: 1000 });
    const coupon = await issue(s, 100, 2);
    const [buyer] = await buildUsers(a.database.db, "BUYER", 1);
    const [ta, tb] = await Promise.all([a.token(buyer!.id, "BUYER"), b.token(buyer!.id, "BUYER")]);
    const replies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const input = { liveSessionId: s.liveSessionId, productId: s.productId, quantity: 1, couponCode: coupon.code, idempotencyKey: `k${i}` };
        return (await (i % 2 ? a : b).request(PlaceOrderDocument, { input }, i % 2 ? ta : tb)).data!.placeOrder;
      }),
    );
    expect(replies.filter((r) => r.order)).toHaveLength(2);
    expect(replies.flatMap((r) => r.userErrors.map((e) => e.code)).every((c) => c === "COUPON_LIMIT_REACHED")).toBe(true);
    const { counted, orders: rows } = await redeemedBy(coupon.id);
    expect(counted).toBe(2);
    expect(rows).toHaveLength(2);
  }, 60_000);
});

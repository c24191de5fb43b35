import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coupons, flashSales, orders, products } from "../../../src/db/schema/index.js";
import { Role } from "../../../src/shared/auth.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { createLogger, type Logger } from "../../../src/shared/logger.js";
import { idOf } from "../../../src/shared/ids.js";
import { buildOrder, buildUser, buildUsers } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { CreateCouponDocument, CreateFlashSaleDocument, PlaceOrderDocument } from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();
const code = () => `C${Math.random().toString(36).slice(2, 12)}`;

describe.each(BACKENDS)("money that cannot be gamed on %s", (backend) => {
  let gw: TestGateway;
  const clock = new ManualClock(new Date());
  const warnings: string[] = [];
  beforeAll(async () => {
    const quiet = createLogger("silent");
    // The quiet logger's methods live on its prototype (src/shared/logger.ts): inherit them, do not spread them.
    const recording = (): Logger => Object.assign(Object.create(quiet) as Logger, { warn: (msg: string) => void warnings.push(msg), child: () => recording() });
    gw = await startTestGateway(backend, { clock, log: recording() });
  });
  afterAll(() => gw?.stop());

  const buyer = async () => {
    const user = await buildUser(gw.database.db, "BUYER");
    return { user, token: await gw.token(user.id, "BUYER") };
  };
  const coupon = async (s: Awaited<ReturnType<typeof liveSale>>, input: { amount: string; minSpend?: string; totalQuantity?: number; perBuyerLimit?: number }) => {
    const c = code();
    const result = await gw.request(
      CreateCouponDocument,
      { input: { productId: s.productId, code: c, validUntil: inADay(), totalQuantity: 10, ...input } },
      await gw.token(s.merchant.user.id, "MERCHANT"),
    );
    return { code: c, result: result.data!.createCoupon };
  };
  const ordersOf = (buyerId: number) => gw.database.db.select().from(orders).where(eq(orders.buyerId, buyerId));

  it("refuses at creation a coupon at or above the price (list, and an open flash price), with or without a threshold", async () => {
    const s = await liveSale(gw, { priceFen: 23_900, flashPrice: "5.00", units: 10, limit: 1 });
    // the example: 99,999.00 off a 239.00 product
    expect((await coupon(s, { amount: "99999.00" })).result.userErrors.map((e) => e.code)).toEqual(["DISCOUNT_EXCEEDS_PRICE"]);
    // the running flash sale sells one unit at 5.00: a coupon must leave 0.01 of it
    expect((await coupon(s, { amount: "5.00" })).result.userErrors).toMatchObject([{ code: "DISCOUNT_EXCEEDS_PRICE", field: ["amount"] }]);
    expect((await coupon(s, { amount: "4.99" })).result.userErrors).toEqual([]);
    // a threshold the flash sale cannot reach (limit 1 × 5.00) only meets the list price: two units of 239.00
    expect((await coupon(s, { amount: "477.98", minSpend: "400.00" })).result.userErrors).toEqual([]);
    expect((await coupon(s, { amount: "477.99", minSpend: "400.00" })).result.userErrors.map((e) => e.code)).toEqual(["DISCOUNT_EXCEEDS_PRICE"]);
    expect((await coupon(s, { amount: "1.00", totalQuantity: 0 })).result.userErrors.map((e) => e.code)).toEqual(["INVALID_QUANTITY"]);
    expect((await coupon(s, { amount: "1.00", totalQuantity: 2, perBuyerLimit: 3 })).result.userErrors.map((e) => e.code)).toEqual(["INVALID_QUANTITY"]);
    const stored = await gw.database.db.select().from(coupons).where(eq(coupons.productId, s.product.id));
    expect(stored.map((c) => c.amountFen).sort((a, b) => a - b)).toEqual([499, 47_798]);
  });

  it("refuses again at order time what would take a unit below 1 fen, and stores parts that add up", async () => {
    const s = await liveSale(gw, { priceFen: 10_000, units: 0, stock: 50 });
    const big = await coupon(s, { amount: "95.00", totalQuantity: 5 });
    expect(big.result.userErrors).toEqual([]);
    // a flash sale at 5.00 opened after the coupon: the coupon would now take a unit below 1 fen
    const sale = await gw.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId: s.liveSessionId, productId: s.productId, flashPrice: "5.00", allocatedUnits: 5, perBuyerLimit: 1, endsAt: new Date(clock.now().getTime() + 3_600_000).toISOString() } },
      s.promoterToken,
    );
    const flashSaleId = sale.data!.createFlashSale.flashSale!.id;
    const b = await buyer();
    const flash = await gw.request(PlaceOrderDocument, { input: { flashSaleId, quantity: 1, couponCode: big.code, idempotencyKey: "f1" } }, b.token);
    expect(flash.data!.placeOrder).toMatchObject({ order: null, userErrors: [{ code: "DISCOUNT_EXCEEDS_PRICE", field: ["couponCode"] }] });
    // 100.00 − 95.00 coupon − 10.00 points: the points would cross the line
    const cart = { liveSessionId: s.liveSessionId, productId: s.productId, quantity: 1, couponCode: big.code };
    const points = await gw.request(PlaceOrderDocument, { input: { ...cart, points: 1_000, idempotencyKey: "c1" } }, b.token);
    expect(points.data!.placeOrder).toMatchObject({ order: null, userErrors: [{ code: "DISCOUNT_EXCEEDS_PRICE", field: ["points"] }] });
    expect(await ordersOf(b.user.id)).toEqual([]);
    const [unused] = await gw.database.db.select().from(coupons).where(eq(coupons.code, big.code));
    expect(unused!.redeemedCount).toBe(0);

    // 100.00 − 95.00 − 4.99 points = 0.01: the least a unit may cost
    const ok = await gw.request(PlaceOrderDocument, { input: { ...cart, points: 499, idempotencyKey: "c2" } }, b.token);
    expect(ok.data!.placeOrder.userErrors).toEqual([]);
    expect(ok.data!.placeOrder.order).toMatchObject({ total: { amount: "0.01" }, handPrice: { amount: "0.01" }, shopCoupon: { amount: "95.00" }, points: { amount: "4.99" } });
    const [row] = await ordersOf(b.user.id);
    expect(row!.totalFen).toBe(row!.unitPriceFen * row!.quantity - row!.subsidyFen - row!.shopCouponFen - row!.promoterCouponFen - row!.pointsFen);
    expect(row!.couponId).toBe(unused!.id);

    // the ledger itself refuses parts that do not add up, or a unit below 1 fen
    const bad = { buyerId: b.user.id, shopId: s.merchant.shop.id, productId: s.product.id };
    await expect(buildOrder(gw.database.db, { ...bad, totalFen: 100, unitPriceFen: 100, shopCouponFen: 1 })).rejects.toThrow();
    await expect(buildOrder(gw.database.db, { ...bad, totalFen: 0, unitPriceFen: 100, shopCouponFen: 100 })).rejects.toThrow();
    expect(await ordersOf(b.user.id)).toHaveLength(1);
  });

  it("redeems a coupon once per buyer by default, and never beyond its quantity", async () => {
    const s = await liveSale(gw, { priceFen: 10_000, units: 0, stock: 50 });
    const c = await coupon(s, { amount: "10.00", totalQuantity: 2 });
    const cart = { liveSessionId: s.liveSessionId, productId: s.productId, quantity: 1, couponCode: c.code };
    const first = await buyer();
    expect((await gw.request(PlaceOrderDocument, { input: { ...cart, idempotencyKey: "a" } }, first.token)).data!.placeOrder.order).toMatchObject({ total: { amount: "90.00" } });
    const again = await gw.request(PlaceOrderDocument, { input: { ...cart, idempotencyKey: "b" } }, first.token);
    expect(again.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["COUPON_LIMIT_REACHED"]);
    const second = await buyer();
    expect((await gw.request(PlaceOrderDocument, { input: { ...cart, idempotencyKey: "a" } }, second.token)).data!.placeOrder.userErrors).toEqual([]);
    const third = await buyer();
    const exhausted = await gw.request(PlaceOrderDocument, { input: { ...cart, idempotencyKey: "a" } }, third.token);
    expect(exhausted.data!.placeOrder.userErrors.map((e) => e.code)).toEqual(["COUPON_EXHAUSTED"]);
    const [row] = await gw.database.db.select().from(coupons).where(eq(coupons.code, c.code));
    expect(row!.redeemedCount).toBe(2);
    const redeemed = await gw.database.db.select().from(orders).where(eq(orders.couponId, row!.id));
    expect(redeemed).toHaveLength(2);
  });

  it("R10: same key + same request → the same order, even after the sale ended; a different request → IDEMPOTENCY_KEY_REUSED, nothing changed", async () => {
    const s = await liveSale(gw, { units: 10, limit: 5, stock: 30 });
    const other = await liveSale(gw, { units: 10, limit: 5, stock: 30 });
    const b = await buyer();
    const input = { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "K1" };
    const placed = (await gw.request(PlaceOrderDocument, { input }, b.token)).data!.placeOrder.order!;
    expect(placed).toBeTruthy();
    const refusedWith = async (change: Record<string, unknown>) =>
      (await gw.request(PlaceOrderDocument, { input: { ...input, ...change } as never }, b.token)).data!.placeOrder;
    expect(await refusedWith({ quantity: 2 })).toMatchObject({ order: null, userErrors: [{ code: "IDEMPOTENCY_KEY_REUSED", field: ["idempotencyKey"] }] });
    expect(await refusedWith({ flashSaleId: other.flashSaleId })).toMatchObject({ order: null, userErrors: [{ code: "IDEMPOTENCY_KEY_REUSED" }] });
    expect(await refusedWith({ flashSaleId: null, liveSessionId: s.liveSessionId, productId: s.productId })).toMatchObject({
      order: null,
      userErrors: [{ code: "IDEMPOTENCY_KEY_REUSED" }],
    });
    expect(await refusedWith({ points: 1 })).toMatchObject({ order: null, userErrors: [{ code: "IDEMPOTENCY_KEY_REUSED" }] });
    expect((await refusedWith({})).order!.id).toBe(placed.id);

    const [saleRow] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, idOf("FlashSale", s.flashSaleId!)));
    expect(saleRow!.soldUnits).toBe(1);
    const [otherRow] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, idOf("FlashSale", other.flashSaleId!)));
    expect(otherRow!.soldUnits).toBe(0);
    const [product] = await gw.database.db.select().from(products).where(eq(products.id, s.product.id));
    expect(product!.stock).toBe(20);
    expect(await ordersOf(b.user.id)).toHaveLength(1);

    // after the sale's end, the same request still answers with its order; a new key meets ENDED
    clock.set(new Date(saleRow!.endsAt.getTime() + 1000));
    try {
      expect((await refusedWith({})).order!.id).toBe(placed.id);
      expect(await refusedWith({ quantity: 2 })).toMatchObject({ userErrors: [{ code: "IDEMPOTENCY_KEY_REUSED" }] });
      expect(await refusedWith({ idempotencyKey: "K2" })).toMatchObject({ userErrors: [{ code: "ENDED" }] });
      await gw.services.flashSales.sweep();
      expect((await refusedWith({})).order!.id).toBe(placed.id);
    } finally {
      clock.set(new Date());
    }
  });

  it("refuses malformed idempotency keys with BAD_USER_INPUT before anything is bought", async () => {
    const s = await liveSale(gw, { units: 10, limit: 5, stock: 30 });
    const b = await buyer();
    for (const key of ["", "k".repeat(65), "has space", "nul\u0000", "ключ", "😀", "a/b"]) {
      const result = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: key } }, b.token);
      expect(result.errors?.[0]?.extensions, JSON.stringify(key)).toMatchObject({ code: "BAD_USER_INPUT", field: "input.idempotencyKey" });
    }
    expect((await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "k".repeat(64) } }, b.token)).data!.placeOrder.order).toBeTruthy();
    expect(await ordersOf(b.user.id)).toHaveLength(1);
  });

  it("one bad order never fails the others of its batch: a row that makes the batch statement fail", async () => {
    const constraint = `orders_poison_${backend}`;
    // A row the ledger refuses (here: a key a constraint forbids) fails the one multi-row insert of its batch.
    await gw.database.db.execute(sql.raw(`alter table orders add constraint ${constraint} check (idempotency_key not like 'poison-${backend}%')`));
    try {
      const s = await liveSale(gw, { units: 100, limit: 1, stock: 100 });
      const buyers = await buildUsers(gw.database.db, "BUYER", 40);
      const tokens = await Promise.all(buyers.map((u) => gw.token(u.id, "BUYER")));
      warnings.length = 0;
      // Placed in one tick through the service, so they queue behind the first commit and share batches.
      const replies = await Promise.allSettled(
        buyers.map((u, i) =>
          gw.services.orders.placeOrder(
            { ...gw.contexts.forRequest({ userId: u.id, role: Role.BUYER, expiresAt: Number.MAX_SAFE_INTEGER }, `batch-${i}`), log: createLogger("silent") },
            { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: i % 10 === 5 ? `poison-${backend}-${i}` : `good-${i}` },
          ),
        ),
      );
      const poisoned = replies.filter((_, i) => i % 10 === 5);
      const good = replies.filter((_, i) => i % 10 !== 5);
      expect(good.every((r) => r.status === "fulfilled" && r.value.order !== null)).toBe(true);
      expect(poisoned.every((r) => r.status === "rejected")).toBe(true);
      // over HTTP the poisoned order meets a masked internal error; its batch-mates do not
      const single = await gw.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: `poison-${backend}-again` } }, tokens[5]);
      expect(single.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      // the batch statement did fail (at least one poisoned order shared a batch with good ones)
      expect(warnings).toContain("a batch of orders could not be written at once; writing them one by one");
      const saleId = idOf("FlashSale", s.flashSaleId!);
      const rows = await gw.database.db.select().from(orders).where(eq(orders.flashSaleId, saleId));
      expect(rows).toHaveLength(36);
      const [sale] = await gw.database.db.select().from(flashSales).where(eq(flashSales.id, saleId));
      expect(sale!.soldUnits).toBe(36);
      expect(await gw.gate.remaining(saleId)).toBe(64);
    } finally {
      await gw.database.db.execute(sql.raw(`alter table orders drop constraint ${constraint}`));
    }
  });
});

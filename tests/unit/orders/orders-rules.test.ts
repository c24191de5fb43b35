import { describe, expect, it } from "vitest";
import {
  couponExceedsPrice,
  couponRefusal,
  discountRefusal,
  IDEMPOTENCY_KEY,
  pointsCapFen,
  priceOrder,
} from "../../../src/modules/orders/orders.rules.js";

describe("hand price (R12)", () => {
  it("subtracts subsidy per unit, coupons and points, and divides per unit half-even", () => {
    expect(priceOrder({ unitPriceFen: 10_000, quantity: 3, subsidyPerUnitFen: 500, shopCouponFen: 1_000, promoterCouponFen: 0, pointsFen: 2_000 })).toEqual({
      subtotalFen: 30_000,
      subsidyFen: 1_500,
      totalFen: 25_500,
      handPriceFen: 8_500,
    });
    // 100.00 − 0.01 over 2 units = 49.995 → 50.00 (half-even: 4999.5 → 5000)
    expect(priceOrder({ unitPriceFen: 5_000, quantity: 2, subsidyPerUnitFen: 0, shopCouponFen: 1, promoterCouponFen: 0, pointsFen: 0 }).handPriceFen).toBe(5_000);
    // 0.03 over 2 = 1.5 fen → 2 (even)
    expect(priceOrder({ unitPriceFen: 2, quantity: 2, subsidyPerUnitFen: 0, shopCouponFen: 1, promoterCouponFen: 0, pointsFen: 0 }).handPriceFen).toBe(2);
  });

  it("keeps every part: the parts add up exactly to the total, nothing clamped", () => {
    const parts = { unitPriceFen: 999, quantity: 7, subsidyPerUnitFen: 13, shopCouponFen: 101, promoterCouponFen: 57, pointsFen: 3 };
    const price = priceOrder(parts);
    expect(price.subtotalFen - price.subsidyFen - parts.shopCouponFen - parts.promoterCouponFen - parts.pointsFen).toBe(price.totalFen);
    expect(priceOrder({ unitPriceFen: 100, quantity: 1, subsidyPerUnitFen: 0, shopCouponFen: 500, promoterCouponFen: 0, pointsFen: 0 }).totalFen).toBe(-400);
  });

  it("refuses the first discount, in the documented order, that takes a unit below 1 fen", () => {
    const base = { unitPriceFen: 500, quantity: 2, subsidyPerUnitFen: 0, shopCouponFen: 0, promoterCouponFen: 0, pointsFen: 0 };
    expect(discountRefusal(base)).toBeNull();
    // exactly 1 fen per unit is allowed, 1 fen less is not
    expect(discountRefusal({ ...base, subsidyPerUnitFen: 499 })).toBeNull();
    expect(discountRefusal({ ...base, subsidyPerUnitFen: 500 })).toEqual({ part: "subsidy", field: undefined });
    expect(discountRefusal({ ...base, shopCouponFen: 998 })).toBeNull();
    expect(discountRefusal({ ...base, shopCouponFen: 999 })).toEqual({ part: "shopCoupon", field: "couponCode" });
    expect(discountRefusal({ ...base, shopCouponFen: 900, promoterCouponFen: 99 })).toEqual({ part: "promoterCoupon", field: "couponCode" });
    expect(discountRefusal({ ...base, subsidyPerUnitFen: 400, pointsFen: 199 })).toEqual({ part: "points", field: "points" });
  });

  it("refuses at configuration a coupon that would take its smallest qualifying order below 1 fen per unit", () => {
    const list = { unitPriceFen: 23_900, subsidyPerUnitFen: 0, maxQuantity: 1000 };
    expect(couponExceedsPrice(9_999_900, 0, [list])).toBe(list);
    expect(couponExceedsPrice(23_900, 0, [list])).toBe(list);
    expect(couponExceedsPrice(23_899, 0, [list])).toBeNull();
    // a threshold of two units leaves room for two units
    expect(couponExceedsPrice(47_798, 47_800, [list])).toBeNull();
    expect(couponExceedsPrice(47_799, 47_800, [list])).toBe(list);
    // a flash sale at 5.00 with a 1.00 subsidy: 3.99 is the most a coupon may take off one unit
    const flash = { unitPriceFen: 500, subsidyPerUnitFen: 100, maxQuantity: 1 };
    expect(couponExceedsPrice(399, 0, [list, flash])).toBeNull();
    expect(couponExceedsPrice(400, 0, [list, flash])).toBe(flash);
    // a threshold the flash sale's per-buyer limit cannot reach does not concern it
    expect(couponExceedsPrice(400, 1_000, [list, flash])).toBeNull();
  });

  it("accepts idempotency keys of 1–64 safe characters only", () => {
    for (const key of ["a", "order-1", "3f2b8c1e-7d3a-4c55-9a53-2b0a8f6f1e2d", "01HZX3.K:b_c", "k".repeat(64)]) expect(IDEMPOTENCY_KEY.test(key)).toBe(true);
    for (const key of ["", "k".repeat(65), "a b", "a\u0000b", "ключ", "a/b", "a\nb", "😀"]) expect(IDEMPOTENCY_KEY.test(key)).toBe(false);
  });

  it("caps points at 10% of the list value", () => {
    expect(pointsCapFen(30_000)).toBe(3_000);
    expect(pointsCapFen(5)).toBe(0);
  });

  it("applies a coupon to its product, over its minimum spend, inside its window, within its quantity and per-buyer limit", () => {
    const coupon = { productId: 7, amountFen: 1_000, minSpendFen: 5_000, validFrom: new Date("2026-01-01T00:00:00Z"), validUntil: new Date("2026-02-01T00:00:00Z") };
    const inside = new Date("2026-01-15T00:00:00Z");
    const use = { totalQuantity: 10, perBuyerLimit: 1, redeemed: 0, byBuyer: 0 };
    expect(couponRefusal(coupon, use, 7, 5_000, inside)).toBeNull();
    expect(couponRefusal(coupon, use, 7, 4_999, inside)).toBe("COUPON_MIN_SPEND");
    expect(couponRefusal(coupon, use, 8, 9_999, inside)).toBe("COUPON_INVALID");
    expect(couponRefusal(coupon, use, 7, 9_999, new Date("2026-02-01T00:00:00Z"))).toBe("COUPON_NOT_ACTIVE");
    expect(couponRefusal(coupon, use, 7, 9_999, new Date("2025-12-31T23:59:59.999Z"))).toBe("COUPON_NOT_ACTIVE");
    expect(couponRefusal(coupon, { ...use, byBuyer: 1 }, 7, 9_999, inside)).toBe("COUPON_LIMIT_REACHED");
    expect(couponRefusal(coupon, { ...use, perBuyerLimit: 2, byBuyer: 1 }, 7, 9_999, inside)).toBeNull();
    expect(couponRefusal(coupon, { ...use, redeemed: 9 }, 7, 9_999, inside)).toBeNull();
    expect(couponRefusal(coupon, { ...use, redeemed: 10 }, 7, 9_999, inside)).toBe("COUPON_EXHAUSTED");
  });
});

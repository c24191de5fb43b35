import { describe, expect, it } from "vitest";
import { couponApplies, pointsCapFen, priceOrder, shopCanSell } from "../../../src/modules/orders/orders.rules.js";

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

  it("never goes below zero", () => {
    expect(priceOrder({ unitPriceFen: 100, quantity: 1, subsidyPerUnitFen: 0, shopCouponFen: 500, promoterCouponFen: 0, pointsFen: 0 }).totalFen).toBe(0);
  });

  it("caps points at 10% of the list value", () => {
    expect(pointsCapFen(30_000)).toBe(3_000);
    expect(pointsCapFen(5)).toBe(0);
  });

  it("applies a coupon to its product, over its minimum spend, inside its window", () => {
    const coupon = { productId: 7, amountFen: 1_000, minSpendFen: 5_000, validFrom: new Date("2026-01-01T00:00:00Z"), validUntil: new Date("2026-02-01T00:00:00Z") };
    const inside = new Date("2026-01-15T00:00:00Z");
    expect(couponApplies(coupon, 7, 5_000, inside)).toBe(true);
    expect(couponApplies(coupon, 7, 4_999, inside)).toBe(false);
    expect(couponApplies(coupon, 8, 9_999, inside)).toBe(false);
    expect(couponApplies(coupon, 7, 9_999, new Date("2026-02-01T00:00:00Z"))).toBe(false);
    expect(couponApplies(coupon, 7, 9_999, new Date("2025-12-31T23:59:59.999Z"))).toBe(false);
  });

  it("lets only a normal shop with credit above zero sell (R17)", () => {
    expect(shopCanSell({ status: "NORMAL", creditScore: 1 })).toBe(true);
    expect(shopCanSell({ status: "NORMAL", creditScore: 0 })).toBe(false);
    expect(shopCanSell({ status: "CART_DISABLED", creditScore: 90 })).toBe(false);
  });
});

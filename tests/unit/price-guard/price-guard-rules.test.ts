import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../../src/shared/clock.js";
import {
  alertLevel,
  lowestReach,
  offendingParty,
  penaltyFor,
  restrictionActive,
  specMatches,
  type Channel,
  type SoldPrice,
} from "../../../src/modules/price-guard/price-guard.rules.js";

const list = (basePriceFen: number, subsidyPerUnitFen = 0, maxQuantity = 1000): Channel => ({ basePriceFen, subsidyPerUnitFen, maxQuantity });

describe("lowest reachable hand price (R13)", () => {
  it("takes points up to their 10% cap", () => {
    expect(lowestReach([list(10_000)], [], 1)).toMatchObject({ handPriceFen: 9_000, quantity: 1, pointsFen: 1_000 });
  });

  it("stacks the best coupon of each issuer, the subsidy and points", () => {
    const coupons = [
      { issuer: "SHOP" as const, amountFen: 500, minSpendFen: 0 },
      { issuer: "SHOP" as const, amountFen: 800, minSpendFen: 0 },
      { issuer: "PROMOTER" as const, amountFen: 300, minSpendFen: 0 },
    ];
    // 100.00 − 5.00 subsidy − 8.00 best shop coupon − 3.00 promoter coupon − 10.00 points
    expect(lowestReach([list(10_000, 500)], coupons, 1)).toMatchObject({ handPriceFen: 7_400, shopCouponFen: 800, promoterCouponFen: 300 });
  });

  it("finds the quantity where a minimum-spend coupon first applies", () => {
    const coupons = [{ issuer: "SHOP" as const, amountFen: 2_000, minSpendFen: 20_000 }];
    // q=1: 100 − 10 = 90; q=2: (200 − 20 − 20) / 2 = 80; larger orders spread the coupon thinner
    expect(lowestReach([list(10_000)], coupons, 1)).toMatchObject({ handPriceFen: 8_000, quantity: 2 });
    // a per-buyer limit of 1 never reaches the minimum spend
    expect(lowestReach([list(10_000, 0, 1)], coupons, 1)).toMatchObject({ handPriceFen: 9_000, quantity: 1 });
  });

  it("spreads per-order coupons over the filed spec's units", () => {
    const coupons = [{ issuer: "SHOP" as const, amountFen: 1_500, minSpendFen: 0 }];
    expect(lowestReach([list(10_000)], coupons, 1)!.handPriceFen).toBe(7_500);
    // twin set: (200 − 20 − 15) / 2
    expect(lowestReach([list(10_000)], coupons, 2)).toMatchObject({ handPriceFen: 8_250, quantity: 2 });
    expect(lowestReach([list(10_000, 0, 1)], coupons, 2)).toBeNull();
  });

  it("is the lowest over every channel, rounded half-even like the order", () => {
    expect(lowestReach([list(10_000), list(9_000, 100, 2)], [], 1)).toMatchObject({ handPriceFen: 8_000, channel: { basePriceFen: 9_000 } });
    // 9.99 − 1.00 (10% of 9.99 is 0.999, half-even 1.00)
    expect(lowestReach([list(999)], [], 1)!.handPriceFen).toBe(899);
  });
});

describe("alert level", () => {
  it("blocks one fen under the floor, warns exactly at it and within the margin", () => {
    expect(alertLevel(8_999, 9_000, 500)).toBe("BLOCKED");
    expect(alertLevel(9_000, 9_000, 500)).toBe("WARNING");
    expect(alertLevel(9_450, 9_000, 500)).toBe("WARNING");
    expect(alertLevel(9_451, 9_000, 500)).toBeNull();
    expect(alertLevel(9_001, 9_000, 0)).toBeNull();
  });
});

describe("who set the offending price part (R14)", () => {
  const sold = (p: Partial<SoldPrice>): SoldPrice => ({
    unitPriceFen: 10_000,
    quantity: 1,
    subsidyPerUnitFen: 0,
    shopCouponFen: 0,
    promoterCouponFen: 0,
    pointsFen: 0,
    flashSale: false,
    hasPromoter: true,
    ...p,
  });

  it("blames the base price's setter when the price with points is already below", () => {
    expect(offendingParty(sold({ pointsFen: 1_000 }), 9_500, "BELOW_FLOOR")).toBe("MERCHANT");
    expect(offendingParty(sold({ unitPriceFen: 8_000, flashSale: true }), 8_500, "BELOW_FLOOR")).toBe("PROMOTER");
  });

  it("then the shop's coupon, then the promoter's subsidy and coupon", () => {
    expect(offendingParty(sold({ shopCouponFen: 1_000, subsidyPerUnitFen: 500 }), 9_200, "BELOW_FLOOR")).toBe("MERCHANT");
    expect(offendingParty(sold({ shopCouponFen: 500, subsidyPerUnitFen: 500 }), 9_200, "BELOW_FLOOR")).toBe("PROMOTER");
    expect(offendingParty(sold({ promoterCouponFen: 900 }), 9_200, "BELOW_FLOOR")).toBe("PROMOTER");
    expect(offendingParty(sold({ promoterCouponFen: 900, hasPromoter: false }), 9_200, "BELOW_FLOOR")).toBe("MERCHANT");
  });

  it("gives a spec mismatch to the offer's seller", () => {
    expect(offendingParty(sold({ quantity: 3 }), 1, "SPEC_MISMATCH")).toBe("MERCHANT");
    expect(offendingParty(sold({ quantity: 3, flashSale: true }), 1, "SPEC_MISMATCH")).toBe("PROMOTER");
  });

  it("wants whole filed specs", () => {
    expect(specMatches(3, 1)).toBe(true);
    expect(specMatches(4, 2)).toBe(true);
    expect(specMatches(3, 2)).toBe(false);
    expect(specMatches(1, 2)).toBe(false);
  });
});

describe("penalty ladder", () => {
  const t0 = new Date("2025-03-12T02:00:00Z");

  it("restricts 15 days, then 30, then suspends until lifted", () => {
    expect(penaltyFor(1, t0)).toEqual({ penalty: "RESTRICTED_15_DAYS", endsAt: new Date(t0.getTime() + 15 * DAY_MS) });
    expect(penaltyFor(2, t0)).toEqual({ penalty: "RESTRICTED_30_DAYS", endsAt: new Date(t0.getTime() + 30 * DAY_MS) });
    expect(penaltyFor(3, t0)).toEqual({ penalty: "SUSPENDED", endsAt: null });
    expect(penaltyFor(7, t0)).toEqual({ penalty: "SUSPENDED", endsAt: null });
  });

  it("is in force through day 15 and over on day 16", () => {
    const r = { startsAt: t0, endsAt: penaltyFor(1, t0).endsAt, liftedAt: null };
    expect(restrictionActive(r, t0)).toBe(true);
    expect(restrictionActive(r, new Date(t0.getTime() + 15 * DAY_MS - 1))).toBe(true);
    expect(restrictionActive(r, new Date(t0.getTime() + 15 * DAY_MS))).toBe(false);
    expect(restrictionActive({ startsAt: t0, endsAt: null, liftedAt: null }, new Date(t0.getTime() + 3650 * DAY_MS))).toBe(true);
    expect(restrictionActive({ startsAt: t0, endsAt: null, liftedAt: new Date(t0.getTime() + DAY_MS) }, new Date(t0.getTime() + 2 * DAY_MS))).toBe(false);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reversal, split } from "../../../src/modules/settlement/index.js";

const input = fc.record({
  baseFen: fc.integer({ min: 1, max: 50_000_000 }),
  promoted: fc.boolean(),
  commissionRateBps: fc.integer({ min: 100, max: 9_000 }),
  technicalRateBps: fc.integer({ min: 0, max: 1_000 }),
  enrolled: fc.boolean(),
  fanxingRateBps: fc.integer({ min: 0, max: 500 }),
  fanxingLineFen: fc.integer({ min: 0, max: 10_000_000 }),
  settledBeforeFen: fc.integer({ min: 0, max: 20_000_000 }),
});

describe("R16 split", () => {
  it("adds up to the base, no part negative, the 凡星 part within the base and below the line", () => {
    fc.assert(
      fc.property(input, (i) => {
        const s = split(i);
        expect(s.merchantFen + s.promoterFen + s.promotionFeeFen + s.technicalFeeFen).toBe(i.baseFen);
        expect(s.commissionFen).toBe(s.promoterFen + s.promotionFeeFen);
        for (const part of [s.merchantFen, s.promoterFen, s.promotionFeeFen, s.technicalFeeFen, s.fanxingBaseFen]) expect(part).toBeGreaterThanOrEqual(0);
        expect(s.fanxingBaseFen).toBeLessThanOrEqual(i.enrolled ? Math.max(0, i.fanxingLineFen - i.settledBeforeFen) : 0);
        if (!i.promoted) expect(s.commissionFen).toBe(0);
      }),
    );
  });

  it("works the demo's bangle by hand: 1,288.00 at 35% and a 5% technical fee", () => {
    expect(
      split({ baseFen: 128_800, promoted: true, commissionRateBps: 3_500, technicalRateBps: 500, enrolled: false, fanxingRateBps: 100, fanxingLineFen: 10_000_000, settledBeforeFen: 0 }),
    ).toEqual({ commissionFen: 45_080, promotionFeeFen: 4_508, promoterFen: 40_572, fanxingBaseFen: 0, technicalFeeFen: 6_440, merchantFen: 77_280 });
  });

  it("splits the order that crosses the 凡星 line at the line, rounding the technical fee once", () => {
    // 99,999.99 settled before; 0.01 below the line at 1%, 100.00 above it at 5%: 0.0001 + 5.00 → 5.00.
    const s = split({ baseFen: 10_001, promoted: false, commissionRateBps: 0, technicalRateBps: 500, enrolled: true, fanxingRateBps: 100, fanxingLineFen: 10_000_000, settledBeforeFen: 9_999_999 });
    expect(s).toMatchObject({ fanxingBaseFen: 1, technicalFeeFen: 500, merchantFen: 9_501 });
  });
});

describe("reversal of a refund after settlement", () => {
  it("adds up to the refund, and refunds that add up to the base take back exactly each part", () => {
    fc.assert(
      fc.property(input, fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 6 }), (i, weights) => {
        const s = split(i);
        const parts = { baseFen: i.baseFen, promoterFen: s.promoterFen, promotionFeeFen: s.promotionFeeFen, technicalFeeFen: s.technicalFeeFen, merchantFen: s.merchantFen };
        // Cut the base into refunds proportional to the weights (the last one takes what is left).
        const total = weights.reduce((a, b) => a + b, 0);
        const amounts = weights.map((w) => Math.floor((i.baseFen * w) / total));
        amounts[amounts.length - 1]! += i.baseFen - amounts.reduce((a, b) => a + b, 0);
        let before = 0;
        const back = { promoterFen: 0, promotionFeeFen: 0, technicalFeeFen: 0, merchantFen: 0 };
        for (const amount of amounts.filter((a) => a > 0)) {
          const r = reversal(parts, before, amount);
          expect(r.promoterFen + r.promotionFeeFen + r.technicalFeeFen + r.merchantFen).toBe(amount);
          for (const k of Object.keys(back) as (keyof typeof back)[]) back[k] += r[k];
          before += amount;
        }
        expect(back).toEqual({ promoterFen: s.promoterFen, promotionFeeFen: s.promotionFeeFen, technicalFeeFen: s.technicalFeeFen, merchantFen: s.merchantFen });
      }),
    );
  });
});

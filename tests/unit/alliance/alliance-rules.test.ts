import { describe, expect, it } from "vitest";
import {
  changeRate,
  checkPayoutAccount,
  checkPid,
  checkRate,
  chinaTimeOfDayMs,
  CommissionPlanErrorCode,
  dsrHundredths,
  effectiveRateBps,
  EligibilityRule,
  evaluateEligibility,
  isPermutation,
  mayRetry,
  missingOnboardingSteps,
  nextChinaMidnight,
  onboardingErrors,
  OnboardingStep,
  parseRatePercent,
  retryAfter,
  type EligibilityFacts,
} from "../../../src/modules/alliance/alliance.rules.js";

const eligible: EligibilityFacts = {
  ownerBanned: false,
  shopStatus: "NORMAL",
  creditScore: 1,
  gmvFen: 10_000,
  dsrPoints: 3 * 47,
  dsrRatings: 10,
  seriousViolations: 0,
  shortSettlementEnabled: false,
};
const failed = (facts: Partial<EligibilityFacts>) => evaluateEligibility({ ...eligible, ...facts }).filter((c) => !c.passed);
const china = (time: string, day = "2026-03-10") => new Date(`${day}T${time}+08:00`);

describe("eligibility rules (R1, R2)", () => {
  it("passes a shop at every threshold", () => {
    expect(failed({})).toEqual([]);
    expect(evaluateEligibility(eligible).map((c) => c.rule)).toEqual(Object.values(EligibilityRule));
  });

  it("GMV: 99.99 yuan fails, 100.00 passes", () => {
    expect(failed({ gmvFen: 9_999 })).toEqual([{ rule: EligibilityRule.GMV_LAST_30_DAYS, passed: false, value: "99.99", threshold: ">= 100.00" }]);
    expect(failed({ gmvFen: 10_000 })).toEqual([]);
  });

  it("DSR: 4.69 fails, 4.70 passes, is truncated (4.699 fails) and needs ratings", () => {
    expect(dsrHundredths(3 * 469, 100)).toBe(469);
    expect(failed({ dsrPoints: 3 * 469, dsrRatings: 100 })).toEqual([
      { rule: EligibilityRule.DSR_LAST_90_DAYS, passed: false, value: "4.69", threshold: ">= 4.70" },
    ]);
    expect(failed({ dsrPoints: 3 * 470, dsrRatings: 100 })).toEqual([]);
    expect(failed({ dsrPoints: 3 * 4_699, dsrRatings: 1_000 })[0]).toMatchObject({ value: "4.69", passed: false });
    expect(failed({ dsrPoints: 0, dsrRatings: 0 })[0]).toMatchObject({ value: "NO_RATINGS", passed: false });
    expect(failed({ dsrPoints: 15, dsrRatings: 1 })).toEqual([]);
  });

  it("credit above 0, NORMAL status, not banned, no serious violation, no short settlement", () => {
    expect(failed({ creditScore: 0 }).map((c) => c.rule)).toEqual([EligibilityRule.CREDIT_SCORE_POSITIVE]);
    expect(failed({ shopStatus: "CART_DISABLED" }).map((c) => c.rule)).toEqual([EligibilityRule.SHOP_STATUS_NORMAL]);
    expect(failed({ ownerBanned: true }).map((c) => c.rule)).toEqual([EligibilityRule.ACCOUNT_NOT_BANNED]);
    expect(failed({ seriousViolations: 1 }).map((c) => c.rule)).toEqual([EligibilityRule.NO_SERIOUS_QUALITY_VIOLATION_365_DAYS]);
    expect(failed({ shortSettlementEnabled: true }).map((c) => c.rule)).toEqual([EligibilityRule.SHORT_SETTLEMENT_DISABLED]);
  });

  it("retry: 23h59m59.999s after the failure is too early, 24h is fine", () => {
    const failedAt = new Date("2026-03-10T04:00:00.000Z");
    expect(retryAfter(failedAt).toISOString()).toBe("2026-03-11T04:00:00.000Z");
    const retryAt = retryAfter(failedAt);
    expect(mayRetry(retryAt, new Date("2026-03-11T03:59:00.000Z"))).toBe(false);
    expect(mayRetry(retryAt, new Date("2026-03-11T03:59:59.999Z"))).toBe(false);
    expect(mayRetry(retryAt, new Date("2026-03-11T04:00:00.000Z"))).toBe(true);
  });
});

describe("commission rates (R4, R5)", () => {
  it("parses percentages with at most two decimals into basis points", () => {
    expect(parseRatePercent("12.5")).toBe(1_250);
    expect(parseRatePercent("1")).toBe(100);
    expect(parseRatePercent("0.99")).toBe(99);
    for (const bad of ["", "1.234", "-1", "1e1", "abc", "1.", ".5", "1000"]) expect(parseRatePercent(bad)).toBeNull();
  });

  it("accepts 1% to 90%: 0.99 and 90.01 are out of range", () => {
    expect(checkRate("0.99")).toMatchObject({ error: { code: CommissionPlanErrorCode.RATE_OUT_OF_RANGE } });
    expect(checkRate("1")).toEqual({ bps: 100 });
    expect(checkRate("90")).toEqual({ bps: 9_000 });
    expect(checkRate("90.01")).toMatchObject({ error: { code: CommissionPlanErrorCode.RATE_OUT_OF_RANGE } });
    expect(checkRate("ten")).toMatchObject({ error: { code: CommissionPlanErrorCode.INVALID_RATE } });
  });

  it("knows China time: UTC+8, midnight of the next China day", () => {
    expect(chinaTimeOfDayMs(china("23:50:00"))).toBe((23 * 60 + 50) * 60_000);
    expect(nextChinaMidnight(china("23:49:00")).toISOString()).toBe("2026-03-10T16:00:00.000Z");
    expect(nextChinaMidnight(china("00:00:00", "2026-03-11")).toISOString()).toBe("2026-03-11T16:00:00.000Z");
    // 07:59 UTC on 10 March is still 10 March in China; 16:00 UTC is already 11 March.
    expect(nextChinaMidnight(new Date("2026-03-10T07:59:00Z")).toISOString()).toBe("2026-03-10T16:00:00.000Z");
    expect(nextChinaMidnight(new Date("2026-03-10T16:00:00Z")).toISOString()).toBe("2026-03-11T16:00:00.000Z");
  });

  it("an increase applies at once; a decrease at 23:49 waits for midnight; at 23:50 it is refused", () => {
    const plan = { rateBps: 2_000, pendingRateBps: null, pendingEffectiveAt: null };
    expect(changeRate(plan, 2_500, china("23:55:00"))).toEqual({ rates: { rateBps: 2_500, pendingRateBps: null, pendingEffectiveAt: null } });
    const down = changeRate(plan, 1_500, china("23:49:59.999"));
    expect(down).toEqual({ rates: { rateBps: 2_000, pendingRateBps: 1_500, pendingEffectiveAt: china("00:00:00", "2026-03-11") } });
    expect(changeRate(plan, 1_500, china("23:50:00"))).toMatchObject({ error: { code: CommissionPlanErrorCode.DECREASE_WINDOW_CLOSED } });
    expect(changeRate(plan, 1_500, china("00:00:00", "2026-03-11"))).toMatchObject({ rates: { pendingRateBps: 1_500 } });

    const scheduled = (down as { rates: Parameters<typeof effectiveRateBps>[0] }).rates;
    expect(effectiveRateBps(scheduled, china("23:59:59.999"))).toBe(2_000);
    expect(effectiveRateBps(scheduled, china("00:00:00", "2026-03-11"))).toBe(1_500);
    // After midnight the pending rate is the current one: raising from it, or cutting again, starts from 15%.
    expect(changeRate(scheduled, 1_800, china("09:00:00", "2026-03-11"))).toEqual({ rates: { rateBps: 1_800, pendingRateBps: null, pendingEffectiveAt: null } });
    expect(changeRate(scheduled, 1_000, china("09:00:00", "2026-03-11"))).toMatchObject({ rates: { rateBps: 1_500, pendingRateBps: 1_000 } });
    // Before midnight, setting the current rate again withdraws the scheduled decrease, even inside 23:50–24:00.
    expect(changeRate(scheduled, 2_000, china("23:55:00"))).toEqual({ rates: { rateBps: 2_000, pendingRateBps: null, pendingEffectiveAt: null } });
  });
});

describe("promoters (R6, R7)", () => {
  it("names every missing onboarding step", () => {
    expect(missingOnboardingSteps({ hasOwnShop: false, pidBound: false, payoutSigned: false })).toEqual([
      OnboardingStep.OWN_SHOP,
      OnboardingStep.PROMOTION_PID,
      OnboardingStep.PAYOUT_ACCOUNT,
    ]);
    expect(onboardingErrors({ hasOwnShop: true, pidBound: false, payoutSigned: true }).map((e) => e.code)).toEqual(["PROMOTION_PID_MISSING"]);
    expect(onboardingErrors({ hasOwnShop: true, pidBound: true, payoutSigned: true })).toEqual([]);
  });

  it("checks PIDs and payout accounts", () => {
    expect(checkPid("ks_pid_01")).toBeNull();
    expect(checkPid("short")?.code).toBe("INVALID_PID");
    expect(checkPid("has space")?.code).toBe("INVALID_PID");
    expect(checkPayoutAccount("Xu", "xu@example.com")).toEqual([]);
    expect(checkPayoutAccount(" ", "1")).toHaveLength(2);
  });

  it("a reorder names every shelf product exactly once", () => {
    expect(isPermutation([1, 2, 3], [3, 1, 2])).toBe(true);
    expect(isPermutation([1, 2, 3], [3, 1])).toBe(false);
    expect(isPermutation([1, 2, 3], [3, 3, 1])).toBe(false);
    expect(isPermutation([1, 2], [1, 4])).toBe(false);
    expect(isPermutation([], [])).toBe(true);
  });
});

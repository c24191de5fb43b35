import { describe, expect, it } from "vitest";
import { deductionsFor, restricted } from "../../../src/modules/governance/credit.rules.js";
import { recovery, shortfall, splitTopUp, tierOf } from "../../../src/modules/governance/deposit.rules.js";

const terms = { startScore: 100, deductions: { DESCRIPTION_MISMATCH: 10, PASSIVE_HANDLING: 20, LOST_ARBITRATION: 15 } };
const tiers = [
  { salesFen: 0, depositFen: 0 },
  { salesFen: 10_000_000, depositFen: 200_000 },
  { salesFen: 100_000_000, depositFen: 1_000_000 },
];

describe("credit deductions (R17)", () => {
  it("deducts per outcome, adding up, and nothing for the merchant's wins or withdrawals", () => {
    expect(deductionsFor({ reason: "DESCRIPTION_MISMATCH", outcome: "MERCHANT_ACCEPTED" }, terms)).toEqual([{ cause: "DESCRIPTION_MISMATCH", points: -10 }]);
    expect(deductionsFor({ reason: "QUALITY", outcome: "PASSIVE_HANDLING" }, terms)).toEqual([{ cause: "PASSIVE_HANDLING", points: -20 }]);
    expect(deductionsFor({ reason: "DESCRIPTION_MISMATCH", outcome: "ARBITRATED_FOR_BUYER" }, terms)).toEqual([
      { cause: "DESCRIPTION_MISMATCH", points: -10 },
      { cause: "LOST_ARBITRATION", points: -15 },
    ]);
    expect(deductionsFor({ reason: "DESCRIPTION_MISMATCH", outcome: "ARBITRATED_FOR_MERCHANT" }, terms)).toEqual([]);
    expect(deductionsFor({ reason: "DESCRIPTION_MISMATCH", outcome: "WITHDRAWN" }, terms)).toEqual([]);
    expect(deductionsFor({ reason: "OTHER", outcome: "AUTO_CLOSED_FOR_BUYER" }, terms)).toEqual([]);
    expect(deductionsFor({ reason: "QUALITY", outcome: "PASSIVE_HANDLING" }, { ...terms, deductions: { ...terms.deductions, PASSIVE_HANDLING: 0 } })).toEqual([]);
  });

  it("holds a shop at 0 and below, not above", () => {
    expect([restricted(1), restricted(0), restricted(-5)]).toEqual([false, true, true]);
  });
});

describe("deposits (梯度保证金) and 先行赔付", () => {
  it("puts a threshold in its own tier", () => {
    expect(tierOf(0, tiers).depositFen).toBe(0);
    expect(tierOf(9_999_999, tiers).depositFen).toBe(0);
    expect(tierOf(10_000_000, tiers).depositFen).toBe(200_000);
    expect(tierOf(99_999_999, tiers).depositFen).toBe(200_000);
    expect(tierOf(100_000_000, tiers).depositFen).toBe(1_000_000);
  });

  it("recovers from the deposit as far as it goes, settles what is owed first, and counts it in the shortfall", () => {
    expect(recovery(5_000, 10_000)).toEqual({ fromDeposit: 5_000, receivable: 0 });
    expect(recovery(5_000, 2_000)).toEqual({ fromDeposit: 2_000, receivable: 3_000 });
    expect(recovery(5_000, 0)).toEqual({ fromDeposit: 0, receivable: 5_000 });
    expect(splitTopUp(10_000, 3_000)).toEqual({ toReceivable: 3_000, toDeposit: 7_000 });
    expect(splitTopUp(1_000, 3_000)).toEqual({ toReceivable: 1_000, toDeposit: 0 });
    expect(shortfall(200_000, 150_000, 3_000)).toBe(53_000);
    expect(shortfall(0, 7_000, 0)).toBe(0);
  });
});

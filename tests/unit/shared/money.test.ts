import { describe, expect, it } from "vitest";
import { applyRate, divideHalfEven, formatFen, parseAmount } from "../../../src/shared/money.js";

describe("money", () => {
  it("formats fen as a two-decimal yuan string", () => {
    expect(formatFen(0)).toBe("0.00");
    expect(formatFen(5)).toBe("0.05");
    expect(formatFen(1234)).toBe("12.34");
    expect(formatFen(-1234)).toBe("-12.34");
    expect(formatFen(10_000_000_000)).toBe("100000000.00");
  });

  it("parses decimal strings exactly and refuses anything else", () => {
    expect(parseAmount("12.34")).toBe(1234);
    expect(parseAmount("12.3")).toBe(1230);
    expect(parseAmount("12")).toBe(1200);
    expect(parseAmount("0.01")).toBe(1);
    expect(parseAmount("99.99")).toBe(9999);
    for (const bad of ["", "1.234", "-1", "1e3", "abc", "1.", ".5", "NaN", "12,00"]) expect(parseAmount(bad)).toBeNull();
  });

  it("applies basis-point rates with half-even rounding to the fen", () => {
    expect(applyRate(10_000, 2_000)).toBe(2_000); // 20% of 100.00
    expect(applyRate(5, 1_000)).toBe(0); // 0.5 fen → 0 (even)
    expect(applyRate(15, 1_000)).toBe(2); // 1.5 fen → 2 (even)
    expect(applyRate(25, 1_000)).toBe(2); // 2.5 fen → 2 (even)
    expect(applyRate(35, 1_000)).toBe(4); // 3.5 fen → 4
    expect(applyRate(1, 9_000)).toBe(1); // 0.9 → 1
    expect(divideHalfEven(-25n, 10n)).toBe(-2n);
  });
});

import { describe, expect, it } from "vitest";
import { answerOnTime, deadlines, mayOpenOn, mayStep, overdue, paysByCompensation } from "../../../src/modules/after-sales/after-sales.rules.js";

const terms = { windowDays: 15, answerHours: 48 };
const t0 = new Date("2026-11-06T00:00:00+08:00");
const plus = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;
const DAY = 86_400_000;

describe("after-sales rules (R17)", () => {
  it("opens before receipt and within the window after it", () => {
    expect(mayOpenOn({ status: "SHIPPED", receivedAt: null }, t0, terms)).toBe("ok");
    expect(mayOpenOn({ status: "RECEIVED", receivedAt: t0 }, plus(15 * DAY), terms)).toBe("ok");
    expect(mayOpenOn({ status: "SETTLED", receivedAt: t0 }, plus(15 * DAY + 1), terms)).toBe("window");
    expect(mayOpenOn({ status: "REFUNDED", receivedAt: null }, t0, terms)).toBe("status");
    expect(mayOpenOn({ status: "CANCELLED", receivedAt: null }, t0, terms)).toBe("status");
  });

  it("takes the answer up to its deadline, and closes on day 15", () => {
    const { answerDueAt, closesBy } = deadlines(t0, terms);
    expect(answerOnTime(answerDueAt, plus(48 * 3_600_000 - MIN))).toBe(true);
    expect(answerOnTime(answerDueAt, answerDueAt)).toBe(true);
    expect(answerOnTime(answerDueAt, plus(48 * 3_600_000 + MIN))).toBe(false);
    expect(overdue(closesBy, plus(14 * DAY))).toBe(false);
    expect(overdue(closesBy, plus(15 * DAY))).toBe(true);
  });

  it("allows each step only from its statuses", () => {
    expect(mayStep("ANSWER", "AWAITING_MERCHANT")).toBe(true);
    expect(mayStep("ANSWER", "REJECTED")).toBe(false);
    expect(mayStep("ESCALATE", "AWAITING_MERCHANT")).toBe(false);
    expect(mayStep("ESCALATE", "PARTIAL_OFFERED")).toBe(true);
    expect(mayStep("ARBITRATE", "REJECTED")).toBe(false);
    expect(mayStep("WITHDRAW", "CLOSED")).toBe(false);
  });

  it("pays quality and freight on completed trades by 先行赔付, everything else by refund", () => {
    expect(paysByCompensation("QUALITY", "RECEIVED")).toBe(true);
    expect(paysByCompensation("FREIGHT", "SETTLED")).toBe(true);
    expect(paysByCompensation("QUALITY", "SHIPPED")).toBe(false);
    expect(paysByCompensation("DESCRIPTION_MISMATCH", "SETTLED")).toBe(false);
  });
});

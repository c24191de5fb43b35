import { describe, expect, it } from "vitest";
import { checkShopDraft, initialShopStatus } from "../../../src/modules/catalog/catalog.rules.js";
import { checkScores, checkViolationDraft, MAX_EVIDENCE_ITEMS } from "../../../src/modules/governance/governance.rules.js";
import { characterCount, checkText, TEXT_LIMITS } from "../../../src/shared/text.js";

const codes = (errors: { code: string }[]) => errors.map((e) => e.code);
const now = new Date("2026-12-01T12:00:00Z");

describe("DSR scores", () => {
  it("are whole numbers from 1 to 5, each named when wrong", () => {
    expect(checkScores({ description: 1, service: 5, logistics: 3 })).toEqual([]);
    expect(checkScores({ description: 0, service: 6, logistics: 4.5 }).map((e) => e.field)).toEqual([["description"], ["service"], ["logistics"]]);
  });
});

describe("quality violations", () => {
  const ok = { reason: "抽检不合格", evidence: ["report QC-1"], occurredAt: now };
  it("need a reason and 1–20 pieces of evidence, and have happened", () => {
    expect(checkViolationDraft(ok, now)).toEqual([]);
    // the reason's and each item's text (blank, length) are the API text validator's: shared/text.ts
    expect(() => checkText("  ", TEXT_LIMITS.violationReason, "input.reason")).toThrow();
    expect(() => checkText("x".repeat(TEXT_LIMITS.violationReason.max + 1), TEXT_LIMITS.violationReason, "input.reason")).toThrow();
    expect(codes(checkViolationDraft({ ...ok, evidence: [] }, now))).toEqual(["EVIDENCE_REQUIRED"]);
    expect(codes(checkViolationDraft({ ...ok, evidence: Array(MAX_EVIDENCE_ITEMS + 1).fill("e") }, now))).toEqual(["INVALID_EVIDENCE"]);
    expect(() => checkText(" ", TEXT_LIMITS.evidence, "input.evidence.1")).toThrow();
    // boundary: now is fine, a millisecond later is not
    expect(checkViolationDraft({ ...ok, occurredAt: new Date(now.getTime()) }, now)).toEqual([]);
    expect(codes(checkViolationDraft({ ...ok, occurredAt: new Date(now.getTime() + 1) }, now))).toEqual(["OCCURRED_IN_FUTURE"]);
  });
});

describe("shop drafts", () => {
  it("name 1–60 characters; a cross-border shop names its bonded warehouse, a regular one none", () => {
    expect(checkShopDraft({ name: "翠玉坊", kind: "REGULAR", bondedWarehouse: null })).toEqual([]);
    expect(checkShopDraft({ name: "海淘", kind: "CROSS_BORDER", bondedWarehouse: "宁波保税仓" })).toEqual([]);
    expect(() => checkText("x".repeat(61), TEXT_LIMITS.shopName, "input.name")).toThrow();
    expect(characterCount(checkText("翠".repeat(60), TEXT_LIMITS.shopName, "input.name"))).toBe(60);
    expect(codes(checkShopDraft({ name: "x".repeat(60), kind: "REGULAR", bondedWarehouse: null }))).toEqual([]);
    expect(codes(checkShopDraft({ name: "海淘", kind: "CROSS_BORDER", bondedWarehouse: "  " }))).toEqual(["BONDED_WAREHOUSE_REQUIRED"]);
    expect(codes(checkShopDraft({ name: "店", kind: "REGULAR", bondedWarehouse: "宁波保税仓" }))).toEqual(["BONDED_WAREHOUSE_NOT_ALLOWED"]);
  });

  it("open NORMAL, or UNDER_REVIEW when cross-border", () => {
    expect(initialShopStatus("REGULAR")).toBe("NORMAL");
    expect(initialShopStatus("CROSS_BORDER")).toBe("UNDER_REVIEW");
  });
});

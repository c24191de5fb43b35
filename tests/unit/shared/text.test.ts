import { describe, expect, it } from "vitest";
import { characterCount, checkAnyString, checkText, columnLimit, MAX_ANY_STRING, TEXT_LIMITS } from "../../../src/shared/text.js";

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string; field?: string } }).extensions;
  }
  return null;
};

describe("the one text validator", () => {
  const title = { max: 10 };

  it("counts user-perceived characters, not UTF-16 units", () => {
    expect(characterCount("abc")).toBe(3);
    expect(characterCount("😀😀")).toBe(2);
    expect(characterCount("👨‍👩‍👧‍👦")).toBe(1);
    expect(characterCount("🇨🇳")).toBe(1);
    expect(characterCount("é")).toBe(1); // e + combining acute
    expect(characterCount("翡翠手镯")).toBe(4);
  });

  it("trims, and keeps text at its maximum in characters however many UTF-16 units it takes", () => {
    expect(checkText("  jade  ", title, "title")).toBe("jade");
    expect(checkText("😀".repeat(10), title, "title")).toBe("😀".repeat(10));
    expect(checkText("👨‍👩‍👧‍👦".repeat(1), title, "title")).toBe("👨‍👩‍👧‍👦");
    expect(refused(() => checkText("😀".repeat(11), title, "title"))).toEqual({ code: "BAD_USER_INPUT", field: "title" });
    expect(refused(() => checkText("x".repeat(11), title, "title"))).toEqual({ code: "BAD_USER_INPUT", field: "title" });
  });

  it("refuses NUL and unpaired surrogates anywhere", () => {
    expect(refused(() => checkText("a\u0000b", title, "title"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(refused(() => checkText("a\uD800b", title, "title"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(refused(() => checkText("a\uDC00", title, "title"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(refused(() => checkAnyString("id\u0000", "id"))).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
    expect(refused(() => checkAnyString("\uDFFF", "id"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(refused(() => checkAnyString("x".repeat(MAX_ANY_STRING + 1), "id"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(refused(() => checkAnyString("😀", "id"))).toBeNull();
  });

  it("refuses blank and invisible-only text, and control characters (line breaks only where multi-line)", () => {
    for (const blank of ["", "   ", "\u200B\u200B", "\u3000", "\uFEFF", "\u200D\u2060", "\u00A0\t", "\u115F", "\u{E0020}"]) {
      expect(refused(() => checkText(blank, title, "title")), JSON.stringify(blank)).toMatchObject({ code: "BAD_USER_INPUT" });
    }
    expect(checkText("", { max: 10, allowEmpty: true }, "note")).toBe("");
    expect(refused(() => checkText("\u200B", { max: 10, allowEmpty: true }, "note"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(refused(() => checkText("a\nb", title, "title"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(checkText("a\nb", { max: 10, multiline: true }, "note")).toBe("a\nb");
    expect(refused(() => checkText("a\u0007b", { max: 10, multiline: true }, "note"))).toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("bounds combining marks by the column's code-point limit (max × 4)", () => {
    const zalgo = "a" + "\u0301".repeat(40);
    expect(characterCount(zalgo)).toBe(1);
    expect(columnLimit(title)).toBe(40);
    expect(refused(() => checkText(zalgo, title, "title"))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(checkText("a" + "\u0301".repeat(39), title, "title")).toHaveLength(40);
  });

  it("documents a maximum for every free-text field", () => {
    expect(TEXT_LIMITS.productTitle.max).toBe(120);
    expect(TEXT_LIMITS.liveSessionTitle.max).toBe(100);
    for (const rule of Object.values(TEXT_LIMITS)) expect(rule.max).toBeGreaterThan(0);
  });
});

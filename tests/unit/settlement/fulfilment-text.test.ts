import { describe, expect, it } from "vitest";
import { cleanText } from "../../../src/modules/fulfilment/fulfilment.rules.js";
import { TEXT_LIMITS } from "../../../src/shared/text.js";

/** Fulfilment's reasons and shipment texts follow the one shared text rule, also when another module refunds. */
describe("fulfilment text", () => {
  it("counts user-perceived characters, not code points", () => {
    const family = "e\u0301"; // one character (é), two code points
    expect(cleanText(family.repeat(TEXT_LIMITS.adminReason.max), TEXT_LIMITS.adminReason)).not.toBeNull();
    expect(cleanText(family.repeat(TEXT_LIMITS.adminReason.max + 1), TEXT_LIMITS.adminReason)).toBeNull();
  });

  it("trims, keeps a multi-line reason, refuses blank, invisible-only, NUL and a line break in a tracking number", () => {
    expect(cleanText("  damaged in transit\nbox crushed  ", TEXT_LIMITS.adminReason)).toBe("damaged in transit\nbox crushed");
    expect(cleanText("   ", TEXT_LIMITS.adminReason)).toBeNull();
    expect(cleanText("\u200b\u200b", TEXT_LIMITS.adminReason)).toBeNull();
    expect(cleanText("a\u0000b", TEXT_LIMITS.adminReason)).toBeNull();
    expect(cleanText("SF123\n456", TEXT_LIMITS.shipmentText)).toBeNull();
    expect(cleanText(" SF1234567890 ", TEXT_LIMITS.shipmentText)).toBe("SF1234567890");
  });
});

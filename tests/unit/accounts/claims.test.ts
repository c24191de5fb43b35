import { describe, expect, it } from "vitest";
import { claimAt } from "../../../src/shared/jwks.js";

describe("claim names", () => {
  it("read a claim by its name, a dotted name as a path, and a key with dots as it is", () => {
    const payload = { sub: "u1", app: { role: "MERCHANT" }, "https://liveshelf.example/role": "PROMOTER" };
    expect(claimAt(payload, "sub")).toBe("u1");
    expect(claimAt(payload, "app.role")).toBe("MERCHANT");
    expect(claimAt(payload, "https://liveshelf.example/role")).toBe("PROMOTER");
    expect(claimAt(payload, "app.missing.deeper")).toBeUndefined();
    expect(claimAt(payload, "sub.length")).toBeUndefined();
  });
});

import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { Role, TokenService } from "../../../src/shared/auth.js";

const SECRET = "unit-secret-unit-secret-unit-secret-01";
const tokens = new TokenService(SECRET, 3600);
const key = new TextEncoder().encode(SECRET);

describe("bearer tokens", () => {
  it("round-trips a minted token, and answers again from its cache", async () => {
    const token = await tokens.mint(42, Role.MERCHANT);
    expect(await tokens.verify(token)).toMatchObject({ local: true, subject: "42", role: "MERCHANT" });
    expect(await tokens.verify(token)).toMatchObject({ local: true, subject: "42", role: "MERCHANT" });
  });

  it("refuses tampered, foreign, unsigned, expired and malformed tokens", async () => {
    const token = await tokens.mint(7, Role.BUYER);
    const [h, p, s] = token.split(".") as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ role: "ADMIN", sub: "7", iss: "liveshelf", exp: 9_999_999_999 })).toString("base64url");
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${p}.`;
    const foreign = await new SignJWT({ role: "ADMIN" }).setProtectedHeader({ alg: "HS256" }).setSubject("7").setIssuer("liveshelf").setExpirationTime("1h").sign(new TextEncoder().encode("x".repeat(40)));
    const otherIssuer = await new SignJWT({ role: "ADMIN" }).setProtectedHeader({ alg: "HS256" }).setSubject("7").setIssuer("elsewhere").setExpirationTime("1h").sign(key);
    const expired = await tokens.mint(7, Role.BUYER, -5);
    for (const bad of [`${h}.${forgedPayload}.${s}`, none, foreign, otherIssuer, expired, "a.b", "x".repeat(5000), `${h}.${p}.${s.slice(0, -2)}`]) {
      await expect(tokens.verify(bad)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    }
  });
});

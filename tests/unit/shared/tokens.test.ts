import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { protectedHeader, Role, TokenService } from "../../../src/shared/auth.js";

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

  it("checks HS256 as jose signs it, for short, block-sized and longer-than-a-block secrets", async () => {
    // The key's HMAC blocks are hashed once (RFC 2104 by hand): a secret over 64 bytes is hashed first.
    for (const secret of ["s".repeat(32), "b".repeat(64), "l".repeat(65), "é".repeat(50)]) {
      const verifier = new TokenService(secret, 3600);
      const signed = await new SignJWT({ role: "BUYER" }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject("9").setIssuer("liveshelf").setExpirationTime("1h").sign(new TextEncoder().encode(secret));
      expect(await verifier.verify(signed)).toMatchObject({ local: true, subject: "9", role: "BUYER" });
      const other = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("9").setIssuer("liveshelf").setExpirationTime("1h").sign(new TextEncoder().encode(`${secret}!`));
      await expect(verifier.verify(other)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    }
  });

  it("reads a token's protected header, and nothing from what is not a compact JWS", async () => {
    const token = await tokens.mint(5, Role.BUYER);
    expect(protectedHeader(token)).toEqual({ alg: "HS256" });
    expect(protectedHeader(token)).toBe(protectedHeader(await tokens.mint(6, Role.BUYER)));
    const encode = (value: string) => Buffer.from(value).toString("base64url");
    const long = { alg: "RS256", x5c: ["c".repeat(3000)] };
    expect(protectedHeader(`${encode(JSON.stringify(long))}.x.y`)).toEqual(long);
    for (const bad of ["", "nodot", `.${encode("{}")}`, `${encode("[1]")}.x.y`, `${encode("not json")}.x.y`, `${encode("null")}.x.y`, `${"a".repeat(2000)}.x.y`]) {
      expect(protectedHeader(bad)).toBeNull();
    }
  });
});

import { describe, expect, it } from "vitest";
import { clientAddress } from "../../../src/http/operation-guard.js";
import { MessageRate, onTokenExpiry, originAllowed } from "../../../src/http/ws-guards.js";

describe("WebSocket guards", () => {
  it.each([
    [undefined, [], "production", true], // native app or server: no Origin
    ["https://evil.example", [], "embedded", true], // embedded default, empty list: anyone
    ["https://evil.example", [], "production", false],
    ["http://gw.example:4000", [], "production", true], // same origin as the Host: the gateway's own GraphiQL
    ["https://overlay.example", ["https://overlay.example"], "production", true],
    ["https://evil.example", ["https://overlay.example"], "embedded", false], // a list applies in every mode
    ["not a url", [], "production", false],
  ] as const)("origin %s with allowlist %j in %s mode → %s", (origin, allowed, mode, expected) => {
    expect(originAllowed(origin, "gw.example:4000", allowed, mode)).toBe(expected);
  });

  it("caps messages per second with bursts of as many", () => {
    let now = 0;
    const rate = new MessageRate(5, () => now);
    expect(Array.from({ length: 6 }, () => rate.allow())).toEqual([true, true, true, true, true, false]);
    now = 200;
    expect([rate.allow(), rate.allow()]).toEqual([true, false]);
  });

  it("fires at the token's expiry, and not once cancelled", async () => {
    let fired = 0;
    onTokenExpiry(Date.now() / 1000 + 0.05, () => fired++);
    const cancel = onTokenExpiry(Date.now() / 1000 + 0.05, () => fired++);
    cancel();
    onTokenExpiry(Date.now() / 1000 - 1, () => fired++); // already expired: at once
    expect(fired).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(fired).toBe(2);
  });

  it("takes the caller's address from the socket, or n trusted proxies back in X-Forwarded-For", () => {
    expect(clientAddress("10.0.0.1", "1.2.3.4", 0)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", "6.6.6.6, 1.2.3.4", 1)).toBe("1.2.3.4");
    expect(clientAddress("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", 2)).toBe("1.2.3.4");
    expect(clientAddress("10.0.0.1", undefined, 2)).toBe("10.0.0.1");
  });
});

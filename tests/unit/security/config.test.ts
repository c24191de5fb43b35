import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/env.js";

describe("security configuration", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({})).toMatchObject({
      LIMIT_MAX_DEPTH: 10,
      LIMIT_MAX_ALIASES: 20,
      LIMIT_MAX_DIRECTIVES: 20,
      LIMIT_MAX_TOKENS: 2000,
      LIMIT_MAX_COST: 1000,
      RATE_LIMIT_BUCKET_SIZE: 2000,
      RATE_LIMIT_RESTORE_RATE: 100,
      TRUST_PROXY_HOPS: 0,
      PERSISTED_QUERIES: "automatic",
      INTROSPECTION: "auto",
      HTTP_FAST_LANE: "on",
      WS_INIT_TIMEOUT_MS: 10_000,
      WS_MAX_SUBSCRIPTIONS: 20,
      WS_MAX_MESSAGES_PER_SECOND: 20,
      WS_KEEPALIVE_MS: 12_000,
      WS_ALLOWED_ORIGINS: [],
    });
  });

  it("parses the origin allowlist", () => {
    expect(loadConfig({ WS_ALLOWED_ORIGINS: "https://a.example, http://b.example:8080,null" }).WS_ALLOWED_ORIGINS).toEqual([
      "https://a.example",
      "http://b.example:8080",
      "null",
    ]);
  });

  it.each([
    [{ LIMIT_MAX_DEPTH: "0" }, "LIMIT_MAX_DEPTH"],
    [{ LIMIT_MAX_COST: "5000" }, "RATE_LIMIT_BUCKET_SIZE"],
    [{ PERSISTED_QUERIES: "allowlist" }, "OPERATIONS_MANIFEST"],
    [{ PERSISTED_QUERIES: "sometimes" }, "PERSISTED_QUERIES"],
    [{ INTROSPECTION: "maybe" }, "INTROSPECTION"],
    [{ HTTP_FAST_LANE: "yes" }, "HTTP_FAST_LANE"],
    [{ WS_INIT_TIMEOUT_MS: "5" }, "WS_INIT_TIMEOUT_MS"],
    [{ WS_KEEPALIVE_MS: "100" }, "WS_KEEPALIVE_MS"],
    [{ WS_ALLOWED_ORIGINS: "evil.example/path" }, "WS_ALLOWED_ORIGINS"],
  ])("names the variable at fault: %j", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});

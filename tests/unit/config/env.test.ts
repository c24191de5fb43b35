import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/env.js";

describe("configuration", () => {
  it("defaults to the embedded mode on port 4000", () => {
    const config = loadConfig({});
    expect(config.mode).toBe("embedded");
    expect(config.PORT).toBe(4000);
    expect(config.DATA_DIR).toBe(".liveshelf-data");
    // A reply is waited for longer than a write: a busy event loop must not read as a hung Redis.
    expect(config.REDIS_COMMAND_TIMEOUT_MS).toBe(700);
    expect(config.REDIS_REPLY_TIMEOUT_MS).toBe(2000);
  });

  it("is production with both URLs and a secret", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://x@h/db", REDIS_URL: "redis://h:6379", JWT_SECRET: "s".repeat(32) });
    expect(config.mode).toBe("production");
  });

  it.each([
    [{ PORT: "http" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x", REDIS_URL: "redis://h" }, "DATABASE_URL"],
    [{ DATABASE_URL: "postgres://x@h/db" }, "REDIS_URL"],
    [{ DATABASE_URL: "postgres://x@h/db", REDIS_URL: "redis://h" }, "JWT_SECRET"],
    [{ JWT_SECRET: "short" }, "JWT_SECRET"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ BOOTSTRAP_ADMIN_SUBJECT: "ops" }, "BOOTSTRAP_ADMIN_SUBJECT"],
    [{ DATABASE_URL: "postgres://x@h/db", REDIS_URL: "redis://h", JWKS_URL: "https://id.example/jwks.json" }, "JWT_ISSUER"],
    [{ JWKS_URL: "https://id.example/jwks.json", JWT_ISSUER: "https://id.example/", JWT_ALGORITHMS: "HS256" }, "JWT_ALGORITHMS"],
    [{ REDIS_REPLY_TIMEOUT_MS: "50" }, "REDIS_REPLY_TIMEOUT_MS"],
    [{ REDIS_REPLY_TIMEOUT_MS: "700" }, "REDIS_REPLY_TIMEOUT_MS"],
    [{ REDIS_COMMAND_TIMEOUT_MS: "3000" }, "REDIS_REPLY_TIMEOUT_MS"],
  ])("names the variable at fault: %j", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});

describe("configuration errors", () => {
  it("never echo a secret", () => {
    const secret = "abcde-not-long-enough";
    expect(() => loadConfig({ JWT_SECRET: secret })).toThrow(/JWT_SECRET: must be at least 32 characters \(got 21 characters; the value is not shown\)/);
    try {
      loadConfig({ JWT_SECRET: secret });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret);
    }
  });

  it("never echo the password of a URL", () => {
    let message = "";
    try {
      loadConfig({ DATABASE_URL: "mysql://app:hunter2-password@db/x", REDIS_URL: "redis://h", JWT_SECRET: "s".repeat(32) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("DATABASE_URL");
    expect(message).not.toContain("hunter2");
  });
});

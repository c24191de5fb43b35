import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/env.js";
import { embeddedDbDir, resolveJwtSecret } from "../../../src/config/secrets.js";

describe("the embedded JWT secret", () => {
  let cwd: string;
  let dir: string;
  beforeEach(() => {
    cwd = process.cwd();
    dir = mkdtempSync(join(tmpdir(), "liveshelf-secret-"));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it("is never written anywhere for an in-memory data dir", () => {
    const config = loadConfig({ DATA_DIR: "memory://" });
    const secret = resolveJwtSecret(config);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(resolveJwtSecret(config)).toBe(secret);
    expect(existsSync(join(dir, "memory:"))).toBe(false);
    expect(embeddedDbDir(config)).toBe("memory://");
  });

  it("is kept in a real data folder across starts", () => {
    const config = loadConfig({ DATA_DIR: "data" });
    const secret = resolveJwtSecret(config);
    expect(readFileSync(join(dir, "data", "jwt-secret"), "utf8").trim()).toBe(secret);
    expect(resolveJwtSecret(config)).toBe(secret);
    expect(embeddedDbDir(config)).toBe(join("data", "pgdata"));
  });
});

import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./env.js";

const inMemory = (config: Config) => config.DATA_DIR.startsWith("memory://");
let ephemeralSecret: string | null = null;

/**
 * Production takes JWT_SECRET; the embedded default makes one on first start and keeps it in its data folder.
 * An in-memory data dir ("memory://") keeps nothing on disk: its secret lives as long as the process.
 */
export function resolveJwtSecret(config: Config): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  if (inMemory(config)) return (ephemeralSecret ??= randomBytes(32).toString("base64url"));
  const file = join(config.DATA_DIR, "jwt-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(config.DATA_DIR, { recursive: true });
    const secret = randomBytes(32).toString("base64url");
    writeFileSync(file, secret + "\n", { mode: 0o600 });
    return secret;
  }
}

export const embeddedDbDir = (config: Config) => (inMemory(config) ? config.DATA_DIR : join(config.DATA_DIR, "pgdata"));

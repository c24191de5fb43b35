import "reflect-metadata";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { ADMIN_DATABASE_URL, databaseUrl, REDIS_URL } from "./services.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisPrefix: string;
  }
}

/** One fresh database (and Redis key prefix) per run, so runs never see each other's data. */
export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const name = `liveshelf_test_${runId}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    throw new Error(`tests need PostgreSQL at ${ADMIN_DATABASE_URL} (set TEST_ADMIN_DATABASE_URL): ${(error as Error).message}`);
  }
  const url = databaseUrl(name);
  const database = await openDatabase({ url });
  await migrateDatabase(database);
  await database.close();

  const { createClient } = await import("redis");
  const redis = createClient({ url: REDIS_URL });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`tests need Redis at ${REDIS_URL} (set TEST_REDIS_URL): ${(error as Error).message}`);
  } finally {
    await redis.quit().catch(() => {});
  }

  project.provide("databaseUrl", url);
  project.provide("redisPrefix", `liveshelf-test-${runId}:`);
  return async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  resolve: {
    // Node (npm start) loads graphql's CommonJS build for everyone, since graphql has no "exports" map. Vite would
    // hand src/ the .mjs build while type-graphql, Apollo and graphql-ws keep the CommonJS one: two graphql
    // realms, whose instanceof checks fail across. One build, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: "forks",
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "app", include: ["tests/**/*.test.ts"], exclude: ["tests/faults/**", "**/node_modules/**"] } },
      // The fault suite stops and kills its own PostgreSQL, Redis and gateway processes and measures latency
      // bounds: its files run one at a time, after the other tests, so nothing else competes for the machine.
      {
        extends: true,
        test: { name: "faults", include: ["tests/faults/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 1 }, testTimeout: 120_000 },
      },
    ],
  },
});

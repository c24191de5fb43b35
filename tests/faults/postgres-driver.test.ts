import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PrivatePostgres } from "./support/servers.js";

const probe = fileURLToPath(new URL("./support/postgres-driver-probe.ts", import.meta.url));

function run(url: string, scenario: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", probe, url, scenario], { timeout: 90_000 }, (error, out, err) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

/**
 * The postgres driver as installed (with patches/postgres+3.4.9.patch, upstream porsager/postgres PR 1209 plus the
 * teardown reset): without the patch the first case kills its process and the second never connects again.
 */
describe("the postgres driver when a connection closes under a write", () => {
  let pg: PrivatePostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.destroy());

  it("settles the write with CONNECTION_CLOSED instead of dying (issue 1208)", async () => {
    const result = await run(pg.url, "reserved");
    expect(result.err).not.toContain("TypeError");
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.out);
    expect(outcome.second).toBe("CONNECTION_CLOSED");
  });

  it("lets a connection closed with a queued write connect again (no poisoned pool)", async () => {
    const result = await run(pg.url, "poisoned");
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.out);
    expect(outcome).toMatchObject({ first: "CONNECTION_CLOSED", writesAfterQueue: 0, second: "ok" });
    expect(outcome.secondMs).toBeLessThan(2000);
  });
});

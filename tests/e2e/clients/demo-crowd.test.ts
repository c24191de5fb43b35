import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CROWD_PREFIX, runCrowd } from "../../../src/seed/demo-crowd.js";
import { buildUser } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { FlashSaleDocument } from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";

describe("npm run demo:crowd", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite");
  });
  afterAll(() => gw?.stop());

  it("sends a bounded crowd of the demo's buyers at a running sale until it sells out, and buys nothing twice when run again", async () => {
    // One unit a buyer, so ten buyers always outrun eight units.
    const s = await liveSale(gw, { units: 8, limit: 1, stock: 20 });
    for (let i = 1; i <= 10; i++) await buildUser(gw.database.db, "BUYER", `${DEMO_CROWD_PREFIX}${i}`);
    await buildUser(gw.database.db, "BUYER", "not one of the crowd");
    const options = { url: gw.url, mint: (id: number) => gw.token(id, "BUYER"), buyers: 10, rate: 100, concurrency: 4, maxSeconds: 30 };
    const lines: string[] = [];

    const first = await runCrowd({ ...options, report: (line) => lines.push(line) });
    const sale = (await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!;
    expect(first).toMatchObject({ flashSaleId: s.flashSaleId, remainingBefore: 8, remainingAfter: 0, status: "SOLD_OUT", units: 8 });
    expect(sale).toMatchObject({ status: "SOLD_OUT", soldUnits: 8, remainingUnits: 0 });
    expect(first.ordered).toBe(8);
    expect(first.refused.SOLD_OUT).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/^10 buyers → /);
    expect(lines.at(-1)).toMatch(/^done: .* 0 left, SOLD_OUT$/);

    // The same crowd again: each buyer's key replays its order; nothing more is sold.
    const again = await runCrowd({ ...options, flashSaleId: s.flashSaleId! });
    expect(again.units).toBeLessThanOrEqual(8);
    expect((await gw.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale!.soldUnits).toBe(8);
  }, 60_000);

  it("explains what to do when the database has no crowd", async () => {
    const bare = await startTestGateway("pglite");
    try {
      const s = await liveSale(bare, { units: 5 });
      await expect(runCrowd({ url: bare.url, mint: (id) => bare.token(id, "BUYER"), buyers: 5, rate: 10, concurrency: 2, maxSeconds: 5, flashSaleId: s.flashSaleId! })).rejects.toThrow(
        /remove its DATA_DIR/,
      );
    } finally {
      await bare.stop();
    }
  }, 60_000);
});

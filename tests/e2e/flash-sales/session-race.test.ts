import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashSales, liveSessions, products } from "../../../src/db/schema/index.js";
import { idOf, toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { CreateFlashSaleDocument, EndLiveSessionDocument, PinToCartDocument, StartLiveSessionDocument } from "../../support/generated/graphql.js";
import { putOnShelf } from "../../support/shelf.js";

const ROUNDS: Record<string, number> = { postgres: 200, pglite: 25 };

describe.each(BACKENDS)("createFlashSale racing endLiveSession on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend, { env: { DB_POOL_SIZE: "10" } });
  });
  afterAll(() => gw?.stop());

  it(`never leaves a sale open in an ENDED session, and every unit goes back to stock (${ROUNDS[backend]} rounds)`, async () => {
    const db = gw.database.db;
    const merchant = await buildMerchant(db);
    const product = await buildProduct(db, merchant.shop.id, { stock: 100_000, priceFen: 10_000 });
    const promoter = await buildUser(db, "PROMOTER");
    await putOnShelf(db, promoter.id, product.id);
    const token = await gw.token(promoter.id, "PROMOTER");
    const productId = toGlobalId("Product", product.id);
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const sessionIds: number[] = [];
    let created = 0;
    let refused = 0;
    for (let round = 0; round < ROUNDS[backend]!; round++) {
      const started = await gw.request(StartLiveSessionDocument, { input: { title: `race ${round}` } }, token);
      const liveSessionId = started.data!.startLiveSession.liveSession!.id;
      sessionIds.push(idOf("LiveSession", liveSessionId));
      const pinned = await gw.request(PinToCartDocument, { input: { liveSessionId, productId } }, token);
      expect(pinned.data!.pinToCart.userErrors).toEqual([]);
      const [sale, end] = await Promise.all([
        gw.request(
          CreateFlashSaleDocument,
          { input: { liveSessionId, productId, flashPrice: "59.00", allocatedUnits: 7, perBuyerLimit: 1, endsAt } },
          token,
        ),
        gw.request(EndLiveSessionDocument, { id: liveSessionId }, token),
      ]);
      expect(sale.errors).toBeUndefined();
      expect(end.data!.endLiveSession.userErrors).toEqual([]);
      const payload = sale.data!.createFlashSale;
      if (payload.flashSale) created++;
      else {
        expect(payload.userErrors.map((e) => e.code)).toEqual(["SESSION_NOT_LIVE"]);
        refused++;
      }
    }
    const open = await db
      .select({ id: flashSales.id, status: flashSales.status })
      .from(flashSales)
      .where(inArray(flashSales.liveSessionId, sessionIds))
      .then((rows) => rows.filter((r) => r.status !== "ENDED"));
    expect(open).toEqual([]);
    const live = await db.select().from(liveSessions).where(inArray(liveSessions.id, sessionIds)).then((rows) => rows.filter((r) => r.status !== "ENDED"));
    expect(live).toEqual([]);
    const sales = await db.select().from(flashSales).where(inArray(flashSales.liveSessionId, sessionIds));
    expect(sales.length).toBe(created);
    expect(sales.every((s) => s.returnedUnits === 7 && s.endReason === "SESSION_ENDED")).toBe(true);
    const [after] = await db.select({ stock: products.stock }).from(products).where(eq(products.id, product.id));
    expect(after!.stock).toBe(100_000);
    expect(created + refused).toBe(ROUNDS[backend]);
    process.stdout.write(`${backend}: ${created} sales created, ${refused} refused as SESSION_NOT_LIVE\n`);
  }, 240_000);
});

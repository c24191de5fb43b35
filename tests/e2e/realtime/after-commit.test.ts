import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { products, users } from "../../../src/db/schema/index.js";
import { afterCommit, Rollback, transaction } from "../../../src/db/transaction.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { CreateFlashSaleDocument, LiveSessionDocument, PriceGuardAlertsDocument } from "../../support/generated/graphql.js";
import { alertSubscribers, alertSubscribersReach, fileAgreedPrice, guardedRoom } from "../../support/price-guard.js";

describe.each(BACKENDS)("after-commit events on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  it("runs effects after the outermost commit, in order, seeing the committed rows; drops those of a rollback or a rolled-back savepoint", async () => {
    const db = gw.database.db;
    const name = `after-commit-${Date.now()}`;
    const seen: string[] = [];
    const visible = async () => (await db.select().from(users).where(eq(users.name, name))).length;
    const id = await transaction(db, async (tx) => {
      const [row] = await tx.insert(users).values({ name, role: "BUYER" }).returning();
      afterCommit(tx, async () => seen.push(`first:${await visible()}`));
      await transaction(tx, async (inner) => {
        afterCommit(inner, () => seen.push("nested"));
      });
      const dropped = await transaction(tx, async (inner) => {
        afterCommit(inner, () => seen.push("rolled-back savepoint"));
        throw new Rollback("savepoint undone");
      });
      expect(dropped).toBe("savepoint undone");
      afterCommit(tx, () => {
        throw new Error("a failing publisher does not stop the next");
      });
      afterCommit(tx, () => seen.push("last"));
      expect(seen).toEqual([]);
      return row!.id;
    });
    expect(id).toBeGreaterThan(0);
    expect(seen).toEqual(["first:1", "nested", "last"]);

    const refused = await transaction(db, async (tx) => {
      await tx.insert(users).values({ name: `${name}-rolled-back`, role: "BUYER" });
      afterCommit(tx, () => seen.push("never"));
      throw new Rollback("refused");
    });
    expect(refused).toBe("refused");
    await expect(
      transaction(db, async (tx) => {
        afterCommit(tx, () => seen.push("never either"));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(seen).toEqual(["first:1", "nested", "last"]);
    expect((await db.select().from(users).where(eq(users.name, `${name}-rolled-back`))).length).toBe(0);
    expect(() => afterCommit(db as never, () => {})).toThrow(/transaction\(\)/);
  });

  it("a flash sale that fails for stock after the price guard assessed it raises no alert; the next one that commits does", async () => {
    const room = await guardedRoom(gw, { priceFen: 10_200 });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "90.00");
    const baseline = alertSubscribers(gw);
    const alerts = collect(gw.ws(room.merchantToken), PriceGuardAlertsDocument, { shopId: room.shopId });
    await alertSubscribersReach(gw, baseline + 1);
    const guard = gw.services.priceGuard.checks;
    const original = guard.checkFlashSale.bind(guard);
    // the stock is sold elsewhere between the guard's assessment and the sale taking its units
    const spy = vi.spyOn(guard, "checkFlashSale").mockImplementationOnce(async (ctx, tx, sale) => {
      const errors = await original(ctx, tx, sale);
      await tx.update(products).set({ stock: sql`0` }).where(eq(products.id, room.product.id));
      return errors;
    });
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const create = (flashPrice: string) =>
      gw.request(
        CreateFlashSaleDocument,
        { input: { liveSessionId: room.liveSessionId, productId: room.productId, flashPrice, allocatedUnits: 10, perBuyerLimit: 1, endsAt } },
        room.promoterToken,
      );
    // 100.00 less 10% points is 90.00: at the floor, a WARNING if it were created
    const failed = await create("100.00");
    expect(spy).toHaveBeenCalledTimes(1);
    expect(failed.data!.createFlashSale.userErrors.map((e) => e.code)).toEqual(["INSUFFICIENT_STOCK"]);
    expect((await gw.database.db.select().from(products).where(eq(products.id, room.product.id)))[0]!.stock).toBe(1_000);
    const sessions = await gw.request(LiveSessionDocument, { id: room.liveSessionId }, room.promoterToken);
    expect(sessions.data!.liveSession!.flashSales).toEqual([]);

    const created = await create("101.00");
    expect(created.data!.createFlashSale.userErrors).toEqual([]);
    await alerts.until(() => alerts.messages.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alerts.messages.map((m) => [m.data!.priceGuardAlerts.level, m.data!.priceGuardAlerts.handPrice.amount])).toEqual([["WARNING", "90.90"]]);
  });
});

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { products } from "../../../src/db/schema/index.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { LiveRoomPriceGuardDocument, PriceGuardAlertsDocument, UpdateProductDocument } from "../../support/generated/graphql.js";
import { alertSubscribers, alertSubscribersReach, fileAgreedPrice, guardedRoom } from "../../support/price-guard.js";

describe.each(BACKENDS)("price guard on list-price changes on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  it("checks updateProduct's new price like any offer: WARNING accepted, BLOCKED refused with nothing changed, both alerted after the change's transaction", async () => {
    // list 100.00 pinned with a 2.00 subsidy; agreed hand price 80.00; points pay up to 10%
    const room = await guardedRoom(gw, { priceFen: 10_000, subsidy: "2.00" });
    await fileAgreedPrice(gw, room.merchantToken, room.productId, "80.00");
    const baseline = alertSubscribers(gw);
    const alerts = collect(gw.ws(room.merchantToken), PriceGuardAlertsDocument, { shopId: room.shopId });
    const roomEvents = collect(gw.ws(null), LiveRoomPriceGuardDocument, { liveSessionId: room.liveSessionId });
    await alertSubscribersReach(gw, baseline + 1);
    await roomEvents.until(() => roomEvents.messages.length >= 1);
    const reprice = (price: string) => gw.request(UpdateProductDocument, { input: { productId: room.productId, price } }, room.merchantToken);
    const stored = async () => (await gw.database.db.select().from(products).where(eq(products.id, room.product.id)))[0]!;

    // 92.00 − 2.00 subsidy − 9.20 points = 80.80: within 5% of 80.00
    const warned = (await reprice("92.00")).data!.updateProduct;
    expect(warned.userErrors).toEqual([]);
    expect(warned.product!.price.amount).toBe("92.00");
    await alerts.until(() => alerts.messages.length >= 1);
    expect(alerts.messages[0]!.data!.priceGuardAlerts).toMatchObject({ level: "WARNING", offer: "LIST_PRICE", handPrice: { amount: "80.80" }, floor: { amount: "80.00" } });

    // 90.00 − 2.00 − 9.00 = 79.00: below the floor
    const before = await stored();
    const blocked = (await reprice("90.00")).data!.updateProduct;
    expect(blocked.product).toBeNull();
    expect(blocked.userErrors).toEqual([expect.objectContaining({ code: "PRICE_GUARD", field: ["price"] })]);
    expect(blocked.userErrors[0]!.message).toContain("79.00");
    expect(await stored()).toMatchObject({ priceFen: 9_200, version: before.version });
    await alerts.until(() => alerts.messages.length >= 2);
    expect(alerts.messages[1]!.data!.priceGuardAlerts).toMatchObject({ level: "BLOCKED", offer: "LIST_PRICE", handPrice: { amount: "79.00" } });
    await roomEvents.until(() => roomEvents.messages.filter((m) => m.data!.liveSessionEvents.__typename === "PriceGuardAlert").length >= 2);

    // far above the floor: no alert; the stock alone changing is not a price offer
    expect((await reprice("150.00")).data!.updateProduct.userErrors).toEqual([]);
    expect((await gw.request(UpdateProductDocument, { input: { productId: room.productId, stock: 5 } }, room.merchantToken)).data!.updateProduct.userErrors).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alerts.messages).toHaveLength(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct } from "../../support/builders.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { ProductUpdatedDocument, UpdateProductDocument } from "../../support/generated/graphql.js";

describe.each(BACKENDS)("productUpdated on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  it("sends the snapshot first, then each update made by the shop's merchant", async () => {
    const { user, shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id, { title: "Bangle", priceFen: 10_000 });
    const productId = toGlobalId("Product", product.id);
    const sub = collect(gw.ws(null), ProductUpdatedDocument, { productId });
    await sub.until(() => sub.messages.length >= 1);
    expect(sub.messages[0]!.data!.productUpdated).toMatchObject({ title: "Bangle", price: { amount: "100.00" }, version: 1 });

    const token = await gw.token(user.id, "MERCHANT");
    await gw.request(UpdateProductDocument, { input: { productId, price: "88.00" } }, token);
    await sub.until(() => sub.messages.length >= 2);
    expect(sub.messages[1]!.data!.productUpdated).toMatchObject({ price: { amount: "88.00" }, version: 2 });

    const stranger = await buildMerchant(gw.database.db);
    const refused = await gw.request(UpdateProductDocument, { input: { productId, price: "1.00" } }, await gw.token(stranger.user.id, "MERCHANT"));
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    await gw.request(UpdateProductDocument, { input: { productId, title: "Bangle II" } }, token);
    await sub.until(() => sub.messages.length >= 3);
    expect(sub.messages.map((m) => m.data!.productUpdated.version)).toEqual([1, 2, 3]);
    sub.dispose();
  });

  it("reports an unknown product as NOT_FOUND", async () => {
    const sub = collect(gw.ws(null), ProductUpdatedDocument, { productId: toGlobalId("Product", 987_654_321) });
    await sub.until(() => sub.messages.length > 0 || sub.error !== null || sub.completed);
    await sub.until(() => sub.completed);
    expect(sub.messages).toHaveLength(1);
    expect(sub.messages[0]!.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("closes a connection whose token is bad with 4403", async () => {
    const socket = new WebSocket(gw.wsUrl, "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer not-a-token" } }));
    const code = await new Promise<number>((resolve) => socket.once("close", (c) => resolve(c)));
    expect(code).toBe(4403);
  });
});

describe("two gateway instances on real Redis", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestGateway("postgres"), startTestGateway("postgres")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("delivers a mutation made on B to a subscriber connected to A", async () => {
    expect(a.bus.kind).toBe("redis");
    const { user, shop } = await buildMerchant(a.database.db);
    const product = await buildProduct(a.database.db, shop.id, { stock: 10 });
    const productId = toGlobalId("Product", product.id);
    const sub = collect(a.ws(null), ProductUpdatedDocument, { productId });
    await sub.until(() => sub.messages.length >= 1);
    const result = await b.request(UpdateProductDocument, { input: { productId, stock: 3 } }, await b.token(user.id, "MERCHANT"));
    expect(result.data!.updateProduct.product!.stock).toBe(3);
    await sub.until(() => sub.messages.length >= 2);
    expect(sub.messages[1]!.data!.productUpdated).toMatchObject({ stock: 3, version: 2 });
    sub.dispose();
  });
});

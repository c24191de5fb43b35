import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { products } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { RawSocket } from "../../support/raw.js";

const WATCH = "subscription S($id: ID!) { productUpdated(productId: $id) { id version } }";

describe("the WebSocket door", () => {
  let gw: TestGateway;
  let productRowId: number;
  let productId: string;
  let merchantToken: string;
  beforeAll(async () => {
    gw = await startTestGateway("postgres", {
      env: { WS_INIT_TIMEOUT_MS: "300", WS_MAX_SUBSCRIPTIONS: "2", WS_MAX_MESSAGES_PER_SECOND: "10", WS_KEEPALIVE_MS: "1200", WS_ALLOWED_ORIGINS: "https://overlay.example" },
    });
    const { user, shop } = await buildMerchant(gw.database.db);
    productRowId = (await buildProduct(gw.database.db, shop.id, { stock: 7 })).id;
    productId = toGlobalId("Product", productRowId);
    merchantToken = await gw.token(user.id, "MERCHANT");
  });
  afterAll(() => gw?.stop());

  it("closes with 4408 when connection_init does not come within WS_INIT_TIMEOUT_MS", async () => {
    const socket = await RawSocket.open(gw.wsUrl);
    const started = Date.now();
    expect(await socket.closed).toBe(4408);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("closes with 4403 on a bad token", async () => {
    const socket = await RawSocket.open(gw.wsUrl);
    socket.send({ type: "connection_init", payload: { authorization: "Bearer forged" } });
    expect(await socket.closed).toBe(4403);
  });

  it("ends the connection with 4403 when its token expires", async () => {
    const socket = await RawSocket.connect(gw.wsUrl, await gw.token((await buildUser(gw.database.db, "BUYER")).id, "BUYER", 2));
    socket.subscribe("1", WATCH, { id: productId });
    await socket.until((m) => m.id === "1" && m.type === "next");
    expect(await socket.closed).toBe(4403);
    expect(socket.closeReason).toBe("Token expired");
  });

  it("accepts only subscriptions: a query or mutation is refused with OPERATION_NOT_ALLOWED and changes nothing", async () => {
    const socket = await RawSocket.connect(gw.wsUrl, merchantToken);
    socket.subscribe("q", "{ viewer { id } }");
    socket.subscribe("m", "mutation M($id: ID!) { updateProduct(input: { productId: $id, stock: 0 }) { product { stock } } }", { id: productId });
    for (const id of ["q", "m"]) {
      const error = await socket.until((m) => m.id === id && m.type === "error");
      expect(error.payload[0].extensions.code).toBe("OPERATION_NOT_ALLOWED");
    }
    const [row] = await gw.database.db.select().from(products).where(eq(products.id, productRowId));
    expect(row).toMatchObject({ stock: 7, version: 1 });
    socket.close();
  });

  it("caps active subscriptions per connection at WS_MAX_SUBSCRIPTIONS; a completed one frees its place", async () => {
    const socket = await RawSocket.connect(gw.wsUrl);
    socket.subscribe("1", WATCH, { id: productId });
    socket.subscribe("2", WATCH, { id: productId });
    await socket.until((m) => m.id === "2" && m.type === "next");
    socket.subscribe("3", WATCH, { id: productId });
    const refused = await socket.until((m) => m.id === "3" && m.type === "error");
    expect(refused.payload[0].extensions).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "subscriptions", max: 2 });
    socket.send({ id: "1", type: "complete" });
    await new Promise((r) => setTimeout(r, 100));
    socket.subscribe("4", WATCH, { id: productId });
    await socket.until((m) => m.id === "4" && m.type === "next");
    socket.close();
  });

  it("closes with 4429 when a client sends more than WS_MAX_MESSAGES_PER_SECOND", async () => {
    const socket = await RawSocket.connect(gw.wsUrl);
    for (let i = 0; i < 30; i++) socket.send({ type: "ping" });
    expect(await socket.closed).toBe(4429);
    expect(socket.messages.filter((m) => m.type === "pong").length).toBeLessThanOrEqual(10);
  });

  it("closes with 1009 on a frame over 64 KiB", async () => {
    const socket = await RawSocket.connect(gw.wsUrl);
    socket.subscribe("1", `subscription { productUpdated(productId: "${"x".repeat(64 * 1024)}") { id } }`);
    expect(await socket.closed).toBe(1009);
  });

  it("admits listed origins, its own origin, and clients without one; refuses other origins at the upgrade", async () => {
    await expect(RawSocket.open(gw.wsUrl, { origin: "https://evil.example" })).rejects.toThrow(/403/);
    for (const origin of ["https://overlay.example", `http://127.0.0.1:${gw.port}`, undefined]) {
      const socket = await RawSocket.connect(gw.wsUrl, null, { origin });
      socket.close();
    }
  });

  it("pings every socket each WS_KEEPALIVE_MS and cuts one that stops answering; one that answers stays and is served", async () => {
    const pings = (raw: RawSocket) => {
      const seen = { n: 0 };
      raw.socket.on("ping", () => seen.n++);
      return seen;
    };
    const answering = await RawSocket.connect(gw.wsUrl, merchantToken);
    const silent = await RawSocket.connect(gw.wsUrl, merchantToken, { autoPong: false });
    const [answered, unanswered] = [pings(answering), pings(silent)];
    const opened = Date.now();
    // pinged once, then cut at its next turn: within two periods (1.2 s each), with room for a loaded machine
    expect(await silent.closed).toBe(1006);
    expect(Date.now() - opened).toBeLessThan(8000);
    expect(unanswered.n).toBeGreaterThanOrEqual(1);
    await vi.waitFor(() => expect(answered.n).toBeGreaterThanOrEqual(2), { timeout: 8000, interval: 50 });
    expect(answering.socket.readyState).toBe(answering.socket.OPEN);
    answering.subscribe("1", WATCH, { id: productId });
    expect((await answering.until((m) => m.id === "1" && m.type === "next")).payload.data.productUpdated.id).toBe(productId);
    answering.close();
  });

  it("keeps serving after all that, and its subscription gauge returns to zero", async () => {
    const socket = await RawSocket.connect(gw.wsUrl);
    socket.subscribe("1", WATCH, { id: productId });
    await socket.until((m) => m.id === "1" && m.type === "next");
    socket.close();
    await socket.closed;
    await new Promise((r) => setTimeout(r, 100));
    const metrics = await (await fetch(gw.url.replace(/graphql$/, "metrics"))).text();
    expect(metrics).toMatch(/^liveshelf_websocket_subscriptions 0$/m);
  });
});

describe("the WebSocket door in the embedded default", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite");
  });
  afterAll(() => gw?.stop());

  it("admits any origin when WS_ALLOWED_ORIGINS is empty", async () => {
    const socket = await RawSocket.connect(gw.wsUrl, null, { origin: "https://anything.example" });
    socket.close();
  });
});

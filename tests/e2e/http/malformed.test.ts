import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { RawSocket } from "../../support/raw.js";
import { buildUser } from "../../support/builders.js";

/** Sends a request whose target is written as given (fetch would normalise it). */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "GET", path: target }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Issue 10, item 6: malformed clients get a clear refusal, never an anonymous session or a masked 500. */
describe("malformed requests and connections", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { env: { WS_MAX_CONNECTIONS: "3" } });
  });
  afterAll(() => gw?.stop());

  it("answers a request target that is not a URL with 400, not a masked 500", async () => {
    const reply = await rawGet(gw.port, "http://[::1/graphql");
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("refuses a subscription sent over HTTP with 400 BAD_REQUEST, naming the WebSocket door", async () => {
    const admin = await buildUser(gw.database.db, "ADMIN");
    const token = await gw.token(admin!.id, "ADMIN");
    for (const query of ["subscription { priceGuardAlerts { __typename } }", 'subscription { flashSaleInventory(liveSessionId: "TGl2ZVNlc3Npb246MQ") { __typename } }']) {
      const response = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe("BAD_REQUEST");
      expect(body.errors[0]!.message).toMatch(/WebSocket/);
    }
  });

  it.each([[{ authorization: 42 }], [{ authorization: { token: "x" } }], [{ Authorization: ["Bearer x"] }]])(
    "refuses a connection_init whose authorization is not a string (%j) with 4403",
    async (payload) => {
      const socket = await RawSocket.open(gw.wsUrl);
      socket.send({ type: "connection_init", payload });
      expect(await socket.closed).toBe(4403);
      expect(socket.messages.some((m) => m?.type === "connection_ack")).toBe(false);
    },
  );

  it("still admits a connection_init without authorization as anonymous", async () => {
    const socket = await RawSocket.connect(gw.wsUrl, null);
    expect(socket.messages.some((m) => m?.type === "connection_ack")).toBe(true);
    socket.close();
    await socket.closed;
  });

  it("closes connections over WS_MAX_CONNECTIONS with 1013 (try again later)", async () => {
    const held = await Promise.all([0, 1, 2].map(() => RawSocket.connect(gw.wsUrl, null)));
    const extra = await RawSocket.open(gw.wsUrl);
    expect(await extra.closed).toBe(1013);
    held[0]!.close();
    await held[0]!.closed;
    const next = await RawSocket.connect(gw.wsUrl, null);
    expect(next.closeCode).toBeNull();
    for (const s of [...held.slice(1), next]) s.close();
    await Promise.all([...held.slice(1), next].map((s) => s.closed));
  });
});

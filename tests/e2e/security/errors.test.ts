import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toGlobalId } from "../../../src/shared/ids.js";
import type { Logger } from "../../../src/shared/logger.js";
import { buildMerchant, buildProduct } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { postRaw, RawSocket } from "../../support/raw.js";

/** A logger that keeps what it is told, child fields included. */
function recordingLogger(entries: Record<string, unknown>[], base: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => void entries.push({ level, msg, ...base, ...fields });
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error"), child: (f) => recordingLogger(entries, { ...base, ...f }) };
}

describe("unexpected errors", () => {
  let gw: TestGateway;
  const logged: Record<string, unknown>[] = [];
  let productId: string;
  beforeAll(async () => {
    gw = await startTestGateway("postgres", { log: recordingLogger(logged) });
    const { shop } = await buildMerchant(gw.database.db);
    productId = toGlobalId("Product", (await buildProduct(gw.database.db, shop.id)).id);
    // Every query from now on fails inside the driver, with the SQL in the error's message.
    await gw.database.close();
  });
  afterAll(() => gw?.stop());

  const leaks = /select|from "|products"|stack|\bat \/|node_modules|postgres|CONNECTION_/i;

  it("are masked over HTTP: a request id the client can quote, no SQL, no stack; the log has the truth under that id", async () => {
    const response = await postRaw(gw.url, { query: `{ product(id: "${productId}") { title } }` }, { headers: { "x-request-id": "support-ticket-42" } });
    expect(response.status).toBe(200);
    expect(response.body.errors).toEqual([
      { message: "Internal server error", locations: expect.any(Array), path: ["product"], extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "support-ticket-42" } },
    ]);
    expect(response.text).not.toMatch(leaks);
    expect(response.headers.get("x-request-id")).toBe("support-ticket-42");
    const entry = logged.find((e) => e.msg === "unexpected error" && e.requestId === "support-ticket-42");
    expect(String((entry?.error as Error | undefined)?.message)).toMatch(/select|CONNECTION/i);
  });

  it("are masked over WebSocket, with the connection's id as the request id", async () => {
    const socket = await RawSocket.connect(gw.wsUrl);
    socket.subscribe("1", "subscription S($id: ID!) { productUpdated(productId: $id) { title } }", { id: productId });
    const next = await socket.until((m) => m.id === "1" && (m.type === "next" || m.type === "error"));
    const errors = next.type === "next" ? next.payload.errors : next.payload;
    expect(errors).toEqual([expect.objectContaining({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", requestId: expect.stringMatching(/^ws-/) } })]);
    expect(JSON.stringify(socket.of("1"))).not.toMatch(leaks);
    expect(logged.some((e) => e.msg === "unexpected error" && e.requestId === errors[0].extensions.requestId)).toBe(true);
    socket.close();
  });
});

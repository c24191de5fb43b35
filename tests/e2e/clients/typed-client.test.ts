import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createLiveshelfClient, LiveshelfRequestError } from "../../../examples/client/src/client.js";
import { CountdownDocument, LiveRoomsDocument, MeDocument, type CountdownSubscription } from "../../../examples/client/src/generated/graphql.js";
import { buyFlashSale } from "../../../examples/client/src/orders.js";
import { buildUser, buildUsers } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { FlashSaleDocument } from "../../support/generated/graphql.js";
import { eventually } from "../../support/price-guard.js";
import { liveSale } from "../../support/scenarios.js";

// The client preset's own output, handed to the gateway as its allowlist.
const MANIFEST = fileURLToPath(new URL("../../../examples/client/src/generated/persisted-documents.json", import.meta.url));

/** A fetch that remembers what the client sent (method, whether a document travelled, the status). */
function recordingFetch() {
  const calls: { method: string; withDocument: boolean; status: number }[] = [];
  const impl: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    const withDocument = url.searchParams.has("query") || (typeof init?.body === "string" && "query" in JSON.parse(init.body));
    calls.push({ method: init?.method ?? "GET", withDocument, status: response.status });
    return response;
  };
  return { calls, impl };
}

describe("the example typed client (examples/client)", () => {
  let allowlist: TestGateway;
  let automatic: TestGateway;
  // An embedded gateway of its own: an in-process APQ store that has seen no document yet.
  let embedded: TestGateway;
  beforeAll(async () => {
    // Two instances on one PostgreSQL and Redis: the client talks to the allowlist one; the test builds its rooms
    // through the other (the allowlist knows only the client's operations).
    [allowlist, automatic, embedded] = await Promise.all([
      startTestGateway("postgres", { env: { PERSISTED_QUERIES: "allowlist", OPERATIONS_MANIFEST: MANIFEST, INVENTORY_COALESCE_MS: "20" } }),
      startTestGateway("postgres"),
      startTestGateway("pglite"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([allowlist?.stop(), automatic?.stop(), embedded?.stop()]);
  });

  it("runs on an allowlist gateway from hashes alone, handles userErrors by code, and keeps its subscription across a token refresh", async () => {
    const gw = allowlist;
    const s = await liveSale(automatic, { units: 3, limit: 1, stock: 10, sessionTitle: "Client night" });
    const [first, second] = await buildUsers(gw.database.db, "BUYER", 2);
    // The subscriber's tokens live one second: the gateway ends its socket at expiry and the client signs in again.
    const refreshes: boolean[] = [];
    const seen: CountdownSubscription["flashSaleInventory"][] = [];
    // How many countdown messages had arrived when the client first asked for a fresh token.
    let seenAtRefresh: number | null = null;
    const viewer = await buildUser(gw.database.db, "BUYER");
    const watcher = createLiveshelfClient({
      url: gw.url,
      persisted: "hash-only",
      webSocketImpl: WebSocket,
      token: async ({ refresh }) => {
        refreshes.push(refresh);
        if (refresh) seenAtRefresh ??= seen.length;
        return gw.token(viewer.id, "BUYER", 1);
      },
    });
    const buyer = (user: { id: number }) => {
      const { calls, impl } = recordingFetch();
      const client = createLiveshelfClient({ url: gw.url, persisted: "hash-only", fetch: impl, token: async () => gw.token(user.id, "BUYER") });
      return { client, calls };
    };
    const a = buyer(first!);
    const b = buyer(second!);
    try {
      expect((await a.client.query(MeDocument)).viewer).toMatchObject({ role: "BUYER" });
      const rooms = await a.client.query(LiveRoomsDocument, { first: 50 });
      const room = rooms.liveSessions.edges.map((e) => e.node).find((n) => n.id === s.liveSessionId)!;
      expect(room.flashSales[0]).toMatchObject({ id: s.flashSaleId, status: "RUNNING", remainingUnits: 3, perBuyerLimit: 1, flashPrice: { amount: "59.00", currencyCode: "CNY" } });
      // Queries went as GETs carrying only the hash.
      expect(a.calls).toEqual([
        { method: "GET", withDocument: false, status: 200 },
        { method: "GET", withDocument: false, status: 200 },
      ]);

      const errors: unknown[] = [];
      const stop = watcher.subscribe(CountdownDocument, { liveSessionId: s.liveSessionId }, { next: (d) => seen.push(d.flashSaleInventory), error: (e) => errors.push(e) });
      await eventually(() => seen.length >= 1, "the countdown snapshot");
      expect(seen[0]!.sales[0]).toMatchObject({ flashSaleId: s.flashSaleId, remainingUnits: 3 });

      const key = "tap-1";
      expect(await buyFlashSale(a.client, { flashSaleId: s.flashSaleId!, quantity: 1, idempotencyKey: key })).toMatchObject({ kind: "ordered", total: "59.00 CNY" });
      // The same tap retried: the same order, nothing bought twice.
      const again = await buyFlashSale(a.client, { flashSaleId: s.flashSaleId!, quantity: 1, idempotencyKey: key });
      expect(again.kind).toBe("ordered");
      expect(await buyFlashSale(a.client, { flashSaleId: s.flashSaleId!, quantity: 1, idempotencyKey: "tap-2" })).toEqual({
        kind: "refused",
        code: "LIMIT_REACHED",
        show: "You already bought as many as one buyer may.",
        retry: "no",
      });
      expect(a.calls.filter((c) => c.method === "POST").every((c) => !c.withDocument)).toBe(true);

      // The watcher's token expires: the socket is closed (4403), the client asks for a fresh token and resubscribes.
      await eventually(() => seenAtRefresh !== null, "a token refresh", 10_000);
      await eventually(() => seen.length > seenAtRefresh!, "a fresh snapshot after signing in again", 10_000);
      expect(await buyFlashSale(b.client, { flashSaleId: s.flashSaleId!, quantity: 1, idempotencyKey: "tap-1" })).toMatchObject({ kind: "ordered" });
      const third = buyer(await buildUser(gw.database.db, "BUYER"));
      expect(await buyFlashSale(third.client, { flashSaleId: s.flashSaleId!, quantity: 1, idempotencyKey: "tap-1" })).toMatchObject({ kind: "ordered" });
      await eventually(() => seen.at(-1)!.sales[0]!.status === "SOLD_OUT", "SOLD_OUT on the countdown");
      expect(seen.at(-1)!.sales[0]).toMatchObject({ soldUnits: 3, remainingUnits: 0 });
      expect(errors).toEqual([]);
      const late = buyer(await buildUser(gw.database.db, "BUYER"));
      expect(await buyFlashSale(late.client, { flashSaleId: s.flashSaleId!, quantity: 1, idempotencyKey: "tap-1" })).toMatchObject({ kind: "refused", code: "SOLD_OUT", show: "Sold out: every unit is gone." });
      expect((await automatic.request(FlashSaleDocument, { id: s.flashSaleId! })).data!.flashSale).toMatchObject({ soldUnits: 3, remainingUnits: 0, status: "SOLD_OUT" });
      stop();

      // Anything outside its manifest is refused by this gateway.
      const raw = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ viewer { id } }" }) });
      expect(((await raw.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("OPERATION_NOT_ALLOWED");
    } finally {
      await Promise.all([watcher.dispose(), a.client.dispose(), b.client.dispose()]);
    }
  }, 60_000);

  it("registers documents by APQ on a gateway that has not seen them, refreshes an expired token on HTTP", async () => {
    const gw = embedded;
    const user = await buildUser(gw.database.db, "BUYER");
    const { calls, impl } = recordingFetch();
    let expired = await gw.token(user.id, "BUYER", 1);
    await eventually(() => Date.now() / 1000 > JSON.parse(Buffer.from(expired.split(".")[1]!, "base64url").toString()).exp, "the token's expiry", 5_000);
    const refreshes: boolean[] = [];
    const client = createLiveshelfClient({
      url: gw.url,
      fetch: impl,
      token: async ({ refresh }) => {
        refreshes.push(refresh);
        if (refresh) expired = await gw.token(user.id, "BUYER");
        return expired;
      },
    });
    expect((await client.query(MeDocument)).viewer).toMatchObject({ id: expect.any(String), role: "BUYER" });
    expect(refreshes).toEqual([false, true]);
    // 401 on the old token; then hash only (unknown: PERSISTED_QUERY_NOT_FOUND), then hash + document; then hash only.
    expect(calls.map((c) => [c.withDocument, c.status])).toEqual([
      [false, 401],
      [false, 200],
      [true, 200],
    ]);
    await client.query(MeDocument);
    expect(calls.at(-1)).toEqual({ method: "GET", withDocument: false, status: 200 });

    const anonymous = createLiveshelfClient({ url: gw.url, token: async () => null });
    expect((await anonymous.query(MeDocument)).viewer).toBeNull();
    const refused = await anonymous.query(LiveRoomsDocument, { first: 500 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LiveshelfRequestError);
    expect((refused as LiveshelfRequestError).code).toBe("BAD_USER_INPUT");
  }, 30_000);
});

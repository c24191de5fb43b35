import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idOf, toGlobalId } from "../../../src/shared/ids.js";
import { buildUsers } from "../../support/builders.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateFlashSaleDocument,
  EndLiveSessionDocument,
  FlashSaleInventoryDocument,
  LiveSessionDocument,
  LiveSessionEventsDocument,
  PlaceOrderDocument,
  UnpinFromCartDocument,
} from "../../support/generated/graphql.js";
import { RawSocket } from "../../support/raw.js";
import { liveSale } from "../../support/scenarios.js";

describe("live room events across two instances (real Redis)", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = { VIEWER_TICK_MS: "100", INVENTORY_COALESCE_MS: "50" };
    [a, b] = await Promise.all([startTestGateway("postgres", { env }), startTestGateway("postgres", { env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("sends a snapshot, then viewer counts across instances, sale started / sold out / ended, session ended", async () => {
    const s = await liveSale(a, { units: 0, stock: 10 });
    const watcher = collect(a.ws(null), LiveSessionEventsDocument, { liveSessionId: s.liveSessionId });
    await watcher.until(() => watcher.messages.length >= 1);
    const first = watcher.messages[0]!.data!.liveSessionEvents;
    expect(first).toMatchObject({ __typename: "LiveSessionSnapshot", liveSession: { id: s.liveSessionId, status: "LIVE", cart: [{ product: { id: s.productId } }] } });

    // three more viewers on B, one on A
    const others = [b.ws(null), b.ws(null), b.ws(null), a.ws(null)].map((client) => collect(client, LiveSessionEventsDocument, { liveSessionId: s.liveSessionId }));
    await Promise.all(others.map((o) => o.until(() => o.messages.length >= 1)));
    const viewerCounts = () => watcher.messages.map((m) => m.data!.liveSessionEvents).filter((e) => e.__typename === "ViewerCountChanged").map((e) => (e as { viewers: number }).viewers);
    await watcher.until(() => viewerCounts().at(-1) === 5);
    expect((await b.request(LiveSessionDocument, { id: s.liveSessionId })).data!.liveSession!.viewerCount).toBe(5);

    const sale = await a.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId: s.liveSessionId, productId: s.productId, flashPrice: "9.90", allocatedUnits: 2, perBuyerLimit: 1, endsAt: new Date(Date.now() + 600_000).toISOString() } },
      s.promoterToken,
    );
    const flashSaleId = sale.data!.createFlashSale.flashSale!.id;
    const buyers = await buildUsers(a.database.db, "BUYER", 2);
    for (const u of buyers) {
      await b.request(PlaceOrderDocument, { input: { flashSaleId, quantity: 1, idempotencyKey: "k" } }, await b.token(u.id, "BUYER"));
    }
    await a.request(EndLiveSessionDocument, { id: s.liveSessionId }, s.promoterToken);
    await watcher.until(() => watcher.messages.some((m) => m.data!.liveSessionEvents.__typename === "LiveSessionEnded"));
    const kinds = watcher.messages.map((m) => m.data!.liveSessionEvents).filter((e) => e.__typename !== "ViewerCountChanged");
    expect(kinds.map((e) => e.__typename)).toEqual(["LiveSessionSnapshot", "FlashSaleStarted", "FlashSaleSoldOut", "FlashSaleEnded", "LiveSessionEnded"]);
    expect(kinds[3]).toMatchObject({ flashSaleId, returnedUnits: 0, reason: "SESSION_ENDED" });
    // the subscribers on B saw the same events
    await others[0]!.until(() => others[0]!.messages.some((m) => m.data!.liveSessionEvents.__typename === "LiveSessionEnded"));

    others.slice(0, 3).forEach((o) => o.dispose());
    await watcher.until(() => viewerCounts().at(-1) === 2);
    others[3]!.dispose();
    watcher.dispose();
  }, 60_000);

  it("executes each room message once per selection, not once per subscriber", async () => {
    const s = await liveSale(a, { units: 50, limit: 1, stock: 50 });
    const subscribers = Array.from({ length: 25 }, () => collect(a.ws(null), FlashSaleInventoryDocument, { liveSessionId: s.liveSessionId }));
    await Promise.all(subscribers.map((sub) => sub.until(() => sub.messages.length >= 1)));
    const executionsBefore = a.hub.executions;
    const deliveredBefore = a.hub.delivered;
    const buyers = await buildUsers(a.database.db, "BUYER", 50);
    await Promise.all(buyers.map(async (u) => a.request(PlaceOrderDocument, { input: { flashSaleId: s.flashSaleId, quantity: 1, idempotencyKey: "k" } }, await a.token(u.id, "BUYER"))));
    await Promise.all(subscribers.map((sub) => sub.until(() => sub.messages.at(-1)!.data!.flashSaleInventory.sales[0]!.status === "SOLD_OUT")));
    const executions = a.hub.executions - executionsBefore;
    const delivered = a.hub.delivered - deliveredBefore;
    expect(executions).toBeGreaterThan(0);
    expect(delivered).toBe(executions * 25);
    // every subscriber saw the very same sequence
    const sequences = subscribers.map((sub) => JSON.stringify(sub.messages.map((m) => m.data!.flashSaleInventory.version)));
    expect(new Set(sequences).size).toBe(1);
    subscribers.forEach((sub) => sub.dispose());
  }, 60_000);

  it("writes a room message's frame as graphql-ws would, with each subscription's id and cost, the data serialised once", async () => {
    const s = await liveSale(a, { units: 0, stock: 10 });
    const query = "subscription E($s: ID!) { liveSessionEvents(liveSessionId: $s) { __typename ... on CartItemUnpinned { productId } } }";
    const sockets = await Promise.all([RawSocket.connect(a.wsUrl), RawSocket.connect(a.wsUrl), RawSocket.connect(a.wsUrl)]);
    const ids = ["1", "1", "другой"];
    sockets.forEach((socket, i) => socket.subscribe(ids[i]!, query, { s: s.liveSessionId }));
    const firsts = await Promise.all(sockets.map((socket, i) => socket.until((m) => m.id === ids[i] && m.type === "next")));
    await a.request(UnpinFromCartDocument, { input: { liveSessionId: s.liveSessionId, productId: s.productId } }, s.promoterToken);
    const unpinned = (m: any) => m.type === "next" && m.payload.data.liveSessionEvents.__typename === "CartItemUnpinned";
    await Promise.all(sockets.map((socket) => socket.until(unpinned)));
    const frames = sockets.map((socket) => socket.raw.find((text) => text.includes('"CartItemUnpinned"'))!);
    frames.forEach((frame, i) => {
      expect(JSON.parse(frame)).toEqual({ id: ids[i], type: "next", payload: { data: { liveSessionEvents: { __typename: "CartItemUnpinned", productId: s.productId } }, extensions: { cost: firsts[i].payload.extensions.cost } } });
      // the very layout graphql-ws writes (id, type, payload; data, then extensions)
      expect(frame).toBe(JSON.stringify({ id: ids[i], type: "next", payload: { data: JSON.parse(frame).payload.data, extensions: firsts[i].payload.extensions } }));
    });
    sockets.forEach((socket) => socket.close());
  });

  it("a room subscription leaves graphql-ws once its snapshot is out; completing it frees what the gateway held for it, and it may subscribe again", async () => {
    const s = await liveSale(a, { units: 0, stock: 10 });
    const roomId = idOf("LiveSession", s.liveSessionId);
    const room = a.services.live.eventsSpec.name;
    const query = "subscription E($s: ID!) { liveSessionEvents(liveSessionId: $s) { __typename ... on CartItemUnpinned { productId } } }";
    const unpinned = (id: string) => (m: any) => m.id === id && m.type === "next" && m.payload.data.liveSessionEvents.__typename === "CartItemUnpinned";
    const settled = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(check()).toBe(true);
    };
    const base = a.websocketStats();
    const [leaving, staying] = await Promise.all([RawSocket.connect(a.wsUrl), RawSocket.connect(a.wsUrl)]);
    leaving.subscribe("r", query, { s: s.liveSessionId });
    staying.subscribe("r", query, { s: s.liveSessionId });
    await Promise.all([leaving, staying].map((socket) => socket.until((m) => m.id === "r" && m.type === "next")));
    // both adopted: the transport holds them, graphql-ws no longer does (its loop, the subscribe message, the context are gone)
    await settled(() => a.websocketStats().adopted === base.adopted + 2);
    expect(a.websocketStats()).toEqual({ connections: base.connections + 2, operations: base.operations + 2, adopted: base.adopted + 2, inGraphqlWs: base.inGraphqlWs });
    expect(a.hub.roomSize(room, roomId)).toBe(2);
    expect(a.hub.roomMembers(roomId)).toBe(2);

    leaving.send({ id: "r", type: "complete" });
    await settled(() => a.websocketStats().operations === base.operations + 1);
    expect(a.websocketStats()).toEqual({ connections: base.connections + 2, operations: base.operations + 1, adopted: base.adopted + 1, inGraphqlWs: base.inGraphqlWs });
    expect(a.hub.roomSize(room, roomId)).toBe(1);
    expect(a.hub.roomMembers(roomId)).toBe(1);

    // the one that stays still gets the room's events; the completed one gets nothing more, and no `complete` back
    await a.request(UnpinFromCartDocument, { input: { liveSessionId: s.liveSessionId, productId: s.productId } }, s.promoterToken);
    await staying.until(unpinned("r"));
    await new Promise((r) => setTimeout(r, 200));
    expect(leaving.of("r").map((m) => m.type)).toEqual(["next"]);

    // the same id subscribes again on the same socket: the snapshot comes first
    leaving.subscribe("r", query, { s: s.liveSessionId });
    await leaving.until((m) => m.id === "r" && m.type === "next" && m.payload.data.liveSessionEvents.__typename === "LiveSessionSnapshot");
    await settled(() => a.websocketStats().adopted === base.adopted + 2);
    // an id in use, adopted or not, may not be subscribed again (graphql-ws's 4409)
    staying.subscribe("r", query, { s: s.liveSessionId });
    expect(await staying.closed).toBe(4409);
    await settled(() => a.hub.roomSize(room, roomId) === 1);
    leaving.close();
    await leaving.closed;
    // everything the sockets held is gone with them
    await settled(() => a.hub.roomSize(room, roomId) === 0);
    await settled(() => a.websocketStats().connections === base.connections);
    expect(a.websocketStats()).toEqual(base);
    expect(a.hub.roomMembers(roomId)).toBe(0);
    expect(a.hub.roomIds(room)).not.toContain(roomId);
  });

  it("refuses an unknown live session at subscribe time", async () => {
    const sub = collect(a.ws(null), FlashSaleInventoryDocument, { liveSessionId: toGlobalId("LiveSession", 987_654_321) });
    await sub.until(() => sub.completed);
    expect(sub.messages[0]!.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

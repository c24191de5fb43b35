import { GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { InProcessBus } from "../../../src/realtime/bus.js";
import { FanoutHub, RoomTicket, type OutletSink, type RoomOutlet, type RoomSpec } from "../../../src/realtime/fanout.js";
import type { FlashSaleStockEvent } from "../../../src/realtime/topics.js";
import { createLogger } from "../../../src/shared/logger.js";

/**
 * The fan-out hub on the embedded bus, with a schema of its own: one room whose messages carry the sale's sold
 * units. Outlets here are the transport's side (ws-server's writes a frame to a socket); a stuck one stands for a
 * client that reads nothing.
 */
const spec: RoomSpec<{ sold: number }, FlashSaleStockEvent> = {
  name: "test-room",
  topic: "flashSaleInventory",
  load: async () => ({ sold: 0 }),
  apply: (_state, event) => ({ sold: event.soldUnits }),
  snapshot: (state) => ({ sold: state.sold, kind: "snapshot" }),
  onEvent: (event) => ({ sold: event.soldUnits, kind: "event" }),
};
const Message = new GraphQLObjectType({
  name: "Message",
  fields: { sold: { type: new GraphQLNonNull(GraphQLInt) }, kind: { type: new GraphQLNonNull(GraphQLString) } },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLInt } } }),
  subscription: new GraphQLObjectType({
    name: "Subscription",
    fields: { room: { type: Message, subscribe: () => new RoomTicket(spec, 7), resolve: (root) => root } },
  }),
});
const document = parse("subscription { room { sold kind } }");
const event = (sold: number): FlashSaleStockEvent => ({ flashSaleId: 1, liveSessionId: 7, productId: 1, status: sold >= 100 ? "SOLD_OUT" : "RUNNING", allocatedUnits: 100, soldUnits: sold, version: sold });
const sold = (r: ExecutionResult) => (r.data as { room: { sold: number } }).room.sold;

/**
 * "takes": a socket with room, which takes each write at once; "acks": one that holds each write back and tells when
 * it is taken (in a microtask); "stuck": one that holds writes back and never tells, until released (it then takes).
 */
type Transport = "takes" | "acks" | "stuck";

class TestOutlet implements RoomOutlet {
  readonly results: ExecutionResult[] = [];
  private held: (() => void)[] = [];
  adopted: AsyncIterator<ExecutionResult> | null = null;
  constructor(
    private transport: Transport = "takes",
    private adopts = false,
  ) {}
  adopt(subscription: AsyncIterator<ExecutionResult>) {
    if (this.adopts) this.adopted = subscription;
    return this.adopts;
  }
  write(result: ExecutionResult, sink: OutletSink) {
    this.results.push(result);
    if (this.transport === "takes") return true;
    const written = () => sink.written();
    if (this.transport === "stuck") this.held.push(written);
    else queueMicrotask(written);
    return false;
  }
  release() {
    this.transport = "takes";
    for (const written of this.held.splice(0)) written();
  }
}

async function subscriber(hub: FanoutHub, outlet?: RoomOutlet) {
  const iterator = (await hub.subscribe({ schema, document, contextValue: { requestId: Math.random().toString() } }, outlet)) as AsyncIterableIterator<ExecutionResult>;
  const read: ExecutionResult[] = [];
  // graphql-ws's loop: it writes what it is given, and stays parked once an outlet has taken over.
  const loop = (async () => {
    for await (const result of iterator) read.push(result);
  })();
  return { iterator, read, loop };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe("room fan-out through outlets (embedded bus)", () => {
  const bus = new InProcessBus();
  let hub: FanoutHub;
  afterEach(async () => hub?.close());

  it("hands every subscriber of a selection the same result object, through graphql-ws first and the outlet after", async () => {
    hub = new FanoutHub(bus, createLogger("silent"), () => ({}));
    const outlets = [new TestOutlet("takes"), new TestOutlet("acks"), new TestOutlet("takes")];
    const subs = await Promise.all(outlets.map((o) => subscriber(hub, o)));
    const plain = await subscriber(hub);
    await until(() => subs.every((s) => s.read.length === 1) && plain.read.length === 1);
    for (let n = 1; n <= 5; n++) await bus.publish("flashSaleInventory", 7, event(n));
    await until(() => outlets.every((o) => o.results.length === 5) && plain.read.length === 6);
    // the snapshot went through graphql-ws; the events through the outlet, never both
    expect(subs.map((s) => s.read.map(sold))).toEqual([[0], [0], [0]]);
    expect(outlets[0]!.results.map(sold)).toEqual([1, 2, 3, 4, 5]);
    expect(plain.read.map(sold)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < 5; i++) {
      expect(outlets[1]!.results[i]).toBe(outlets[0]!.results[i]);
      expect(outlets[2]!.results[i]).toBe(outlets[0]!.results[i]);
      expect(plain.read[i + 1]).toBe(outlets[0]!.results[i]);
    }
    expect(hub.executions).toBe(6);
    await Promise.all([...subs, plain].map((s) => s.iterator.return!()));
    await Promise.all([...subs, plain].map((s) => s.loop));
    expect(hub.roomSize("test-room", 7)).toBe(0);
  });

  it("a subscriber that reads nothing holds one message in its transport and at most 32 queued, loses its oldest, gets the newest, and holds no one back", async () => {
    hub = new FanoutHub(bus, createLogger("silent"), () => ({}));
    const fast = new TestOutlet("takes");
    const acks = new TestOutlet("acks");
    const stuck = new TestOutlet("stuck");
    const [a, c, b] = [await subscriber(hub, fast), await subscriber(hub, acks), await subscriber(hub, stuck)];
    await until(() => a.read.length === 1 && b.read.length === 1 && c.read.length === 1);
    for (let n = 1; n <= 100; n++) await bus.publish("flashSaleInventory", 7, event(n));
    await until(() => fast.results.length === 100 && acks.results.at(-1) !== undefined && sold(acks.results.at(-1)!) === 100);
    expect(fast.results.map(sold)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // a transport that tells when it has taken each write gets them in order, the final state last
    const acked = acks.results.map(sold);
    expect(acked).toEqual([...acked].sort((x, y) => x - y));
    expect(new Set(acked).size).toBe(acked.length);
    // one message in the stuck transport's hands, nothing more until it takes it
    expect(stuck.results.map(sold)).toEqual([1]);
    stuck.release();
    await until(() => stuck.results.length === 33);
    // the 32 newest, in order, the final state last
    expect(stuck.results.map(sold)).toEqual([1, ...Array.from({ length: 32 }, (_, i) => 69 + i)]);
    await Promise.all([a, b, c].map((s) => s.iterator.return!()));
  });

  it("stops writing to a subscriber that left, and closes the room with its last subscriber", async () => {
    hub = new FanoutHub(bus, createLogger("silent"), () => ({}));
    const [stays, leaves] = [new TestOutlet(), new TestOutlet()];
    const [a, b] = [await subscriber(hub, stays), await subscriber(hub, leaves)];
    await until(() => a.read.length === 1 && b.read.length === 1);
    await bus.publish("flashSaleInventory", 7, event(1));
    await until(() => stays.results.length === 1 && leaves.results.length === 1);
    await b.iterator.return!();
    await b.loop;
    expect(hub.roomSize("test-room", 7)).toBe(1);
    await bus.publish("flashSaleInventory", 7, event(2));
    await until(() => stays.results.length === 2);
    expect(leaves.results.map(sold)).toEqual([1]);
    await a.iterator.return!();
    expect(hub.roomIds("test-room")).toEqual([]);
  });

  it("an outlet that adopts a subscriber ends graphql-ws's loop after the snapshot, writes the rest, and frees the subscriber when it ends it", async () => {
    hub = new FanoutHub(bus, createLogger("silent"), () => ({}));
    const [adopting, keeping] = [new TestOutlet("takes", true), new TestOutlet()];
    const [a, b] = [await subscriber(hub, adopting), await subscriber(hub, keeping)];
    // graphql-ws's loop over the adopted one ends once the snapshot is written, without a return(): it is still in its room
    await a.loop;
    expect(a.read.map(sold)).toEqual([0]);
    expect(adopting.adopted).toBe(a.iterator);
    await until(() => b.read.length === 1);
    expect(hub.roomSize("test-room", 7)).toBe(2);
    for (let n = 1; n <= 3; n++) await bus.publish("flashSaleInventory", 7, event(n));
    await until(() => adopting.results.length === 3 && keeping.results.length === 3);
    expect(adopting.results.map(sold)).toEqual([1, 2, 3]);
    expect(adopting.results[2]).toBe(keeping.results[2]);
    // the transport ends it: it leaves the room and gets nothing more
    await adopting.adopted!.return!();
    expect(hub.roomSize("test-room", 7)).toBe(1);
    expect(hub.roomMembers(7)).toBe(1);
    await bus.publish("flashSaleInventory", 7, event(4));
    await until(() => keeping.results.length === 4);
    expect(adopting.results.map(sold)).toEqual([1, 2, 3]);
    await b.iterator.return!();
    await b.loop;
    expect(hub.roomSize("test-room", 7)).toBe(0);
    expect(hub.roomMembers(7)).toBe(0);
    expect(hub.roomIds("test-room")).toEqual([]);
  });
});

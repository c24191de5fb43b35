import {
  createSourceEventStream,
  execute,
  GraphQLError,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from "graphql";
import type { Logger } from "../shared/logger.js";
import type { EventBus, Unsubscribe } from "./bus.js";
import type { TopicName, Topics } from "./topics.js";

/**
 * Execute-once fan-out for room subscriptions (a live room's inventory and events): every subscriber of a room
 * on this instance with the same selection set shares one execution per message, instead of running the
 * resolvers once per subscriber, and the same result object (see RoomOutlet). A room subscribes to the bus once
 * per instance, however many viewers it has.
 */
export interface RoomSpec<S, E> {
  name: string;
  topic: TopicName;
  /** Current state of the room, from the ledger. */
  load(roomId: number): Promise<S>;
  /** Merges an event into the state (events may arrive late or twice: keep the newest). */
  apply(state: S, event: E): S;
  /** Root value of the first message a subscriber gets. */
  snapshot(state: S, roomId: number): unknown;
  /** "coalesce": send the snapshot at most once per window; otherwise the root value of each event's message. */
  onEvent: "coalesce" | ((event: E, state: S, roomId: number) => unknown | null);
  coalesceMs?: number;
}

/** What a room field's subscribe function returns: the room to join, instead of an event stream. */
export class RoomTicket {
  constructor(
    readonly spec: RoomSpec<any, any>,
    readonly roomId: number,
    /** Run when the room opens on this instance (e.g. that it exists), not per subscriber: an open room has passed it. */
    readonly opening?: () => Promise<void>,
  ) {}
  [Symbol.asyncIterator](): AsyncIterator<never> {
    throw new Error("a RoomTicket is joined through the fan-out hub, not iterated");
  }
}

/**
 * A transport that writes a room subscriber's messages itself once its first message is out (graphql-ws then only
 * waits for the end): every subscriber of a group gets the same result object, so the transport can serialise it
 * once and write the same bytes to each of its sockets.
 */
export interface RoomOutlet {
  /**
   * Writes one result. True: the transport took it at once (its buffer had room, the common case) and takes the next
   * as soon as it comes. False: a slow client's buffer is full; the transport calls `sink.written()` later (never
   * from within `write`), once the socket has taken this one, and is given nothing more until then.
   */
  write(result: ExecutionResult, sink: OutletSink): boolean;
  /**
   * Called once graphql-ws has sent the first messages and the outlet writes the rest: true when the transport takes
   * the subscription over, i.e. ends it itself (`subscription.return()` on the client's `complete` or the socket's
   * close). graphql-ws's loop then ends without a word to the client, and what it held for this subscription (the
   * subscribe message, its arguments and context) is freed. False: graphql-ws keeps waiting for the end.
   */
  adopt?(subscription: AsyncIterator<ExecutionResult>): boolean;
}

/** What an outlet tells once a held-back write is taken: one method on the subscriber, no callback made per subscriber. */
export interface OutletSink {
  written(): void;
}

interface Group {
  room: Room<any, any>;
  key: string;
  args: ExecutionArgs;
  sinks: Set<Subscriber>;
  /** The current first message, shared by everyone joining until the state changes (a promise: joins come in crowds). */
  snapshot: Promise<ExecutionResult> | null;
}

const MAX_QUEUE = 32;

/** Printed once per parsed document (documents come from the analyser's cache, so subscribers share them). */
const printed = new WeakMap<DocumentNode, string>();

function selectionKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) printed.set(args.document, (text = print(args.document)));
  return `${args.operationName ?? ""}\n${text}\n${JSON.stringify(args.variableValues ?? {})}`;
}

/**
 * One subscriber of a room: the async iterator graphql-ws reads. Without an outlet every message goes through
 * graphql-ws. With one, graphql-ws sends the first message (the snapshot, and whatever queued behind it), then the
 * outlet takes over (and may adopt the subscription: graphql-ws's loop ends, the transport ends it). A transport with
 * room takes each message at once; once it has none (a slow subscriber), at most one more message is in its hands
 * and at most MAX_QUEUE wait: a slow subscriber loses its oldest messages, never the newest, and holds no one else
 * back. A crowd holds one of these per viewer: it keeps only its group, its member id and its outlet, and a queue
 * only while messages wait.
 */
class Subscriber implements AsyncIterableIterator<ExecutionResult>, OutletSink {
  private queue: ExecutionResult[] | null = null;
  private waiting: ((r: IteratorResult<ExecutionResult>) => void) | null = null;
  private done = false;
  /** The outlet writes (graphql-ws has sent everything before). */
  private direct = false;
  private writing = false;

  constructor(
    private readonly group: Group,
    readonly memberId: string,
    private readonly outlet: RoomOutlet | undefined,
  ) {}

  first(result: ExecutionResult) {
    this.group.room.hub.delivered++;
    (this.queue ??= []).unshift(result);
  }

  push(result: ExecutionResult) {
    if (this.done) return;
    this.group.room.hub.delivered++;
    if (this.direct && !this.writing) return this.write(result);
    if (this.waiting && !this.direct) {
      const resolve = this.waiting;
      this.waiting = null;
      return resolve({ value: result, done: false });
    }
    // Inventory messages are whole snapshots: the newest state always arrives.
    const queue = (this.queue ??= []);
    if (queue.length >= MAX_QUEUE) queue.shift();
    queue.push(result);
  }

  private write(result: ExecutionResult) {
    this.writing = !this.outlet!.write(result, this);
  }

  /** The outlet's socket has taken the write it held back: queued messages go, until it holds one back again. */
  written() {
    this.writing = false;
    for (let next = this.shift(); next && !this.done; next = this.writing ? undefined : this.shift()) this.write(next);
  }

  private shift(): ExecutionResult | undefined {
    const next = this.queue?.shift();
    if (this.queue?.length === 0) this.queue = null;
    return next;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    const queued = this.shift();
    if (queued) return { value: queued, done: false };
    if (this.done) return { value: undefined, done: true };
    // graphql-ws has written all it was given: from here the outlet writes, and this waits for the end, or hands
    // the end to the transport (graphql-ws's loop, and all it holds, ends: no message goes to the client).
    if (this.outlet) {
      this.direct = true;
      if (this.outlet.adopt?.(this)) return { value: undefined, done: true };
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.leave();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.leave();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private async leave() {
    if (this.done) return;
    this.done = true;
    this.queue = null;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
    await this.group.room.hub.left(this.group, this);
  }
}

class Room<S, E> {
  readonly groups = new Map<string, Group>();
  state!: S;
  private unsubscribe: Unsubscribe | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private ready: Promise<void>;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly hub: FanoutHub,
    readonly spec: RoomSpec<S, E>,
    readonly roomId: number,
    opening: (() => Promise<void>) | undefined,
  ) {
    this.ready = this.start(opening);
  }

  private async start(opening: (() => Promise<void>) | undefined) {
    await opening?.();
    const early: E[] = [];
    let loaded = false;
    this.unsubscribe = await this.hub.bus.subscribe(this.spec.topic, this.roomId, (event) => {
      if (!loaded) early.push(event as E);
      else this.receive(event as E);
    });
    this.state = await this.spec.load(this.roomId);
    loaded = true;
    for (const event of early) this.state = this.spec.apply(this.state, event);
  }

  whenReady() {
    return this.ready;
  }

  receive(event: E) {
    this.state = this.spec.apply(this.state, event);
    for (const group of this.groups.values()) group.snapshot = null;
    if (this.spec.onEvent === "coalesce") {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        this.broadcast(this.spec.snapshot(this.state, this.roomId));
      }, this.spec.coalesceMs ?? 100);
      return;
    }
    const payload = this.spec.onEvent(event, this.state, this.roomId);
    if (payload !== null) this.broadcast(payload);
  }

  /** Messages go out in order: one execution per group, shared by its sinks. */
  private broadcast(payload: unknown) {
    this.chain = this.chain.then(async () => {
      for (const group of [...this.groups.values()]) {
        if (group.sinks.size === 0) continue;
        const result = await this.hub.run(group.args, payload);
        if (this.spec.onEvent === "coalesce") group.snapshot = Promise.resolve(result);
        for (const sink of group.sinks) sink.push(result);
      }
    }).catch((error) => this.hub.log.error("fan-out broadcast failed", { room: this.spec.name, roomId: this.roomId, error }));
  }

  /** Reads the state again from the ledger (events may have been lost) and sends it to everyone in the room. */
  async reload() {
    await this.ready;
    this.state = await this.spec.load(this.roomId);
    for (const group of this.groups.values()) group.snapshot = null;
    if (this.spec.onEvent === "coalesce") this.broadcast(this.spec.snapshot(this.state, this.roomId));
  }

  snapshotFor(group: Group): Promise<ExecutionResult> {
    if (!group.snapshot) {
      const pending = this.hub.run(group.args, this.spec.snapshot(this.state, this.roomId));
      group.snapshot = pending;
      // One that failed (the ledger away) is not kept: the next subscriber executes it again.
      const forget = () => {
        if (group.snapshot === pending) group.snapshot = null;
      };
      pending.then((result) => result.errors && forget(), forget);
    }
    return group.snapshot;
  }

  get subscriberCount(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.sinks.size;
    return n;
  }

  async close() {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.ready.catch(() => {});
    await this.unsubscribe?.();
  }
}

export class FanoutHub {
  private readonly rooms = new Map<string, Room<any, any>>();
  /** Executions run (one per group per message): compare with messages delivered to see the sharing. */
  executions = 0;
  delivered = 0;

  constructor(
    readonly bus: EventBus,
    readonly log: Logger,
    /**
     * The context of one execution: given the subscription's context, a fresh one for its subscriber (same viewer,
     * new loaders); given none, an anonymous one for a room message. The only place event contexts are made.
     */
    private readonly contextForEvent: (subscription?: unknown) => unknown,
    /** Called with the number of distinct connections subscribed to a room (any of its fields) on this instance. */
    private readonly onMembers?: (roomId: number, members: number) => void,
  ) {}

  private readonly members = new Map<number, Map<string, number>>();

  private addMember(roomId: number, memberId: string, delta: 1 | -1) {
    let room = this.members.get(roomId);
    if (!room) this.members.set(roomId, (room = new Map()));
    const next = (room.get(memberId) ?? 0) + delta;
    if (next <= 0) room.delete(memberId);
    else room.set(memberId, next);
    if (room.size === 0) this.members.delete(roomId);
    this.onMembers?.(roomId, room.size);
  }

  async run(args: ExecutionArgs, rootValue: unknown): Promise<ExecutionResult> {
    this.executions++;
    // A fresh context (and loaders) per execution: shared by the whole group, never stale.
    return execute({ ...args, rootValue, contextValue: this.contextForEvent() }) as Promise<ExecutionResult>;
  }

  /**
   * graphql-ws `subscribe`: room fields join their room; every other subscription runs as graphql-js would
   * (one execution per event per subscriber, each with a fresh context: a subscription's own lives too long).
   */
  async subscribe(args: ExecutionArgs, outlet?: RoomOutlet): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
    if (source instanceof RoomTicket) {
      try {
        return await this.join(source, args, outlet);
      } catch (error) {
        // An error result, not a throw: graphql-ws then ends this one subscription, not the client's whole socket.
        return { errors: [error instanceof GraphQLError ? error : new GraphQLError((error as Error)?.message ?? String(error), { originalError: error as Error })] };
      }
    }
    return mapStream(
      source as AsyncIterableIterator<unknown>,
      (payload) => execute({ ...args, rootValue: payload, contextValue: this.contextForEvent(args.contextValue) }) as Promise<ExecutionResult>,
    );
  }

  /** Distinct connections subscribed to a room (any of its fields) on this instance: the viewers it counts. */
  roomMembers(roomId: number): number {
    return this.members.get(roomId)?.size ?? 0;
  }

  roomSize(specName: string, roomId: number): number {
    return this.rooms.get(`${specName}:${roomId}`)?.subscriberCount ?? 0;
  }

  /** Pushes an event into this instance's copy of a room only (e.g. a locally computed viewer count). */
  inject<T extends TopicName>(specName: string, roomId: number, event: Topics[T]): void {
    const room = this.rooms.get(`${specName}:${roomId}`);
    if (room) void room.whenReady().then(() => room.receive(event));
  }

  /** After the bus lost messages (Redis was away): every room on this instance re-reads its state. */
  async reloadAll(): Promise<void> {
    const results = await Promise.allSettled([...this.rooms.values()].map((room) => room.reload()));
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed) this.log.warn("rooms not reloaded", { failed });
  }

  roomIds(specName: string): number[] {
    return [...this.rooms.values()].filter((r) => r.spec.name === specName).map((r) => r.roomId);
  }

  private async join(ticket: RoomTicket, args: ExecutionArgs, outlet: RoomOutlet | undefined): Promise<AsyncIterableIterator<ExecutionResult>> {
    const key = `${ticket.spec.name}:${ticket.roomId}`;
    let room = this.rooms.get(key);
    if (!room) {
      room = new Room(this, ticket.spec, ticket.roomId, ticket.opening);
      this.rooms.set(key, room);
    }
    try {
      await room.whenReady();
    } catch (error) {
      // The room could not load (PostgreSQL or Redis away): the subscriber gets the error and may subscribe again.
      if (this.rooms.get(key) === room) this.rooms.delete(key);
      await room.close().catch(() => {});
      throw error;
    }
    const selection = selectionKey(args);
    let group = room.groups.get(selection);
    if (!group) {
      group = { room, key: selection, args: { ...args, contextValue: undefined }, sinks: new Set(), snapshot: null };
      room.groups.set(selection, group);
    }
    const memberId = String((args.contextValue as { requestId?: string } | undefined)?.requestId ?? Math.random());
    const subscriber = new Subscriber(group, memberId, outlet);
    group.sinks.add(subscriber);
    this.addMember(ticket.roomId, memberId, 1);
    subscriber.first(await room.snapshotFor(group));
    return subscriber;
  }

  /** A subscriber left its room: the room closes with its last subscriber. */
  async left(group: Group, subscriber: Subscriber): Promise<void> {
    const { room } = group;
    group.sinks.delete(subscriber);
    if (group.sinks.size === 0 && room.groups.get(group.key) === group) room.groups.delete(group.key);
    this.addMember(room.roomId, subscriber.memberId, -1);
    const key = `${room.spec.name}:${room.roomId}`;
    if (room.groups.size === 0 && this.rooms.get(key) === room) {
      this.rooms.delete(key);
      await room.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((room) => room.close()));
    this.rooms.clear();
  }
}

function mapStream<T, R>(source: AsyncIterableIterator<T>, map: (value: T) => Promise<R>): AsyncIterableIterator<R> {
  return {
    async next() {
      const item = await source.next();
      return item.done ? { value: undefined, done: true } : { value: await map(item.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

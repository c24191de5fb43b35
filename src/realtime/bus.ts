import type { TopicName, Topics } from "./topics.js";

export type Handler<T extends TopicName> = (payload: Topics[T]) => void;
export type Unsubscribe = () => Promise<void>;

/** Cross-instance event bus. Publishing is fire-and-forget after commit; delivery is at most once. */
export interface EventBus {
  readonly kind: "memory" | "redis";
  publish<T extends TopicName>(topic: T, key: string | number, payload: Topics[T]): Promise<void>;
  subscribe<T extends TopicName>(topic: T, key: string | number, handler: Handler<T>): Promise<Unsubscribe>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export const channelOf = (topic: TopicName, key: string | number) => `${topic}:${key}`;

/** Local fan-out table shared by both implementations: channel → handlers. */
export class HandlerTable {
  private readonly channels = new Map<string, Set<(payload: unknown) => void>>();

  /** Returns true when this is the first handler of the channel. */
  add(channel: string, handler: (payload: unknown) => void): boolean {
    let set = this.channels.get(channel);
    const first = !set;
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(handler);
    return first;
  }

  /** Returns true when the channel has no handler left. */
  remove(channel: string, handler: (payload: unknown) => void): boolean {
    const set = this.channels.get(channel);
    if (!set) return false;
    set.delete(handler);
    if (set.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  deliver(channel: string, payload: unknown, onError: (error: unknown) => void): void {
    for (const handler of this.channels.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        onError(error);
      }
    }
  }

  get size(): number {
    return this.channels.size;
  }
}

export class InProcessBus implements EventBus {
  readonly kind = "memory" as const;
  private readonly table = new HandlerTable();
  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  async publish<T extends TopicName>(topic: T, key: string | number, payload: Topics[T]): Promise<void> {
    // Same JSON round trip as Redis, so the embedded mode cannot rely on anything Redis would not carry.
    const copy = JSON.parse(JSON.stringify(payload));
    queueMicrotask(() => this.table.deliver(channelOf(topic, key), copy, this.onError));
  }

  async subscribe<T extends TopicName>(topic: T, key: string | number, handler: Handler<T>): Promise<Unsubscribe> {
    const channel = channelOf(topic, key);
    const h = handler as (payload: unknown) => void;
    this.table.add(channel, h);
    return async () => {
      this.table.remove(channel, h);
    };
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}

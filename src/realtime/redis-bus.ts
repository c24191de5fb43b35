import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import type { Logger } from "../shared/logger.js";
import { channelOf, HandlerTable, type EventBus, type Handler, type Unsubscribe } from "./bus.js";
import type { TopicName, Topics } from "./topics.js";

/**
 * Redis pub/sub bus: one connection publishes, one subscribes; a Redis channel is subscribed once per process
 * however many local handlers it has. A process receives its own publications back through Redis, so local
 * subscribers are never served twice.
 */
export class RedisBus implements EventBus {
  readonly kind = "redis" as const;
  private readonly table = new HandlerTable();

  private constructor(
    readonly client: RedisClientType,
    private readonly subscriber: RedisClientType,
    private readonly prefix: string,
    private readonly log: Logger,
    /** CLIENT SETNAME of this process's connections, so operators (and tests) can tell them apart. */
    readonly connectionName: string,
  ) {}

  static async connect(url: string, prefix: string, log: Logger): Promise<RedisBus> {
    const name = `liveshelf-${process.pid}-${randomUUID().slice(0, 8)}`;
    const client: RedisClientType = createClient({
      url,
      name,
      socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2000) },
    });
    const subscriber = client.duplicate();
    for (const [name, c] of [["command", client], ["subscriber", subscriber]] as const) {
      c.on("error", (error: Error) => log.warn("redis connection error", { connection: name, error: error.message }));
    }
    await Promise.all([client.connect(), subscriber.connect()]);
    return new RedisBus(client, subscriber, prefix, log, name);
  }

  async publish<T extends TopicName>(topic: T, key: string | number, payload: Topics[T]): Promise<void> {
    await this.client.publish(this.prefix + channelOf(topic, key), JSON.stringify(payload));
  }

  async subscribe<T extends TopicName>(topic: T, key: string | number, handler: Handler<T>): Promise<Unsubscribe> {
    const channel = this.prefix + channelOf(topic, key);
    const h = handler as (payload: unknown) => void;
    if (this.table.add(channel, h)) {
      await this.subscriber.subscribe(channel, (message) => this.onMessage(channel, message));
    }
    return async () => {
      if (this.table.remove(channel, h) && this.subscriber.isOpen) await this.subscriber.unsubscribe(channel);
    };
  }

  private onMessage(channel: string, message: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      this.log.warn("dropped a bus message that is not JSON", { channel });
      return;
    }
    this.table.deliver(channel, payload, (error) => this.log.error("bus handler failed", { channel, error }));
  }

  async ready(): Promise<boolean> {
    try {
      return (await this.client.ping()) === "PONG" && this.subscriber.isReady;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.quit(), this.client.quit()]);
  }
}

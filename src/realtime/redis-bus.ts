import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType, type RedisScripts } from "redis";
import { StartupError } from "../config/env.js";
import type { Logger } from "../shared/logger.js";
import { channelOf, HandlerTable, type EventBus, type Handler, type Unsubscribe } from "./bus.js";
import type { TopicName, Topics } from "./topics.js";

const SUBSCRIBER_PING_MS = 1000;

/**
 * Redis pub/sub bus: one connection publishes, one subscribes; a Redis channel is subscribed once per process
 * however many local handlers it has. A process receives its own publications back through Redis, so local
 * subscribers are never served twice.
 */
export class RedisBus<S extends RedisScripts = {}> implements EventBus {
  readonly kind = "redis" as const;
  private readonly table = new HandlerTable();

  private constructor(
    readonly client: RedisClientType<{}, {}, S>,
    private readonly subscriber: RedisClientType<{}, {}, S>,
    private readonly prefix: string,
    private readonly log: Logger,
    /** CLIENT SETNAME of this process's connections, so operators (and tests) can tell them apart. */
    readonly connectionName: string,
  ) {}

  /** `scripts` (node-redis `defineScript`s, e.g. the flash-sale gate's) become methods of `client`. */
  static async connect<S extends RedisScripts = {}>(
    url: string,
    prefix: string,
    log: Logger,
    options: { startupTimeoutMs: number; commandTimeoutMs: number; replyTimeoutMs: number; scripts?: S } = { startupTimeoutMs: 15_000, commandTimeoutMs: 700, replyTimeoutMs: 2000 },
  ): Promise<RedisBus<S>> {
    const name = `liveshelf-${process.pid}-${randomUUID().slice(0, 8)}`;
    // No offline queue and a command timeout: while Redis is away a command fails at once (the request gets
    // UNAVAILABLE) instead of waiting in a queue for a reconnection that may take minutes. The command timeout ends
    // once a command is written; the reply deadline (replyTimeout, patches/@redis+client+6.3.1.patch) covers a Redis
    // that hangs with its connection open: a connection awaiting replies that gets none for replyTimeoutMs is closed
    // (its commands fail with SocketTimeoutError) and connects again, and until Redis answers the handshake commands
    // fail at once, as when Redis is down.
    const client = createClient({
      url,
      name,
      scripts: options.scripts,
      disableOfflineQueue: true,
      commandOptions: { timeout: options.commandTimeoutMs },
      replyTimeout: options.replyTimeoutMs,
      socket: { connectTimeout: Math.min(5_000, Math.max(1_000, options.startupTimeoutMs)), reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
    });
    // The subscriber sends nothing once subscribed: its PING every second is what the reply deadline watches, so a
    // hung Redis drops it too, and when Redis answers again it connects again and the reconnect listeners (gates and
    // rooms rebuilt from the ledger) run as after Redis was down.
    const subscriber = client.duplicate({ pingInterval: SUBSCRIBER_PING_MS });
    const bus = new RedisBus(client, subscriber, prefix, log, name);
    let lastError = "";
    for (const [role, c] of [["command", client], ["subscriber", subscriber]] as const) {
      // One line when a connection is lost and one when it is back, not one per reconnection attempt.
      let down = false;
      c.on("error", (error: Error) => {
        lastError = error.message || error.constructor.name;
        if (!bus.started || down) return;
        down = true;
        log.warn("redis connection lost", { connection: role, error: lastError });
      });
      c.on("ready", () => {
        if (!down) return;
        down = false;
        log.info("redis connection is back", { connection: role });
        if (role === "subscriber") for (const listener of bus.reconnectListeners) listener();
      });
    }
    const connecting = Promise.all([client.connect(), subscriber.connect()]);
    connecting.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StartupError(`Redis at ${redactedUrl(url)} is not reachable after ${options.startupTimeoutMs} ms (${lastError || "no answer"})`)), options.startupTimeoutMs);
    });
    try {
      await Promise.race([connecting, deadline]);
    } catch (error) {
      client.destroy();
      subscriber.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    bus.started = true;
    return bus;
  }

  private started = false;
  private readonly reconnectListeners: (() => void)[] = [];

  /** Called each time the subscriber connection is back after a loss: messages sent meanwhile were lost. */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
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
    await Promise.allSettled([this.subscriber.close(), this.client.close()]);
  }
}

/** A URL as it may be logged: without its password. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

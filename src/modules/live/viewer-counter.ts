import { randomUUID } from "node:crypto";
import type { RedisClientType } from "redis";
import type { Logger } from "../../shared/logger.js";
import { inBackground } from "../../shared/background.js";

const SETTLE_TICKS = 10;
/**
 * How long an instance's heartbeat lasts: three ticks, but never under 10 s. An instance whose event loop is busy (a
 * crowd joining) ticks late; with a bare three ticks of 1 s its key expired, the room's total halved and came back,
 * and each flip cost a message to everyone in the room. A dead instance still drops out of the sum within 10 s.
 */
const aliveMs = (tickMs: number) => Math.max(tickMs * 3, 10_000);
const VIEWERS_PER_TICK = 2000;

function worthSending(last: number, total: number, ticksSince: number): boolean {
  if (total === last) return false;
  // Each count costs a message to everyone in the room: a bigger room gets them further apart.
  if (ticksSince < Math.min(SETTLE_TICKS, Math.ceil(Math.max(last, total) / VIEWERS_PER_TICK))) return false;
  return Math.abs(total - last) >= last / 100 || ticksSince >= SETTLE_TICKS;
}

/**
 * Viewer count of a room = its subscribers on every gateway instance. Each instance keeps its local counts and,
 * with Redis, writes them to a per-room hash (field = instance id) once per tick; an instance that stops
 * heart-beating drops out of the sum. Without Redis the local count is the total.
 *
 * A new total goes out to the room when it moved by at least 1% since the last one sent (any move in a room under
 * 100), or a smaller move once the last one sent is SETTLE_TICKS ticks old; and a room of N viewers gets one at most
 * every ⌈N / VIEWERS_PER_TICK⌉ ticks (at most SETTLE_TICKS). A crowd joining a big room costs a message to everyone
 * in it per 1% or per few seconds, not one per tick, and the count still ends exact.
 */
/** How often a tick that keeps failing is logged again. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

export class ViewerCounter {
  private readonly local = new Map<number, number>();
  private readonly dirty = new Set<number>();
  /** Per room with local subscribers: the last total sent, and the tick it was sent at. */
  private readonly sent = new Map<number, { total: number; tick: number }>();
  private ticks = 0;
  private timer: NodeJS.Timeout | null = null;
  /** While ticks fail (Redis away): when the failure was last logged, and how many failed since. */
  private failing: { loggedAt: number; failed: number } | null = null;
  readonly instanceId = randomUUID();

  constructor(
    private readonly options: {
      redis: RedisClientType | null;
      prefix: string;
      tickMs: number;
      log: Logger;
      /** Called with the new total of a room that has local subscribers. */
      onChange: (roomId: number, viewers: number) => void;
    },
  ) {}

  set(roomId: number, count: number): void {
    if ((this.local.get(roomId) ?? 0) === count) return;
    if (count === 0) this.local.delete(roomId);
    else this.local.set(roomId, count);
    this.dirty.add(roomId);
  }

  start(): void {
    this.timer = setInterval(() => {
      inBackground("viewer count tick", () => this.tick()).then(
        () => this.recovered(),
        (error) => this.failed(error),
      );
    }, this.options.tickMs);
    this.timer.unref();
  }

  /** A tick failed: logged the first time, then once a minute while it goes on (not once a tick). */
  private failed(error: unknown): void {
    const now = Date.now();
    if (!this.failing) {
      this.failing = { loggedAt: now, failed: 1 };
      this.options.log.warn("viewer count tick failed; counts are local until it succeeds", { error });
      return;
    }
    this.failing.failed++;
    if (now - this.failing.loggedAt < FAILURE_LOG_INTERVAL_MS) return;
    this.options.log.warn("viewer count ticks still failing", { failedTicks: this.failing.failed, error });
    this.failing.loggedAt = now;
  }

  private recovered(): void {
    if (!this.failing) return;
    this.options.log.info("viewer count ticks succeed again", { failedTicks: this.failing.failed });
    this.failing = null;
  }

  private hashKey = (roomId: number) => `${this.options.prefix}viewers:${roomId}`;
  private aliveKey = (instanceId: string) => `${this.options.prefix}instance:${instanceId}`;

  async tick(): Promise<void> {
    const { redis } = this.options;
    const changed = [...this.dirty];
    this.dirty.clear();
    if (redis) {
      const multi = redis.multi().set(this.aliveKey(this.instanceId), "1", { PX: aliveMs(this.options.tickMs) });
      for (const roomId of changed) {
        const count = this.local.get(roomId) ?? 0;
        if (count === 0) multi.hDel(this.hashKey(roomId), this.instanceId);
        else multi.hSet(this.hashKey(roomId), this.instanceId, String(count)).expire(this.hashKey(roomId), 3600);
      }
      await multi.exec();
    }
    const tick = ++this.ticks;
    for (const roomId of [...this.local.keys()]) {
      const total = await this.total(roomId);
      const last = this.sent.get(roomId);
      if (last && !worthSending(last.total, total, tick - last.tick)) continue;
      this.sent.set(roomId, { total, tick });
      if (this.local.has(roomId)) this.options.onChange(roomId, total);
    }
    for (const roomId of changed) if (!this.local.has(roomId)) this.sent.delete(roomId);
  }

  async total(roomId: number): Promise<number> {
    const { redis } = this.options;
    if (!redis) return this.local.get(roomId) ?? 0;
    const counts = await redis.hGetAll(this.hashKey(roomId));
    const instances = Object.keys(counts).filter((id) => id !== this.instanceId);
    const alive = instances.length ? await redis.mGet(instances.map(this.aliveKey)) : [];
    let sum = this.local.get(roomId) ?? 0;
    instances.forEach((id, i) => {
      if (alive[i] !== null) sum += Number(counts[id]) || 0;
    });
    return sum;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const { redis } = this.options;
    if (redis?.isOpen) {
      const multi = redis.multi().del(this.aliveKey(this.instanceId));
      for (const roomId of this.local.keys()) multi.hDel(this.hashKey(roomId), this.instanceId);
      await multi.exec().catch(() => {});
    }
  }
}

import type { Logger } from "../shared/logger.js";

/**
 * A circuit breaker in front of PostgreSQL. The driver refuses queries one connection attempt at a time, so while
 * PostgreSQL is away a burst of requests queues behind reconnects for seconds. Once a request has failed for want
 * of the database, GraphQL requests are refused at once (UNAVAILABLE, 503) until a probe gets an answer again,
 * every `probeMs`. Refusals then take milliseconds, and the first requests after the return are served normally.
 */
export class DatabaseBreaker {
  private down = false;

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly log: Logger,
    private readonly probeMs = 250,
  ) {}

  get open(): boolean {
    return this.down;
  }

  /** A request failed because PostgreSQL could not be reached; `cause` is that failure, logged with the trip. */
  trip(cause?: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log.warn("database unavailable: refusing requests that need it until it answers", { error: cause });
    void this.probe();
  }

  private async probe(): Promise<void> {
    const started = Date.now();
    while (this.down) {
      await new Promise((resolve) => setTimeout(resolve, this.probeMs).unref());
      try {
        await this.ping();
        this.down = false;
        this.log.info("database is back", { downMs: Date.now() - started });
      } catch {
        // still away
      }
    }
  }
}

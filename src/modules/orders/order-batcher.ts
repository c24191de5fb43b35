/**
 * Groups concurrent orders of one flash sale into one transaction: the sale's row is hot (every order updates it),
 * and one row takes only a few thousand updates a second, so under load many orders share one update. At low
 * load a batch holds a single order and commits at once. Each process batches its own orders; the row lock in
 * Postgres orders the batches of all processes.
 */
export class OrderBatcher<Req, Res> {
  private readonly queues = new Map<number, { pending: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[]; running: boolean }>();

  constructor(
    private readonly commit: (saleId: number, batch: Req[]) => Promise<Res[]>,
    private readonly maxBatch: number,
    /** An error after which every queued request is refused with it (an outage), rather than tried batch by batch. */
    private readonly failsAll?: (error: unknown) => boolean,
  ) {}

  submit(saleId: number, req: Req): Promise<Res> {
    let queue = this.queues.get(saleId);
    if (!queue) this.queues.set(saleId, (queue = { pending: [], running: false }));
    const promise = new Promise<Res>((resolve, reject) => queue!.pending.push({ req, resolve, reject }));
    if (!queue.running) void this.drain(saleId);
    return promise;
  }

  private async drain(saleId: number) {
    const queue = this.queues.get(saleId)!;
    queue.running = true;
    try {
      while (queue.pending.length > 0) {
        const batch = queue.pending.splice(0, this.maxBatch);
        try {
          const results = await this.commit(
            saleId,
            batch.map((b) => b.req),
          );
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (error) {
          for (const b of batch) b.reject(error);
          // PostgreSQL is away: what queued meanwhile would fail the same way, one batch after another.
          if (this.failsAll?.(error)) for (const b of queue.pending.splice(0)) b.reject(error);
        }
      }
    } finally {
      queue.running = false;
      if (queue.pending.length === 0) this.queues.delete(saleId);
    }
  }

  get idle(): boolean {
    return this.queues.size === 0;
  }
}

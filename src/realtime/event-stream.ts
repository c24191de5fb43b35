/**
 * Turns pushed events into an AsyncIterable for a GraphQL subscription. The queue is bounded: when a slow
 * consumer lets it fill, the oldest event is dropped (subscriptions carry state, and the newest state wins).
 */
export function eventStream<T>(options: {
  start: (push: (value: T) => void) => Promise<() => Promise<void>>;
  first?: () => Promise<T | null>;
  maxQueue?: number;
  onDrop?: () => void;
}): AsyncIterableIterator<T> {
  const maxQueue = options.maxQueue ?? 256;
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let done = false;
  let stop: (() => Promise<void>) | null = null;
  let firstPending = Boolean(options.first);

  const push = (value: T) => {
    if (done) return;
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (queue.length >= maxQueue) {
      queue.shift();
      options.onDrop?.();
    }
    queue.push(value);
  };

  const started = options.start(push).then((unsubscribe) => {
    stop = unsubscribe;
    if (done) void unsubscribe();
  });

  const finish = async (): Promise<IteratorResult<T>> => {
    done = true;
    queue.length = 0;
    if (waiting) {
      waiting({ value: undefined, done: true });
      waiting = null;
    }
    await started.catch(() => {});
    if (stop) await stop();
    return { value: undefined, done: true };
  };

  return {
    async next(): Promise<IteratorResult<T>> {
      await started;
      if (firstPending) {
        firstPending = false;
        const snapshot = await options.first!();
        if (snapshot !== null && !done) return { value: snapshot, done: false };
      }
      if (queue.length > 0) return { value: queue.shift()!, done: false };
      if (done) return { value: undefined, done: true };
      return new Promise((resolve) => (waiting = resolve));
    },
    return: finish,
    throw: async (error?: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The promise's value, or `fallback` once `ms` have passed (the promise is left to settle on its own). */
export async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Retries `attempt` until it resolves or `ms` have passed; then throws `fail(lastError)`. */
export async function retryUntil<T>(attempt: () => Promise<T>, ms: number, fail: (lastError: unknown) => Error, pauseMs = 250): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() + pauseMs > deadline) throw fail(error);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Scheduled work (the flash-sale sweep, the viewer-count tick, the settlement schedule) runs under its name, so
 * what it does can be told apart from what a request does: the statement hook reports the job with every SQL
 * statement, and tests counting a request's statements leave the schedule's out.
 */
const jobs = new AsyncLocalStorage<string>();

export function inBackground<T>(job: string, work: () => T): T {
  return jobs.run(job, work);
}

/** The scheduled job the caller runs in, or undefined inside a request. */
export function backgroundJob(): string | undefined {
  return jobs.getStore();
}

import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Where work comes from: a request (its id) or scheduled work (the flash-sale sweep, the viewer-count tick, the
 * settlement schedule, a reconnection's rebuild) under its job name. The statement hook reports it with every SQL
 * statement, so a test counts exactly the statements of the request it sent, whatever timers or other requests ran
 * meanwhile (a loaded machine stretches a request long enough for a sweep to land inside it).
 */
export interface WorkOrigin {
  job?: string;
  requestId?: string;
}

const origins = new AsyncLocalStorage<WorkOrigin>();

/**
 * Origins are tracked only once a statement hook asks for them (`trackWorkOrigins`): an AsyncLocalStorage in use
 * puts a hook on every promise of the process (measured: about 4% of the order path's CPU), for a figure nothing
 * else reads.
 */
let tracking = false;

export function trackWorkOrigins(): void {
  tracking = true;
}

export function inBackground<T>(job: string, work: () => T): T {
  return tracking ? origins.run({ job }, work) : work();
}

export function inRequest<T>(requestId: string, work: () => T): T {
  return tracking ? origins.run({ requestId }, work) : work();
}

/** The request or scheduled job the caller runs in; empty outside both (start-up, bus callbacks), and when untracked. */
export function workOrigin(): WorkOrigin {
  return origins.getStore() ?? {};
}

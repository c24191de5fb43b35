import type { Viewer } from "../shared/auth.js";
import type { CheckedViewer } from "../shared/context.js";
import type { EventBus } from "./bus.js";

/** Yielded once by a guarded stream whose viewer lost access; the field resolver throws it through `granted`. */
export class AccessRevoked {
  constructor(readonly error: unknown) {}
}

/** In a subscription's field resolver: the event, or the error that ended the viewer's access. */
export function granted<T>(event: T | AccessRevoked): T {
  if (event instanceof AccessRevoked) throw event.error;
  return event;
}

/**
 * A subscription that stays authorised. `authorize` runs when the client subscribes (its error is the
 * subscription's error) and again whenever an `accessChanged` event names the viewer. Each check first reads the
 * viewer afresh (`refresh`: a ban ends the stream, a new role is the role judged), then `authorize`s that viewer, and
 * only then records it in `viewer` (the subscription's `ctx.checked`), which every later event's context is built
 * with. When a check fails (or cannot be made: fail closed), the client gets that error as one last result and the
 * stream ends.
 *
 * Whoever changes a user's rights publishes `accessChanged` for that user after the commit: e.g. a merchant removed
 * from a shop sees its `priceGuardAlerts(shopId)` end with FORBIDDEN. `refresh` and `authorize` must read fresh rows,
 * not a subscription's long-lived loaders.
 */
export async function guardedStream<T>(options: {
  bus: EventBus;
  viewer: CheckedViewer;
  /** The viewer as the database knows it now; throws when the account may no longer watch anything. */
  refresh?: (viewer: Viewer) => Promise<Viewer>;
  /** What the subscription needs beyond an active account (ownership, a role); nothing when left out. */
  authorize?: (viewer: Viewer | null) => Promise<void>;
  open: () => Promise<AsyncIterableIterator<T>>;
}): Promise<AsyncIterableIterator<T | AccessRevoked>> {
  const check = async () => {
    const known = options.viewer.viewer;
    const now = known && options.refresh ? await options.refresh(known) : known;
    await options.authorize?.(now);
    options.viewer.viewer = now;
  };
  let revoked: AccessRevoked | null = null;
  let finished = false;
  let signal = () => {};
  const revocation = new Promise<null>((resolve) => (signal = () => resolve(null)));
  let checks: Promise<void> = Promise.resolve();
  const recheck = async () => {
    if (revoked || finished) return;
    try {
      await check();
    } catch (error) {
      revoked = new AccessRevoked(error);
      signal();
    }
  };
  // Listen before the first check, so a change racing with the subscription is not missed.
  const userId = options.viewer.viewer?.userId;
  const unsubscribe =
    userId !== undefined
      ? await options.bus.subscribe("accessChanged", userId, () => {
          checks = checks.then(recheck);
        })
      : null;
  let source: AsyncIterableIterator<T>;
  try {
    await check();
    source = await options.open();
  } catch (error) {
    await unsubscribe?.();
    throw error;
  }
  const finish = async () => {
    if (finished) return;
    finished = true;
    await unsubscribe?.();
    await source.return?.();
  };
  const stream: AsyncIterableIterator<T | AccessRevoked> = {
    async next(): Promise<IteratorResult<T | AccessRevoked>> {
      if (finished) return { value: undefined, done: true };
      const result = revoked ? null : await Promise.race([source.next(), revocation]);
      if (revoked) {
        await finish();
        return { value: revoked, done: false };
      }
      if (result!.done) await finish();
      return result!;
    },
    async return() {
      await finish();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}

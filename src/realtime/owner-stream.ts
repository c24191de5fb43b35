import { Role, type Viewer } from "../shared/auth.js";
import type { CheckedViewer } from "../shared/context.js";
import { forbidden, unauthenticated } from "../shared/errors.js";
import type { EventBus } from "./bus.js";
import { eventStream } from "./event-stream.js";
import { guardedStream, type AccessRevoked } from "./guarded-stream.js";

/** Whose records a stream follows: a buyer's own, or the shops a merchant owns. */
export interface OwnerScope {
  buyerId?: number;
  shopIds?: number[];
}

/**
 * A buyer's own records, or a merchant's shop's (one shop, or all it owns), snapshot first: the shape of orderUpdates
 * and afterSalesCaseUpdates. Bus keys are `buyer:<id>` and `shop:<id>`. Role and ownership are re-read whenever the
 * viewer's access changes; losing a watched shop (or the merchant role, or the account) ends the stream with FORBIDDEN.
 */
export async function ownerStream<T>(options: {
  bus: EventBus;
  /** The subscription's `ctx.checked`. */
  viewer: CheckedViewer;
  /** The viewer as the database knows it now (see guardedStream). */
  refresh: (viewer: Viewer) => Promise<Viewer>;
  /** What is watched, for the error message ("orders", "cases"). */
  what: string;
  /** The shop asked for, or null; called after the viewer is known to be signed in. */
  wantedShop: () => number | null;
  shopsOwnedBy: (userId: number) => Promise<number[]>;
  subscribe: (key: string, push: (event: T) => void) => Promise<() => Promise<void>>;
  snapshot: (scope: OwnerScope) => Promise<T>;
}): Promise<AsyncIterableIterator<T | AccessRevoked>> {
  const viewer = options.viewer.viewer;
  if (!viewer) throw unauthenticated();
  const wanted = options.wantedShop();
  const scope = async (viewer: Viewer): Promise<OwnerScope> => {
    if (viewer.role === Role.BUYER && wanted === null) return { buyerId: viewer.userId };
    if (viewer.role !== Role.MERCHANT) throw forbidden(`watching these ${options.what}`);
    const owned = await options.shopsOwnedBy(viewer.userId);
    if (wanted !== null && !owned.includes(wanted)) throw forbidden(`watching another shop's ${options.what}`);
    return { shopIds: wanted !== null ? [wanted] : owned };
  };
  // With the viewer as subscribed; guardedStream's first check reads it afresh and must agree before anything flows.
  const initial = await scope(viewer);
  const keys = initial.buyerId !== undefined ? [`buyer:${initial.buyerId}`] : initial.shopIds!.map((id) => `shop:${id}`);
  return guardedStream({
    bus: options.bus,
    viewer: options.viewer,
    refresh: options.refresh,
    authorize: async (checked) => {
      const now = await scope(checked!);
      if (now.shopIds && initial.shopIds!.some((id) => !now.shopIds!.includes(id))) throw forbidden(`watching another shop's ${options.what}`);
    },
    open: async () =>
      eventStream<T>({
        start: async (push) => {
          const stops = await Promise.all(keys.map((key) => options.subscribe(key, push)));
          return async () => {
            await Promise.all(stops.map((stop) => stop()));
          };
        },
        first: () => options.snapshot(initial),
        maxQueue: 64,
      }),
  });
}

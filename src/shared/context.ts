import type { Db } from "../db/client.js";
import type { Viewer } from "./auth.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";

/**
 * The DataLoaders of a request. Empty here: each module adds its own from its loaders file by declaration merging
 * (`declare module "../../shared/context.js" { interface Loaders extends ReturnType<typeof xLoaders> {} }`),
 * so this file names no module; the composition root hands the factories to `RequestContexts`.
 */
export interface Loaders {}

/** A module's loaders, built for one request's database handle. */
export type LoaderFactory = (db: Db) => object;

/**
 * The viewer of a subscription as of its latest access check. A subscription outlives its caller's rights: its
 * guard (`guardedStream`) replaces the viewer here when a re-check reads a new role, and each event's context is
 * built with it (`RequestContexts.forEvent`). For a plain request it is the request's viewer and never changes.
 */
export interface CheckedViewer {
  viewer: Viewer | null;
}

/** Built once per HTTP request and once per subscription event; nothing mutates it after that. */
export interface Context {
  requestId: string;
  viewer: Viewer | null;
  /** Shared by a subscription and its events' contexts; only the subscription's guard writes it. */
  readonly checked: CheckedViewer;
  /** The caller's address (behind TRUST_PROXY_HOPS proxies): the rate-limit key of anonymous callers. */
  clientAddress?: string;
  db: Db;
  clock: Clock;
  log: Logger;
  loaders: Loaders;
}

/**
 * Loaders are built per request, but most requests touch one or two modules: a module's loaders are made on the
 * first access to any of them (getters defined once, on a prototype), not up front.
 */
function lazyLoaders(factories: readonly LoaderFactory[]): (db: Db) => Loaders {
  class Lazy {
    readonly groups: (Record<string, unknown> | undefined)[] = [];
    constructor(readonly db: Db) {}
  }
  factories.forEach((make, group) => {
    for (const key of Object.keys(make(null as unknown as Db))) {
      if (key in Lazy.prototype) throw new Error(`two modules define the loader ${key}`);
      Object.defineProperty(Lazy.prototype, key, {
        get(this: Lazy) {
          return (this.groups[group] ??= make(this.db) as Record<string, unknown>)[key];
        },
      });
    }
  });
  return (db) => new Lazy(db) as unknown as Loaders;
}

/** The one place contexts are made: for a request (HTTP, a subscription's start) and for each subscription event. */
export class RequestContexts {
  private readonly loaders: (db: Db) => Loaders;

  constructor(
    private readonly base: { db: Db; clock: Clock; log: Logger },
    loaderFactories: readonly LoaderFactory[],
  ) {
    this.loaders = lazyLoaders(loaderFactories);
  }

  forRequest(viewer: Viewer | null, requestId: string, clientAddress?: string): Context {
    const { db, clock, log } = this.base;
    return { requestId, viewer, checked: { viewer }, clientAddress, db, clock, log: log.child({ requestId }), loaders: this.loaders(db) };
  }

  /**
   * A subscription's context lives as long as the subscription: each event gets its own, with fresh loaders and the
   * viewer as last checked (a role changed since subscribing is the role the event is resolved for).
   */
  forEvent(subscription: Context): Context {
    return { ...subscription, viewer: subscription.checked.viewer, loaders: this.loaders(subscription.db) };
  }
}

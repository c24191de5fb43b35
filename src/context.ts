import type { Db } from "./db/client.js";
import type { Viewer } from "./shared/auth.js";
import type { Clock } from "./shared/clock.js";
import type { Logger } from "./shared/logger.js";
import { accountLoaders } from "./modules/accounts/accounts.loaders.js";
import type { AccountsService } from "./modules/accounts/accounts.service.js";
import { allianceLoaders, type AllianceService } from "./modules/alliance/index.js";
import { catalogLoaders } from "./modules/catalog/catalog.loaders.js";
import type { CatalogService } from "./modules/catalog/catalog.service.js";
import { flashSaleLoaders } from "./modules/flash-sales/flash-sale.loaders.js";
import type { GovernanceService } from "./modules/governance/governance.service.js";
import type { FlashSaleService } from "./modules/flash-sales/flash-sale.service.js";
import { liveLoaders } from "./modules/live/live.loaders.js";
import type { LiveService } from "./modules/live/live.service.js";
import { orderLoaders } from "./modules/orders/orders.loaders.js";
import type { OrderService } from "./modules/orders/orders.service.js";
import { priceGuardLoaders, type PriceGuardService } from "./modules/price-guard/index.js";
import { fulfilmentLoaders, type FulfilmentService } from "./modules/fulfilment/index.js";
import { settlementLoaders, type SettlementService } from "./modules/settlement/index.js";
// The loaders file itself: the module's index pulls in resolvers, which import this file (an import cycle).
import { afterSalesLoaders } from "./modules/after-sales/after-sales.loaders.js";
import type { AfterSalesService } from "./modules/after-sales/index.js";
import type { CreditService, DepositService } from "./modules/governance/index.js";

const LOADER_GROUPS = [accountLoaders, catalogLoaders, liveLoaders, flashSaleLoaders, orderLoaders, allianceLoaders, priceGuardLoaders, fulfilmentLoaders, settlementLoaders, afterSalesLoaders] as const;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
export type Loaders = UnionToIntersection<ReturnType<(typeof LOADER_GROUPS)[number]>>;

/**
 * Loaders are built per request, but most requests touch one or two modules: a module's loaders are made on the
 * first access to any of them (getters defined once, on a prototype), not up front.
 */
const LazyLoaders = (() => {
  class Lazy {
    readonly groups: (Record<string, unknown> | undefined)[] = [];
    constructor(readonly db: Db) {}
  }
  LOADER_GROUPS.forEach((make, group) => {
    for (const key of Object.keys(make(null as unknown as Db))) {
      Object.defineProperty(Lazy.prototype, key, {
        get(this: Lazy) {
          return (this.groups[group] ??= make(this.db) as Record<string, unknown>)[key];
        },
      });
    }
  });
  return Lazy;
})();

export function createLoaders(db: Db): Loaders {
  return new LazyLoaders(db) as unknown as Loaders;
}

export interface Services {
  accounts: AccountsService;
  catalog: CatalogService;
  live: LiveService;
  flashSales: FlashSaleService;
  orders: OrderService;
  alliance: AllianceService;
  priceGuard: PriceGuardService;
  fulfilment: FulfilmentService;
  settlement: SettlementService;
  governance: GovernanceService;
  afterSales: AfterSalesService;
  credit: CreditService;
  deposits: DepositService;
}

/** Built once per HTTP request, and once per subscription (whose loaders are renewed per event). */
export interface Context {
  requestId: string;
  viewer: Viewer | null;
  /** The caller's address (behind TRUST_PROXY_HOPS proxies): the rate-limit key of anonymous callers. */
  clientAddress?: string;
  db: Db;
  clock: Clock;
  log: Logger;
  services: Services;
  loaders: Loaders;
}

export function createContext(base: Omit<Context, "loaders">): Context {
  return { ...base, loaders: createLoaders(base.db) };
}

/** A subscription's context lives as long as the subscription: cached rows would go stale between events. */
export function renewLoaders(ctx: Context): void {
  ctx.loaders = createLoaders(ctx.db);
}

import type { Db } from "./db/client.js";
import type { Viewer } from "./shared/auth.js";
import type { Clock } from "./shared/clock.js";
import type { Logger } from "./shared/logger.js";
import { accountLoaders } from "./modules/accounts/accounts.loaders.js";
import type { AccountsService } from "./modules/accounts/accounts.service.js";
import { allianceLoaders } from "./modules/alliance/alliance.loaders.js";
import type { AllianceService } from "./modules/alliance/alliance.service.js";
import { catalogLoaders } from "./modules/catalog/catalog.loaders.js";
import type { CatalogService } from "./modules/catalog/catalog.service.js";
import { flashSaleLoaders } from "./modules/flash-sales/flash-sale.loaders.js";
import type { FlashSaleService } from "./modules/flash-sales/flash-sale.service.js";
import { liveLoaders } from "./modules/live/live.loaders.js";
import type { LiveService } from "./modules/live/live.service.js";
import { orderLoaders } from "./modules/orders/orders.loaders.js";
import type { OrderService } from "./modules/orders/orders.service.js";
import { priceGuardLoaders } from "./modules/price-guard/price-guard.loaders.js";
import type { PriceGuardService } from "./modules/price-guard/price-guard.service.js";

export function createLoaders(db: Db) {
  return { ...accountLoaders(db), ...catalogLoaders(db), ...liveLoaders(db), ...flashSaleLoaders(db), ...orderLoaders(db), ...allianceLoaders(db), ...priceGuardLoaders(db) };
}
export type Loaders = ReturnType<typeof createLoaders>;

export interface Services {
  accounts: AccountsService;
  catalog: CatalogService;
  live: LiveService;
  flashSales: FlashSaleService;
  orders: OrderService;
  alliance: AllianceService;
  priceGuard: PriceGuardService;
}

/** Built once per HTTP request, and once per subscription (whose loaders are renewed per event). */
export interface Context {
  requestId: string;
  viewer: Viewer | null;
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

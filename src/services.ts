import type { Config } from "./config/env.js";
import type { Database } from "./db/client.js";
import { AccountsService, type IdentityService } from "./modules/accounts/index.js";
import { AllianceService } from "./modules/alliance/index.js";
import { CatalogService } from "./modules/catalog/index.js";
import { type AdmissionGate, FlashSaleService } from "./modules/flash-sales/index.js";
import { FulfilmentService } from "./modules/fulfilment/index.js";
import { AfterSalesService } from "./modules/after-sales/index.js";
import { CreditService, DepositService, GovernanceService } from "./modules/governance/index.js";
import { LiveService, type ViewerCounter } from "./modules/live/index.js";
import { OrderService } from "./modules/orders/index.js";
import { type LiveRooms, PriceGuardService } from "./modules/price-guard/index.js";
import { postRefund, SettlementService } from "./modules/settlement/index.js";
import type { EventBus } from "./realtime/bus.js";
import { ListingNotices } from "./realtime/listing-notices.js";
import type { Clock } from "./shared/clock.js";
import type { Logger } from "./shared/logger.js";

/** Every domain service of a gateway, built once by the composition root. */
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
  /** Product and shelf changes, told to every process's read caches. */
  listings: ListingNotices;
}

interface ServiceDeps {
  config: Config;
  database: Database;
  bus: EventBus;
  gate: AdmissionGate;
  identity: IdentityService;
  /** Viewers per live room, across instances when there is Redis. */
  viewers: ViewerCounter;
  clock: Clock;
  log: Logger;
}

/** Every domain service, and the ports between them. */
export function buildServices({ config, database, bus, gate, identity, viewers, clock, log }: ServiceDeps): Services {
  const db = database.db;
  // Stale read caches in other processes are at most one window old: the same window as a room's inventory updates.
  const listings = new ListingNotices(bus, log, config.INVENTORY_COALESCE_MS);
  // The price guard's checks are given to the services they judge. Its penalties act on live rooms (LiveRooms), which
  // it reaches only after a commit, never while the services are built: the port is bound to `live`, built below.
  const rooms: LiveRooms = { withdraw: (tx, subject, reason) => live.withdraw(tx, subject, reason), publish: (id, alert) => live.publish(id, alert) };
  const priceGuard = new PriceGuardService({ db, bus, clock, log, rooms, warningBps: config.PRICE_GUARD_WARNING_BPS, listings });
  const deposits = new DepositService({ db, clock, log, terms: { periodDays: config.DEPOSIT_SALES_PERIOD_DAYS, tiers: config.DEPOSIT_TIERS } });
  const flashSales = new FlashSaleService({ db, bus, gate, clock, log, coalesceMs: config.INVENTORY_COALESCE_MS, guard: priceGuard.checks, deposits, listings });
  const live = new LiveService({ db, bus, clock, log, flashSales, guard: priceGuard.checks, viewers });
  const fulfilment = new FulfilmentService({ db, bus, clock, log, autoReceiveDays: config.AUTO_RECEIVE_DAYS, refunds: { postRefund }, listings });
  const settlement = new SettlementService({
    db,
    clock,
    log,
    fulfilment,
    intervalMs: config.SETTLEMENT_INTERVAL_MS,
    terms: {
      defaultTechnicalBps: config.TECHNICAL_FEE_DEFAULT_BPS,
      fanxing: { from: config.FANXING_ENROLL_FROM, until: config.FANXING_ENROLL_UNTIL, rateBps: config.FANXING_RATE_BPS, lineFen: config.FANXING_SALES_LINE_YUAN * 100 },
    },
  });
  const accounts = new AccountsService({ bus, identity });
  const catalog = new CatalogService({
    db,
    bus,
    log,
    guard: priceGuard.checks,
    access: accounts,
    cartLost: (tx, shopId) => live.withdraw(tx, { shopId, promoterId: null, crossBorderOnly: false }, "CART_DISABLED"),
    listings,
  });
  // R17: a case's closing books its credit and 先行赔付 (governance) in the case's transaction; credit acts on the
  // cart (catalog) and the payouts (settlement) in that same transaction.
  const credit = new CreditService({
    db,
    clock,
    log,
    terms: { startScore: config.CREDIT_START_SCORE, deductions: config.CREDIT_DEDUCTIONS },
    cart: catalog,
    payouts: settlement,
    compensator: deposits,
    listings,
  });
  const afterSales = new AfterSalesService({
    db,
    bus,
    clock,
    log,
    terms: { windowDays: config.AFTER_SALES_WINDOW_DAYS, answerHours: config.AFTER_SALES_ANSWER_HOURS },
    refunds: fulfilment,
    consequences: credit,
    sweepIntervalMs: config.AFTER_SALES_SWEEP_MS,
  });
  const services: Services = {
    accounts,
    catalog,
    flashSales,
    live,
    orders: new OrderService({ db, bus, gate, clock, log, flashSales, maxBatch: config.ORDER_BATCH_MAX, guard: priceGuard.checks, listings }),
    alliance: new AllianceService({ listings, users: identity }),
    priceGuard,
    fulfilment,
    settlement,
    governance: new GovernanceService(),
    afterSales,
    credit,
    deposits,
    listings,
  };
  return services;
}

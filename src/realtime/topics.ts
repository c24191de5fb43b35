/** Every event that crosses the bus: topic name → JSON-safe payload. A topic is published per key (a room, a product). */
export interface Topics {
  productUpdated: { productId: number; version: number };
  /** Keyed by live session: the stock of one of its flash sales after a change. */
  flashSaleInventory: FlashSaleStockEvent;
  /** Keyed by live session: what happens in the room. */
  liveSessionEvent: LiveSessionEventPayload;
  /** A user's rights changed (role, ban, shop membership): their live subscriptions re-check access. Keyed by user id. */
  accessChanged: { userId: number };
  /** Keyed by `shop:<id>`, `room:<liveSessionId>` and `all`: price-guard alerts (R13, R14). */
  priceGuardAlert: PriceGuardAlertPayload;
  /** Keyed by `buyer:<userId>` and `shop:<shopId>`: orders that moved (shipped, received, refunded, settled). */
  orderUpdated: { orderIds: number[] };
  /** Keyed "all": products whose fields or stock changed, shops that changed and promoters whose shelf changed, one message per coalescing window (src/realtime/listing-notices.ts). */
  listingsChanged: ListingChange;
  /** Keyed by `buyer:<userId>` and `shop:<shopId>`: after-sales cases that took a step (R17). */
  afterSalesCaseUpdated: { caseIds: number[] };
}
export type TopicName = keyof Topics;

export interface ListingChange {
  productIds: number[];
  shopIds: number[];
  promoterIds: number[];
  /** Units sold of these products changed and nothing else of them (a flash-sale order, a refund). */
  soldProductIds?: number[];
  /** Commission plans, their promoters, rate floors or price-guard restrictions changed: what the selection center offers or pays. */
  alliance?: boolean;
  /** The ListingNotices that sent it over the bus (its own listeners heard every change at once, so skip the echo). */
  origin?: string;
}

export interface FlashSaleStockEvent {
  flashSaleId: number;
  liveSessionId: number;
  productId: number;
  status: "SCHEDULED" | "RUNNING" | "SOLD_OUT" | "ENDED";
  allocatedUnits: number;
  soldUnits: number;
  version: number;
}

export type LiveSessionEventPayload =
  | { kind: "VIEWER_COUNT_CHANGED"; at: string; viewers: number }
  | { kind: "CART_ITEM_PINNED"; at: string; productId: number; cartItemId: number }
  | { kind: "CART_ITEM_UNPINNED"; at: string; productId: number; cartItemId: number }
  | { kind: "FLASH_SALE_STARTED"; at: string; flashSaleId: number }
  | { kind: "FLASH_SALE_SOLD_OUT"; at: string; flashSaleId: number }
  | { kind: "FLASH_SALE_ENDED"; at: string; flashSaleId: number; returnedUnits: number; reason: string }
  | { kind: "LIVE_SESSION_ENDED"; at: string }
  | PriceGuardAlertPayload;

/** A price-guard alert; the same payload goes to the alert feeds and, as a room event, to liveSessionEvents. */
export interface PriceGuardAlertPayload {
  kind: "PRICE_GUARD_ALERT";
  alertId: string;
  at: string;
  level: "WARNING" | "BLOCKED" | "VIOLATION";
  offer: "FLASH_SALE" | "CART_SUBSIDY" | "SHOP_COUPON" | "PROMOTER_COUPON" | "LIST_PRICE" | "ORDER";
  productRowId: number;
  productShopRowId: number;
  liveSessionRowId: number | null;
  /** Lowest reachable per-unit hand price (WARNING, BLOCKED) or the refused order's (VIOLATION). */
  handPriceFen: number;
  floorFen: number;
  unitsPerOrder: number;
  message: string;
  violationRowId: number | null;
  /** The shop held responsible (VIOLATION); null for a promoter without a shop of its own. */
  violatingShopRowId: number | null;
  party: "MERCHANT" | "PROMOTER" | null;
  penalty: "RESTRICTED_15_DAYS" | "RESTRICTED_30_DAYS" | "SUSPENDED" | null;
}

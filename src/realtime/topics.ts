/** Every event that crosses the bus: topic name → JSON-safe payload. A topic is published per key (a room, a product). */
export interface Topics {
  productUpdated: { productId: number; version: number };
  /** Keyed by live session: the stock of one of its flash sales after a change. */
  flashSaleInventory: FlashSaleStockEvent;
  /** Keyed by live session: what happens in the room. */
  liveSessionEvent: LiveSessionEventPayload;
  /** A user's rights changed (role, ban, shop membership): their live subscriptions re-check access. Keyed by user id. */
  accessChanged: { userId: number };
}
export type TopicName = keyof Topics;

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
  | { kind: "LIVE_SESSION_ENDED"; at: string };

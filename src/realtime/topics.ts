/** Every event that crosses the bus: topic name → JSON-safe payload. A topic is published per key (a room, a product). */
export interface Topics {
  productUpdated: { productId: number; version: number };
  /** A user's rights changed (role, ban, shop membership): their live subscriptions re-check access. Keyed by user id. */
  accessChanged: { userId: number };
}
export type TopicName = keyof Topics;

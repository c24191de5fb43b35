/** Every event that crosses the bus: topic name → JSON-safe payload. A topic is published per key (a room, a product). */
export interface Topics {
  productUpdated: { productId: number; version: number };
}
export type TopicName = keyof Topics;

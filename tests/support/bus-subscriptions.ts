import type { EventBus } from "../../src/realtime/bus.js";
import type { TopicName } from "../../src/realtime/topics.js";

/**
 * Counts the gateway's bus subscriptions in place, per topic, at the EventBus contract: a test waits until a
 * subscription can receive events without reading the subscribing service's internals.
 */
export function countSubscriptions(bus: EventBus): (topic: TopicName) => number {
  const active = new Map<TopicName, number>();
  const change = (topic: TopicName, by: number) => active.set(topic, (active.get(topic) ?? 0) + by);
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = async (topic, key, handler) => {
    const unsubscribe = await subscribe(topic, key, handler);
    change(topic, 1);
    let gone = false;
    return async () => {
      if (!gone) change(topic, -1);
      gone = true;
      await unsubscribe();
    };
  };
  return (topic) => active.get(topic) ?? 0;
}

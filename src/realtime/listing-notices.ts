import { randomUUID } from "node:crypto";
import type { Logger } from "../shared/logger.js";
import type { EventBus, Unsubscribe } from "./bus.js";
import type { ListingChange } from "./topics.js";

/**
 * Tells every gateway process which products (fields, stock, units sold), shops, promoters' shelves and alliance terms
 * (plans, floors, restrictions) changed, so that read
 * caches drop what they hold of them. Writers call it once their transaction has committed. The notices of one
 * window go out as one `listingsChanged` message keyed "all" (a burst of stock changes is one message, not one per
 * order), so another process's cache is stale by at most the window plus the bus's delivery; this process's own
 * listeners hear at once.
 */
export class ListingNotices {
  private pending: { products: Set<number>; shops: Set<number>; promoters: Set<number>; sold: Set<number>; alliance: boolean } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly local = new Set<(change: ListingChange) => void>();
  /** Marks what this instance publishes: its listeners heard those changes when noted, not again from the bus. */
  private readonly origin = randomUUID();

  constructor(
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly windowMs: number,
  ) {}

  productsChanged(productIds: readonly number[]): void {
    this.note({ productIds: [...productIds], shopIds: [], promoterIds: [] });
  }

  shopChanged(shopId: number): void {
    this.note({ productIds: [], shopIds: [shopId], promoterIds: [] });
  }

  shelfChanged(promoterId: number): void {
    this.note({ productIds: [], shopIds: [], promoterIds: [promoterId] });
  }

  /** Orders of these products were sold or refunded without a change to their fields or stock (a flash sale's units are set aside when it starts). */
  salesChanged(productIds: readonly number[]): void {
    this.note({ productIds: [], shopIds: [], promoterIds: [], soldProductIds: [...productIds] });
  }

  /** A commission plan, its promoters, a rate floor or a price-guard restriction changed. */
  allianceChanged(): void {
    this.note({ productIds: [], shopIds: [], promoterIds: [], alliance: true });
  }

  /** Hears every change: this process's at once, other processes' through the bus. */
  async listen(handler: (change: ListingChange) => void): Promise<Unsubscribe> {
    this.local.add(handler);
    const unsubscribe = await this.bus.subscribe("listingsChanged", "all", (change) => {
      if (change.origin !== this.origin) handler(change);
    });
    return async () => {
      this.local.delete(handler);
      await unsubscribe();
    };
  }

  /** Sends what is pending now (the process stops). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }

  private note(change: ListingChange): void {
    for (const handler of this.local) handler(change);
    this.pending ??= { products: new Set(), shops: new Set(), promoters: new Set(), sold: new Set(), alliance: false };
    for (const id of change.productIds) this.pending.products.add(id);
    for (const id of change.shopIds) this.pending.shops.add(id);
    for (const id of change.promoterIds) this.pending.promoters.add(id);
    for (const id of change.soldProductIds ?? []) this.pending.sold.add(id);
    if (change.alliance) this.pending.alliance = true;
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    try {
      await this.bus.publish("listingsChanged", "all", {
        productIds: [...pending.products],
        shopIds: [...pending.shops],
        promoterIds: [...pending.promoters],
        soldProductIds: [...pending.sold],
        alliance: pending.alliance,
        origin: this.origin,
      });
    } catch (error) {
      // Other processes keep what they cached until its time-to-live ends.
      this.log.warn("could not publish listingsChanged", { error });
    }
  }
}

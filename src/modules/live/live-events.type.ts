import { createUnionType, Field, ID, Int, ObjectType } from "type-graphql";
import { LiveSession } from "./live.type.js";

/** Root values of liveSessionEvents messages: a bus payload plus the room, or the snapshot. */
export type LiveEventRoot =
  | ({ liveSessionId: number } & import("../../realtime/topics.js").LiveSessionEventPayload)
  | { kind: "SNAPSHOT"; liveSessionId: number; at: string; viewers: number };

@ObjectType("LiveSessionSnapshot", { description: "First message of liveSessionEvents: the session as it is now." })
export class LiveSessionSnapshot {
  @Field(() => Date, { description: "When the snapshot was taken." })
  at!: Date;

  @Field(() => LiveSession, { description: "The session, with its cart and flash sales." })
  liveSession!: LiveSession;

  @Field(() => Int, { description: "Viewers now, across all gateway instances." })
  viewers!: number;
}

@ObjectType("ViewerCountChanged", { description: "The number of viewers changed." })
export class ViewerCountChanged {
  @Field(() => Date, { description: "When." })
  at!: Date;

  @Field(() => Int, { description: "Viewers now, across all gateway instances." })
  viewers!: number;
}

@ObjectType("CartItemPinned", { description: "A product was pinned to the cart (挂车)." })
export class CartItemPinned {
  @Field(() => Date, { description: "When." })
  at!: Date;

  @Field(() => ID, { description: "The product." })
  productId!: string;

  productRowId!: number;
}

@ObjectType("CartItemUnpinned", { description: "A product was taken off the cart." })
export class CartItemUnpinned {
  @Field(() => Date, { description: "When." })
  at!: Date;

  @Field(() => ID, { description: "The product." })
  productId!: string;
}

@ObjectType("FlashSaleStarted", { description: "A flash sale started." })
export class FlashSaleStarted {
  @Field(() => Date, { description: "When." })
  at!: Date;

  @Field(() => ID, { description: "The flash sale." })
  flashSaleId!: string;

  saleRowId!: number;
}

@ObjectType("FlashSaleSoldOut", { description: "A flash sale sold its last unit." })
export class FlashSaleSoldOut {
  @Field(() => Date, { description: "When." })
  at!: Date;

  @Field(() => ID, { description: "The flash sale." })
  flashSaleId!: string;

  saleRowId!: number;
}

@ObjectType("FlashSaleEnded", { description: "A flash sale ended; its unsold units went back to stock." })
export class FlashSaleEnded {
  @Field(() => Date, { description: "When." })
  at!: Date;

  @Field(() => ID, { description: "The flash sale." })
  flashSaleId!: string;

  @Field(() => Int, { description: "Units returned to the product's stock." })
  returnedUnits!: number;

  @Field(() => String, { description: "TIME_UP, SESSION_ENDED, RESTRICTED, ..." })
  reason!: string;

  saleRowId!: number;
}

@ObjectType("LiveSessionEnded", { description: "The stream ended." })
export class LiveSessionEnded {
  @Field(() => Date, { description: "When." })
  at!: Date;
}

export const LIVE_EVENT_TYPES = {
  SNAPSHOT: LiveSessionSnapshot,
  VIEWER_COUNT_CHANGED: ViewerCountChanged,
  CART_ITEM_PINNED: CartItemPinned,
  CART_ITEM_UNPINNED: CartItemUnpinned,
  FLASH_SALE_STARTED: FlashSaleStarted,
  FLASH_SALE_SOLD_OUT: FlashSaleSoldOut,
  FLASH_SALE_ENDED: FlashSaleEnded,
  LIVE_SESSION_ENDED: LiveSessionEnded,
} as const;

/** Other modules (price guard) add their event types here before the schema is built. */
export const extraLiveEventTypes: { kind: string; type: Function }[] = [];

export const LiveSessionEvent = createUnionType({
  name: "LiveSessionEvent",
  description: "Something that happened in a live room. The first message is a LiveSessionSnapshot.",
  types: () => [...Object.values(LIVE_EVENT_TYPES), ...extraLiveEventTypes.map((e) => e.type)] as never,
  resolveType: (value: { __typename?: string }) => value.__typename,
});

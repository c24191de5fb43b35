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

/**
 * Other modules' events shown in live rooms (the price guard's alerts), by bus `kind`. The composition root lists
 * them (src/schema.ts, `liveEventMembers`) before it builds the schema; no import adds to them.
 */
const otherMembers = new Map<string, Function>();

export function setLiveEventMembers(members: Record<string, Function>): void {
  otherMembers.clear();
  for (const [kind, type] of Object.entries(members)) otherMembers.set(kind, type);
}

/** The GraphQL type of another module's live event, by its bus kind. */
export function liveEventMember(kind: string): Function | undefined {
  return otherMembers.get(kind);
}

export const LiveSessionEvent = createUnionType({
  name: "LiveSessionEvent",
  description: "Something that happened in a live room. The first message is a LiveSessionSnapshot.",
  types: () => [...Object.values(LIVE_EVENT_TYPES), ...otherMembers.values()] as never,
  resolveType: (value: { __typename?: string }) => value.__typename,
});

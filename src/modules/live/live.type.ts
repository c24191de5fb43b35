import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { CartItemRow, LiveSessionRow } from "../../db/schema/index.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Node } from "../../shared/node.type.js";
import { PageInfo } from "../../shared/pagination.js";

export enum LiveSessionStatus {
  LIVE = "LIVE",
  ENDED = "ENDED",
}
registerEnumType(LiveSessionStatus, { name: "LiveSessionStatus", description: "Whether the stream is on." });

@ObjectType("LiveSession", { implements: Node, description: "A promoter's live stream (直播间) with its cart and flash sales." })
export class LiveSession extends Node {
  readonly __typename = "LiveSession";
  rowId!: number;
  promoterRowId!: number;

  @Field(() => String, { description: "Title of the stream." })
  title!: string;

  @Field(() => LiveSessionStatus, { description: "LIVE or ENDED." })
  status!: LiveSessionStatus;

  @Field(() => Date, { description: "When the stream started." })
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: "When the stream ended." })
  endedAt!: Date | null;
}

@ObjectType("CartItem", { description: "A product pinned to a live session's cart (挂车)." })
export class CartItem {
  rowId!: number;
  productRowId!: number;
  liveSessionRowId!: number;

  @Field(() => String, { description: "Cart item id." })
  id!: string;

  @Field(() => Money, { description: "Per-unit subsidy the promoter pays on this item (0.00 when none)." })
  subsidy!: Money;

  subsidyFen!: number;

  @Field(() => Date, { description: "When it was pinned." })
  pinnedAt!: Date;
}

@ObjectType("LiveSessionEdge", { description: "A live session in a page." })
export class LiveSessionEdge {
  @Field(() => LiveSession, { description: "The session." })
  node!: LiveSession;

  @Field(() => String, { description: "Cursor of this edge." })
  cursor!: string;
}

@ObjectType("LiveSessionConnection", { description: "A page of live sessions, newest first." })
export class LiveSessionConnection {
  @Field(() => [LiveSessionEdge], { description: "The sessions." })
  edges!: LiveSessionEdge[];

  @Field(() => PageInfo, { description: "Paging." })
  pageInfo!: PageInfo;
}

export function toLiveSession(row: LiveSessionRow): LiveSession {
  return Object.assign(new LiveSession(), {
    id: toGlobalId("LiveSession", row.id),
    rowId: row.id,
    promoterRowId: row.promoterId,
    title: row.title,
    status: row.status as LiveSessionStatus,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
  });
}

export function toCartItem(row: CartItemRow): CartItem {
  return Object.assign(new CartItem(), {
    id: String(row.id),
    rowId: row.id,
    productRowId: row.productId,
    liveSessionRowId: row.liveSessionId,
    subsidy: money(row.subsidyFen),
    subsidyFen: row.subsidyFen,
    pinnedAt: row.pinnedAt,
  });
}

@ObjectType("ViewerCount", { description: "Viewers in a room." })
export class ViewerCount {
  @Field(() => Int, { description: "Subscribers of the room across all gateway instances." })
  viewers!: number;
}

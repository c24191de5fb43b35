import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { FlashSaleRow } from "../../db/schema/index.js";
import type { FlashSaleStockEvent } from "../../realtime/topics.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Node } from "../../shared/node.type.js";

export enum FlashSaleStatus {
  SCHEDULED = "SCHEDULED",
  RUNNING = "RUNNING",
  SOLD_OUT = "SOLD_OUT",
  ENDED = "ENDED",
}
registerEnumType(FlashSaleStatus, { name: "FlashSaleStatus", description: "Lifecycle of a flash sale (秒杀)." });

@ObjectType("FlashSale", { implements: Node, description: "A flash sale (秒杀) in a live session: flash price, allocated units, per-buyer limit." })
export class FlashSale extends Node {
  readonly __typename = "FlashSale";
  rowId!: number;
  liveSessionRowId!: number;
  productRowId!: number;
  flashPriceFen!: number;

  @Field(() => Money, { description: "Flash price per unit." })
  flashPrice!: Money;

  @Field(() => Int, { description: "Units taken from the product's stock for this sale." })
  allocatedUnits!: number;

  @Field(() => Int, { description: "Units sold (committed orders)." })
  soldUnits!: number;

  @Field(() => Int, { description: "Units left to sell." })
  remainingUnits!: number;

  @Field(() => Int, { description: "Units given back to stock when the sale ended." })
  returnedUnits!: number;

  @Field(() => Int, { description: "Most units one buyer may buy." })
  perBuyerLimit!: number;

  @Field(() => Date, { description: "Start of the sale." })
  startsAt!: Date;

  @Field(() => Date, { description: "End of the sale." })
  endsAt!: Date;

  @Field(() => FlashSaleStatus, { description: "SCHEDULED, RUNNING, SOLD_OUT or ENDED." })
  status!: FlashSaleStatus;

  @Field(() => String, { nullable: true, description: "Why the sale ended (TIME_UP, SESSION_ENDED, RESTRICTED, ...)." })
  endReason!: string | null;

  @Field(() => Int, { description: "Inventory version: increases with every change of stock or status." })
  version!: number;
}

@ObjectType("FlashSaleStock", { description: "Stock of one flash sale, as live-room overlays show it." })
export class FlashSaleStock {
  @Field(() => ID, { description: "The flash sale." })
  flashSaleId!: string;

  @Field(() => ID, { description: "The product on sale." })
  productId!: string;

  @Field(() => FlashSaleStatus, { description: "Status of the sale." })
  status!: FlashSaleStatus;

  @Field(() => Int, { description: "Units allocated." })
  allocatedUnits!: number;

  @Field(() => Int, { description: "Units sold." })
  soldUnits!: number;

  @Field(() => Int, { description: "Units left." })
  remainingUnits!: number;

  @Field(() => Int, { description: "Version of this sale's stock." })
  version!: number;

  saleRowId!: number;
}

@ObjectType("FlashSaleInventory", { description: "The stock of every flash sale of a live session. The first message is the current snapshot." })
export class FlashSaleInventory {
  @Field(() => ID, { description: "The live session." })
  liveSessionId!: string;

  @Field(() => Int, { description: "Monotonically increasing version of the room's inventory." })
  version!: number;

  @Field(() => [FlashSaleStock], { description: "Every flash sale of the session, oldest first." })
  sales!: FlashSaleStock[];
}

export function toFlashSale(row: FlashSaleRow): FlashSale {
  return Object.assign(new FlashSale(), {
    id: toGlobalId("FlashSale", row.id),
    rowId: row.id,
    liveSessionRowId: row.liveSessionId,
    productRowId: row.productId,
    flashPriceFen: row.flashPriceFen,
    flashPrice: money(row.flashPriceFen),
    allocatedUnits: row.allocatedUnits,
    soldUnits: row.soldUnits,
    remainingUnits: row.allocatedUnits - row.soldUnits,
    returnedUnits: row.returnedUnits,
    perBuyerLimit: row.perBuyerLimit,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    status: row.status as FlashSaleStatus,
    endReason: row.endReason,
    version: row.version,
  });
}

export function stockOf(row: FlashSaleRow): FlashSaleStockEvent {
  return {
    flashSaleId: row.id,
    liveSessionId: row.liveSessionId,
    productId: row.productId,
    status: row.status,
    allocatedUnits: row.allocatedUnits,
    soldUnits: row.soldUnits,
    version: row.version,
  };
}

export function toFlashSaleStock(event: FlashSaleStockEvent): FlashSaleStock {
  return Object.assign(new FlashSaleStock(), {
    flashSaleId: toGlobalId("FlashSale", event.flashSaleId),
    productId: toGlobalId("Product", event.productId),
    status: event.status as FlashSaleStatus,
    allocatedUnits: event.allocatedUnits,
    soldUnits: event.soldUnits,
    remainingUnits: event.allocatedUnits - event.soldUnits,
    version: event.version,
    saleRowId: event.flashSaleId,
  });
}

import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import type { OrderEventRow, ShipmentRow } from "../../db/schema/index.js";
import { Role } from "../../shared/auth.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Order, OrderStatus } from "../orders/index.js";

export enum OrderEventKind {
  SHIPPED = "SHIPPED",
  RECEIVED = "RECEIVED",
  AUTO_RECEIVED = "AUTO_RECEIVED",
  REFUNDED = "REFUNDED",
  SETTLED = "SETTLED",
}
registerEnumType(OrderEventKind, { name: "OrderEventKind", description: "What happened to an order." });

@ObjectType("OrderEvent", { description: "One transition of an order (append-only history): who, when, from, to." })
export class OrderEvent {
  @Field(() => OrderEventKind, { description: "What happened." })
  kind!: OrderEventKind;

  @Field(() => OrderStatus, { description: "Status before." })
  from!: OrderStatus;

  @Field(() => OrderStatus, { description: "Status after (the same for a partial refund)." })
  to!: OrderStatus;

  @Field(() => ID, { nullable: true, description: "The user who made it; null when the system did (auto-receipt, settlement)." })
  actorId!: string | null;

  @Field(() => Role, { nullable: true, description: "The actor's role at the time." })
  actorRole!: Role | null;

  @Field(() => Money, { nullable: true, description: "Refunds: the amount given back." })
  amount!: Money | null;

  @Field(() => String, { nullable: true, description: "Carrier and tracking number, or a refund's reason." })
  note!: string | null;

  @Field(() => Date, { description: "When." })
  at!: Date;
}

export function toOrderEvent(row: OrderEventRow): OrderEvent {
  return Object.assign(new OrderEvent(), {
    kind: row.kind as OrderEventKind,
    from: row.fromStatus as OrderStatus,
    to: row.toStatus as OrderStatus,
    actorId: row.actorId === null ? null : toGlobalId("User", row.actorId),
    actorRole: (row.actorRole as Role | null) ?? null,
    amount: row.amountFen === null ? null : money(row.amountFen),
    note: row.note,
    at: row.at,
  });
}

@ObjectType("Shipment", { description: "How the merchant shipped an order." })
export class Shipment {
  @Field(() => String, { description: "Carrier (e.g. SF Express)." })
  carrier!: string;

  @Field(() => String, { description: "The carrier's tracking number." })
  trackingNumber!: string;

  @Field(() => Date, { description: "When it was shipped." })
  shippedAt!: Date;

  @Field(() => Date, { description: "When it counts as received if the buyer does not confirm earlier." })
  autoReceiptAt!: Date;
}

export function toShipment(row: ShipmentRow, autoReceiptAt: Date): Shipment {
  return Object.assign(new Shipment(), { carrier: row.carrier, trackingNumber: row.trackingNumber, shippedAt: row.shippedAt, autoReceiptAt });
}

@ObjectType("OrderUpdate", { description: "A message of orderUpdates: first a snapshot of the open orders, then the orders that changed." })
export class OrderUpdate {
  @Field(() => Boolean, { description: "True for the first message: the open orders now (the newest 50)." })
  snapshot!: boolean;

  @Field(() => [Order], { description: "The orders, as they are now." })
  orders!: Order[];
}

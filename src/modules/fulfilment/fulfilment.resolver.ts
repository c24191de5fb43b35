import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { granted, type AccessRevoked } from "../../realtime/guarded-stream.js";
import { Role } from "../../shared/auth.js";
import { Money, money } from "../../shared/money.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { Order } from "../orders/index.js";
import { ConfirmReceiptInput, RefundOrderInput, ShipOrderInput } from "./fulfilment.inputs.js";
import { autoReceiptAt, OrderTransitionErrorCode, refundable } from "./fulfilment.rules.js";
import type { FulfilmentService, OrderTransitionUserError } from "./fulfilment.service.js";
import { OrderEvent, OrderUpdate, Shipment, toOrderEvent, toShipment } from "./fulfilment.type.js";
import { resolverFor } from "../../shared/resolver-container.js";

const OrderTransitionUserErrorType = UserErrorType("OrderTransitionUserError", OrderTransitionErrorCode);

@ObjectType("OrderTransitionPayload", { description: "Result of shipOrder, confirmReceipt and refundOrder." })
class OrderTransitionPayload {
  @Field(() => Order, { nullable: true, description: "The order after the change; null when userErrors is not empty." })
  order!: Order | null;

  @Field(() => [OrderTransitionUserErrorType], { description: "Why nothing changed (ILLEGAL_TRANSITION, EXCEEDS_REFUNDABLE, ...)." })
  userErrors!: OrderTransitionUserError[];
}

@Resolver(() => Order)
export class OrderFulfilmentResolver {
  constructor(private readonly fulfilment: FulfilmentService) {}

  @FieldResolver(() => [OrderEvent], { description: "The order's history, oldest first: every transition with who and when." })
  async events(@Root() order: Order, @Ctx() ctx: Context) {
    return (await ctx.loaders.orderEventsByOrderId.load(order.rowId)).map(toOrderEvent);
  }

  @FieldResolver(() => Shipment, { nullable: true, description: "The shipment, once shipped." })
  async shipment(@Root() order: Order, @Ctx() ctx: Context) {
    const row = await ctx.loaders.shipmentByOrderId.load(order.rowId);
    return row ? toShipment(row, autoReceiptAt(row.shippedAt, this.fulfilment.autoReceiveDays)) : null;
  }

  @FieldResolver(() => Money, { description: "Refunded so far." })
  async refunded(@Root() order: Order, @Ctx() ctx: Context) {
    return money(await ctx.loaders.refundedFenByOrderId.load(order.rowId));
  }

  @FieldResolver(() => Money, { description: "What may still be refunded." })
  async refundable(@Root() order: Order, @Ctx() ctx: Context) {
    return money(refundable(order.totalFen, await ctx.loaders.refundedFenByOrderId.load(order.rowId)));
  }

  @FieldResolver(() => Date, { nullable: true, description: "When the buyer received it (confirmed, or automatically)." })
  receivedAt(@Root() order: Order) {
    return order.receivedAt;
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => OrderTransitionPayload, { description: "The shop's merchant ships an ACCEPTED order with carrier and tracking number (→ SHIPPED)." })
  shipOrder(@Arg("input", () => ShipOrderInput) input: ShipOrderInput, @Ctx() ctx: Context) {
    return this.fulfilment.shipOrder(ctx, input);
  }

  @Authorized(Role.BUYER)
  @Mutation(() => OrderTransitionPayload, { description: "The buyer confirms receipt of a SHIPPED order (→ RECEIVED); settlement follows 7 days later (R16)." })
  confirmReceipt(@Arg("input", () => ConfirmReceiptInput) input: ConfirmReceiptInput, @Ctx() ctx: Context) {
    return this.fulfilment.confirmReceipt(ctx, input);
  }

  @Authorized(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => OrderTransitionPayload, {
    description:
      "Refund all or part of what remains refundable: the shop's merchant before shipping, an admin (after-sales) at any stage. " +
      "After settlement the amount is recovered from the parties per the order's split. A full refund ends the order as REFUNDED.",
  })
  refundOrder(@Arg("input", () => RefundOrderInput) input: RefundOrderInput, @Ctx() ctx: Context) {
    return this.fulfilment.refundOrder(ctx, input);
  }
}

@Resolver(() => OrderUpdate)
export class OrderUpdatesResolver {
  constructor(private readonly fulfilment: FulfilmentService) {}

  @Authorized(Role.BUYER, Role.MERCHANT)
  @Subscription(() => OrderUpdate, {
    description: "A buyer's own orders, or a merchant's shop's (shopId, or every shop it owns): the open orders first, then every order that moves.",
    subscribe: ({ args, context, info }) =>
      resolverFor(info, OrderUpdatesResolver).fulfilment.watchOrders(context as Context, (args.shopId as string | undefined) ?? null),
  })
  async orderUpdates(
    @Arg("shopId", () => ID, { nullable: true, description: "Merchants: one of your shops (default: all of them)." }) _shopId: string | null,
    @Root() event: { snapshot: boolean; orderIds: number[] } | AccessRevoked,
    @Ctx() ctx: Context,
  ): Promise<OrderUpdate> {
    const { snapshot, orderIds } = granted(event);
    return Object.assign(new OrderUpdate(), { snapshot, orders: await this.fulfilment.ordersNow(orderIds) });
  }
}

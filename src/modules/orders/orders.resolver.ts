import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { Product, Shop } from "../catalog/index.js";
import { FlashSale } from "../flash-sales/index.js";
import { CreateCouponInput, PlaceOrderInput } from "./orders.inputs.js";
import { CouponErrorCode, PlaceOrderErrorCode } from "./orders.rules.js";
import type { CouponUserError, OrderService, PlaceOrderUserError } from "./orders.service.js";
import { Coupon, Order } from "./orders.type.js";
import type { CatalogService } from "../catalog/index.js";
import type { FlashSaleService } from "../flash-sales/index.js";

const PlaceOrderUserErrorType = UserErrorType("PlaceOrderUserError", PlaceOrderErrorCode);
const CouponUserErrorType = UserErrorType("CouponUserError", CouponErrorCode);

@ObjectType("PlaceOrderPayload", { description: "Result of placeOrder: the accepted order (committed before this reply), or why not." })
class PlaceOrderPayload {
  @Field(() => Order, { nullable: true, description: "The order; the same one for every attempt with one idempotency key." })
  order!: Order | null;

  @Field(() => [PlaceOrderUserErrorType], { description: "Why the order was refused (SOLD_OUT, LIMIT_REACHED, NOT_STARTED, ENDED, ...)." })
  userErrors!: PlaceOrderUserError[];
}

@ObjectType("CreateCouponPayload", { description: "Result of createCoupon." })
class CreateCouponPayload {
  @Field(() => Coupon, { nullable: true, description: "The coupon; null when userErrors is not empty." })
  coupon!: Coupon | null;

  @Field(() => [CouponUserErrorType], { description: "Rules that refused the coupon." })
  userErrors!: CouponUserError[];
}

/** Orders' node type, for `node(id:)`. */
export const orderNodes = (orders: OrderService): NodeFetchers => ({ Order: (ctx, id) => orders.order(ctx, id) });

@Resolver(() => Order)
export class OrderResolver {
  constructor(private readonly orders: OrderService, private readonly catalog: CatalogService, private readonly flashSales: FlashSaleService) {}

  @Authorized()
  @Query(() => Order, { nullable: true, description: "One order: for its buyer, its shop's merchant, its promoter, admins and analysts." })
  order(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.orders.order(ctx, idOf("Order", id));
  }

  @FieldResolver(() => Product, { description: "The product bought." })
  async product(@Root() order: Order, @Ctx() ctx: Context) {
    const product = await this.catalog.product(ctx, order.productRowId);
    if (!product) throw notFound("Product");
    return product;
  }

  @FieldResolver(() => Shop, { description: "The selling shop." })
  async shop(@Root() order: Order, @Ctx() ctx: Context) {
    const shop = await this.catalog.shop(ctx, order.shopRowId);
    if (!shop) throw notFound("Shop");
    return shop;
  }

  @FieldResolver(() => FlashSale, { nullable: true, description: "The flash sale it was bought in, if any." })
  flashSale(@Root() order: Order, @Ctx() ctx: Context) {
    return order.flashSaleRowId === null ? null : this.flashSales.flashSale(ctx, order.flashSaleRowId);
  }

  @Authorized(Role.BUYER)
  @Mutation(() => PlaceOrderPayload, {
    description: "A buyer buys from a flash sale or a live cart. Accepted orders are committed before the reply; one idempotency key makes one order.",
  })
  placeOrder(@Arg("input", () => PlaceOrderInput) input: PlaceOrderInput, @Ctx() ctx: Context) {
    return this.orders.placeOrder(ctx, input);
  }

  @Authorized(Role.MERCHANT, Role.PROMOTER)
  @Mutation(() => CreateCouponPayload, { description: "A merchant (for its shop's product) or a promoter (for a product on its shelf) issues a coupon." })
  createCoupon(@Arg("input", () => CreateCouponInput) input: CreateCouponInput, @Ctx() ctx: Context) {
    return this.orders.createCoupon(ctx, input);
  }
}

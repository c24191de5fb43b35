import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { CouponRow, OrderRow } from "../../db/schema/index.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Node } from "../../shared/node.type.js";

export enum OrderStatus {
  ACCEPTED = "ACCEPTED",
  SHIPPED = "SHIPPED",
  RECEIVED = "RECEIVED",
  SETTLED = "SETTLED",
  CANCELLED = "CANCELLED",
  REFUNDED = "REFUNDED",
}
registerEnumType(OrderStatus, { name: "OrderStatus", description: "Where an order is in its life." });

@ObjectType("Order", { implements: Node, description: "A buyer's order. Committed to the ledger before it was reported as accepted." })
export class Order extends Node {
  readonly __typename = "Order";
  rowId!: number;
  buyerRowId!: number;
  shopRowId!: number;
  productRowId!: number;
  promoterRowId!: number | null;
  flashSaleRowId!: number | null;
  liveSessionRowId!: number | null;
  totalFen!: number;
  receivedAt!: Date | null;

  @Field(() => Int, { description: "Units bought." })
  quantity!: number;

  @Field(() => Money, { description: "List or flash price per unit." })
  unitPrice!: Money;

  @Field(() => Money, { description: "Shop coupon applied to the order." })
  shopCoupon!: Money;

  @Field(() => Money, { description: "Promoter coupon applied to the order." })
  promoterCoupon!: Money;

  @Field(() => Money, { description: "Value of the points used." })
  points!: Money;

  @Field(() => Money, { description: "Promoter subsidy on the whole order." })
  subsidy!: Money;

  @Field(() => Money, { description: "What the buyer pays for the order." })
  total!: Money;

  @Field(() => Money, { description: "Hand price (到手价) per unit: total ÷ quantity." })
  handPrice!: Money;

  @Field(() => Int, { description: "Commission rate frozen onto the order at purchase, in basis points (1500 = 15%)." })
  commissionRateBps!: number;

  @Field(() => String, { nullable: true, description: "Plan the commission rate came from (PRODUCT_TARGETED, SHOP_TARGETED, GENERAL)." })
  commissionPlan!: string | null;

  @Field(() => OrderStatus, { description: "Status." })
  status!: OrderStatus;

  @Field(() => String, { description: "The idempotency key the order was placed with." })
  idempotencyKey!: string;

  @Field(() => Date, { description: "When it was accepted." })
  createdAt!: Date;
}

export function toOrder(row: OrderRow): Order {
  return Object.assign(new Order(), {
    id: toGlobalId("Order", row.id),
    rowId: row.id,
    buyerRowId: row.buyerId,
    shopRowId: row.shopId,
    productRowId: row.productId,
    promoterRowId: row.promoterId,
    flashSaleRowId: row.flashSaleId,
    liveSessionRowId: row.liveSessionId,
    totalFen: row.totalFen,
    receivedAt: row.receivedAt,
    quantity: row.quantity,
    unitPrice: money(row.unitPriceFen),
    shopCoupon: money(row.shopCouponFen),
    promoterCoupon: money(row.promoterCouponFen),
    points: money(row.pointsFen),
    subsidy: money(row.subsidyFen),
    total: money(row.totalFen),
    handPrice: money(row.handPriceFen),
    commissionRateBps: row.commissionRateBps,
    commissionPlan: row.commissionPlan,
    status: row.status as OrderStatus,
    idempotencyKey: row.idempotencyKey,
    createdAt: row.createdAt,
  });
}

export enum CouponIssuer {
  SHOP = "SHOP",
  PROMOTER = "PROMOTER",
}
registerEnumType(CouponIssuer, { name: "CouponIssuer", description: "Who pays a coupon: the product's shop, or the promoter (from its own shop)." });

@ObjectType("Coupon", { description: "A coupon for one product." })
export class Coupon {
  @Field(() => String, { description: "Code buyers enter." })
  code!: string;

  @Field(() => CouponIssuer, { description: "Who pays it." })
  issuer!: CouponIssuer;

  @Field(() => Money, { description: "Amount off the order." })
  amount!: Money;

  @Field(() => Money, { description: "Least order value it applies to." })
  minSpend!: Money;

  @Field(() => Date, { description: "Valid from." })
  validFrom!: Date;

  @Field(() => Date, { description: "Valid until (exclusive)." })
  validUntil!: Date;

  @Field(() => Int, { description: "How many orders may redeem it in all." })
  totalQuantity!: number;

  @Field(() => Int, { description: "How many orders of one buyer may redeem it." })
  perBuyerLimit!: number;

  @Field(() => Int, { description: "How many orders have redeemed it." })
  redeemed!: number;

  productRowId!: number;
}

export function toCoupon(row: CouponRow): Coupon {
  return Object.assign(new Coupon(), {
    code: row.code,
    issuer: row.issuer as CouponIssuer,
    amount: money(row.amountFen),
    minSpend: money(row.minSpendFen),
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    totalQuantity: row.totalQuantity,
    perBuyerLimit: row.perBuyerLimit,
    redeemed: row.redeemedCount,
    productRowId: row.productId,
  });
}

import { Field, ID, InputType, Int } from "type-graphql";

@InputType("PlaceOrderInput", { description: "Buy from a flash sale (flashSaleId), or a cart item (liveSessionId + productId)." })
export class PlaceOrderInput {
  @Field(() => ID, { nullable: true, description: "The flash sale to buy from." })
  flashSaleId?: string | null;

  @Field(() => ID, { nullable: true, description: "The live session whose cart holds the product (cart purchase)." })
  liveSessionId?: string | null;

  @Field(() => ID, { nullable: true, description: "The product on that cart (cart purchase)." })
  productId?: string | null;

  @Field(() => Int, { description: "Units to buy." })
  quantity!: number;

  @Field(() => String, { nullable: true, description: "Coupon code (a shop's or the promoter's coupon for this product)." })
  couponCode?: string | null;

  @Field(() => Int, { nullable: true, description: "Points to spend, 1 point = 0.01 yuan, at most 10% of the order's list value." })
  points?: number | null;

  @Field(() => String, {
    description:
      "Client-chosen key, 1–64 characters from A–Z a–z 0–9 . _ : - (else BAD_USER_INPUT). The same key with the same request returns the same order, whenever replayed; with a different request it is refused (IDEMPOTENCY_KEY_REUSED).",
  })
  idempotencyKey!: string;
}

@InputType("CreateCouponInput", { description: "A coupon for one product, paid by the merchant's shop or by the promoter." })
export class CreateCouponInput {
  @Field(() => ID, { description: "Product the coupon applies to." })
  productId!: string;

  @Field(() => String, { description: "Code buyers enter (4–32 letters, digits, '-' or '_')." })
  code!: string;

  @Field(() => String, { description: "Amount off the order, decimal yuan." })
  amount!: string;

  @Field(() => String, { nullable: true, description: "Least order value it applies to (default 0.00)." })
  minSpend?: string | null;

  @Field(() => Date, { nullable: true, description: "Valid from (default now)." })
  validFrom?: Date | null;

  @Field(() => Date, { description: "Valid until (exclusive)." })
  validUntil!: Date;

  @Field(() => Int, { description: "How many orders may redeem it in all (1–1,000,000)." })
  totalQuantity!: number;

  @Field(() => Int, { nullable: true, description: "How many orders of one buyer may redeem it (default 1)." })
  perBuyerLimit?: number | null;
}

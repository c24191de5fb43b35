import { Field, ID, InputType, Int } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";

@InputType("RateShopInput", {
  description: "A DSR rating (description, service, logistics; 1–5 each). A buyer rates its own received order; an admin may record one for a shop.",
})
export class RateShopInput {
  @Field(() => ID, { nullable: true, description: "The rated order (a buyer's: required, received, its own; once per order)." })
  orderId?: string | null;

  @Field(() => ID, { nullable: true, description: "The rated shop (an admin's record without an order); with orderId, it must be the order's shop." })
  shopId?: string | null;

  @Field(() => Int, { description: "Goods as described (描述相符), 1–5." })
  description!: number;

  @Field(() => Int, { description: "Seller's service (服务态度), 1–5." })
  service!: number;

  @Field(() => Int, { description: "Logistics (物流服务), 1–5." })
  logistics!: number;
}

@InputType("RecordQualityViolationInput", { description: "Admin: a quality problem of a shop's goods, with its evidence (R1 looks back 365 days for serious ones)." })
export class RecordQualityViolationInput {
  @Field(() => ID, { description: "The shop held responsible." })
  shopId!: string;

  @Field(() => ID, { nullable: true, description: "The product concerned, if one." })
  productId?: string | null;

  @Field(() => Boolean, { description: "Serious violations block distribution for 365 days (R1)." })
  serious!: boolean;

  @TextField(TEXT_LIMITS.violationReason)
  @Field(() => String, { description: "What was found, 1–2,000 characters." })
  reason!: string;

  @TextField(TEXT_LIMITS.evidence)
  @Field(() => [String], { description: "Evidence: inspection reports, photo links, complaint numbers (1–20 items)." })
  evidence!: string[];

  @Field(() => Date, { nullable: true, description: "When it happened (default now; never in the future)." })
  occurredAt?: Date | null;
}

@InputType("SetShopSettlementInput", { description: "A shop's settlement terms: the shop's merchant or an admin sets them." })
export class SetShopSettlementInput {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => Boolean, { description: "The short settlement period (短账期); a shop with it enabled may not open distribution (R1)." })
  shortSettlementEnabled!: boolean;
}

import { Field, ID, InputType, registerEnumType } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";
import { AfterSalesKind, AfterSalesReason, AfterSalesStatus } from "./after-sales.type.js";

export enum MerchantAnswer {
  ACCEPT = "ACCEPT",
  REJECT = "REJECT",
  PROPOSE_PARTIAL = "PROPOSE_PARTIAL",
}
registerEnumType(MerchantAnswer, { name: "MerchantAnswer", description: "The merchant's answer: refund what is asked, refuse (with a reason), or offer part of it." });

export enum ArbitrationDecision {
  FOR_BUYER = "FOR_BUYER",
  FOR_MERCHANT = "FOR_MERCHANT",
}
registerEnumType(ArbitrationDecision, { name: "ArbitrationDecision", description: "An admin's decision on an escalated case." });

@InputType("OpenAfterSalesCaseInput", { description: "A buyer opens an after-sales case on its own order." })
export class OpenAfterSalesCaseInput {
  @Field(() => ID, { description: "The buyer's order." })
  orderId!: string;

  @Field(() => AfterSalesReason, { description: "What went wrong." })
  reason!: AfterSalesReason;

  @Field(() => AfterSalesKind, { description: "Refund only, or return and refund." })
  kind!: AfterSalesKind;

  @Field(() => String, { nullable: true, description: 'What to get back, a decimal such as "12.50" (default: all that may still be refunded).' })
  amount?: string | null;

  @TextField(TEXT_LIMITS.caseDescription)
  @Field(() => String, { description: "The buyer's account of the problem, 1–2,000 characters." })
  description!: string;

  @TextField(TEXT_LIMITS.imageRef)
  @Field(() => [String], { nullable: true, description: "Evidence: references to uploaded images (URLs or storage keys), at most 9, each 1–500 characters." })
  images?: string[] | null;
}

@InputType("AnswerAfterSalesCaseInput", { description: "The shop's merchant answers a case before its answer deadline." })
export class AnswerAfterSalesCaseInput {
  @Field(() => ID, { description: "The case." })
  caseId!: string;

  @Field(() => MerchantAnswer, { description: "Accept, reject, or propose a partial refund." })
  answer!: MerchantAnswer;

  @Field(() => String, { nullable: true, description: "PROPOSE_PARTIAL: the offered amount, a decimal above 0 and below what is asked." })
  amount?: string | null;

  @TextField(TEXT_LIMITS.caseNote)
  @Field(() => String, { nullable: true, description: "REJECT: the reason (required); otherwise an optional note; 1–1,000 characters." })
  note?: string | null;
}

@InputType("AfterSalesCaseStepInput", { description: "A buyer's step on its own case (accept an offer, escalate, withdraw)." })
export class AfterSalesCaseStepInput {
  @Field(() => ID, { description: "The case." })
  caseId!: string;

  @TextField(TEXT_LIMITS.caseNote)
  @Field(() => String, { nullable: true, description: "An optional note for the record, 1–1,000 characters." })
  note?: string | null;
}

@InputType("ArbitrateAfterSalesCaseInput", { description: "An admin decides an escalated case." })
export class ArbitrateAfterSalesCaseInput {
  @Field(() => ID, { description: "The case." })
  caseId!: string;

  @Field(() => ArbitrationDecision, { description: "For the buyer (it is paid) or for the merchant (it is not)." })
  decision!: ArbitrationDecision;

  @Field(() => String, { nullable: true, description: "FOR_BUYER: the amount (default what the buyer asked), a decimal." })
  amount?: string | null;

  @TextField(TEXT_LIMITS.caseNote)
  @Field(() => String, { description: "The grounds of the decision, 1–1,000 characters." })
  note!: string;
}

@InputType("AfterSalesCaseFilter", { description: "Which cases to list." })
export class AfterSalesCaseFilter {
  @Field(() => [AfterSalesStatus], { nullable: true, description: "Only these statuses." })
  statuses?: AfterSalesStatus[] | null;

  @Field(() => [AfterSalesReason], { nullable: true, description: "Only these reasons." })
  reasons?: AfterSalesReason[] | null;

  @Field(() => ID, { nullable: true, description: "Merchants: one of your shops; admins and analysts: any shop." })
  shopId?: string | null;

  @Field(() => ID, { nullable: true, description: "Admins and analysts: one buyer's cases." })
  buyerId?: string | null;

  @Field(() => Date, { nullable: true, description: "Opened at or after this." })
  openedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: "Opened before this." })
  openedTo?: Date | null;
}

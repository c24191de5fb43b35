import { Field, ID, InputType, registerEnumType } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";
import { OrderDirection } from "../catalog/index.js";
import { IndustryBelt } from "../catalog/index.js";
import { PayoutChannel, ReviewDecision, TargetedPlanKind } from "./alliance.type.js";

@InputType("ApplyForDistributionInput", { description: "A merchant applies for distribution rights for one of its shops." })
export class ApplyForDistributionInput {
  @Field(() => ID, { description: "The shop; must be the viewer's." })
  shopId!: string;
}

@InputType("ReviewDistributionApplicationInput", { description: "A platform admin's review of an application that passed the system check." })
export class ReviewDistributionApplicationInput {
  @Field(() => ID, { description: "The application; must be PENDING_REVIEW." })
  applicationId!: string;

  @Field(() => ReviewDecision, { description: "APPROVE or REJECT." })
  decision!: ReviewDecision;

  @Field(() => Boolean, { defaultValue: false, description: "On APPROVE: require a factory inspection (验厂) before approval takes effect." })
  factoryInspectionRequired!: boolean;

  @TextField(TEXT_LIMITS.reviewNote)
  @Field(() => String, { nullable: true, description: "Note to the merchant, at most 2,000 characters." })
  note?: string | null;
}

@InputType("RecordFactoryInspectionInput", { description: "The outcome of a factory inspection that a review required." })
export class RecordFactoryInspectionInput {
  @Field(() => ID, { description: "The application; must be AWAITING_INSPECTION." })
  applicationId!: string;

  @Field(() => Boolean, { description: "Whether the factory passed; a pass approves the application, a fail rejects it." })
  passed!: boolean;

  @TextField(TEXT_LIMITS.inspectionReport)
  @Field(() => String, { description: "The inspection agency's report, 1–5,000 characters." })
  report!: string;
}

@InputType("PublishToAllianceInput", { description: "Puts a product into the alliance library with a GENERAL plan." })
export class PublishToAllianceInput {
  @Field(() => ID, { description: "The product; its shop must be the viewer's and approved for distribution." })
  productId!: string;

  @Field(() => String, { description: "Commission rate in percent, 1–90 with at most two decimals, e.g. \"12.5\"." })
  ratePercent!: string;
}

@InputType("CreateCommissionPlanInput", { description: "A targeted commission plan for chosen promoters." })
export class CreateCommissionPlanInput {
  @Field(() => TargetedPlanKind, { description: "SHOP_TARGETED (give shopId) or PRODUCT_TARGETED (give productId)." })
  kind!: TargetedPlanKind;

  @Field(() => ID, { nullable: true, description: "SHOP_TARGETED: the shop, the viewer's and approved for distribution." })
  shopId?: string | null;

  @Field(() => ID, { nullable: true, description: "PRODUCT_TARGETED: the product, already in the alliance library." })
  productId?: string | null;

  @Field(() => [ID], { description: "The promoters (Promoter IDs) the plan is for, 1–1,000." })
  promoterIds!: string[];

  @Field(() => String, { description: "Commission rate in percent, 1–90 with at most two decimals." })
  ratePercent!: string;
}

@InputType("UpdateCommissionRateInput", { description: "A new rate for a plan: increases apply at once, decreases at the next 00:00 China time." })
export class UpdateCommissionRateInput {
  @Field(() => ID, { description: "The plan; its shop must be the viewer's." })
  planId!: string;

  @Field(() => String, { description: "Commission rate in percent, 1–90 with at most two decimals." })
  ratePercent!: string;
}

@InputType("CloseCommissionPlanInput", {
  description: "Closes a plan. A GENERAL plan (the product leaves the alliance library) closes at the next 00:00 China time; a targeted one at once, each promoter it paid keeping its rate until that midnight.",
})
export class CloseCommissionPlanInput {
  @Field(() => ID, { description: "The plan; its shop must be the viewer's." })
  planId!: string;
}

@InputType("UpdateCommissionPlanPromotersInput", {
  description: "Adds promoters to, and removes promoters from, a targeted plan. A promoter whose rate this lowers keeps its old rate until the next 00:00 China time.",
})
export class UpdateCommissionPlanPromotersInput {
  @Field(() => ID, { description: "The targeted plan; its shop must be the viewer's." })
  planId!: string;

  @Field(() => [ID], { defaultValue: [], description: "Promoters (Promoter IDs) to add; those already on the plan are left as they are." })
  addPromoterIds!: string[];

  @Field(() => [ID], { defaultValue: [], description: "Promoters (Promoter IDs) to remove; each must be on the plan." })
  removePromoterIds!: string[];
}

@InputType("BindPromotionPidInput", { description: "Binds the viewer's alliance promotion PID." })
export class BindPromotionPidInput {
  @Field(() => String, { description: "The PID, 6–64 letters, digits, '_' or '-'." })
  pid!: string;
}

@InputType("SignPayoutAccountInput", { description: "Signs the account the viewer's commissions are paid to." })
export class SignPayoutAccountInput {
  @Field(() => PayoutChannel, { description: "ALIPAY or WECHAT_PAY." })
  channel!: PayoutChannel;

  @TextField(TEXT_LIMITS.accountName)
  @Field(() => String, { description: "Account holder's name, 1–64 characters." })
  accountName!: string;

  @Field(() => String, { description: "Account number or login; only its last four characters are kept." })
  accountNo!: string;
}

@InputType("AddToShelfInput", { description: "Puts an alliance product on the viewer's shelf." })
export class AddToShelfInput {
  @Field(() => ID, { description: "The product." })
  productId!: string;
}

@InputType("RemoveFromShelfInput", { description: "Takes a product off the viewer's shelf." })
export class RemoveFromShelfInput {
  @Field(() => ID, { description: "The product." })
  productId!: string;
}

@InputType("ReorderShelfInput", { description: "A new order for the viewer's shelf." })
export class ReorderShelfInput {
  @Field(() => [ID], { description: "Every product on the shelf, exactly once, in the new order." })
  productIds!: string[];
}

@InputType("RequestSampleInput", { description: "Asks the merchant for a sample of a product on the viewer's shelf." })
export class RequestSampleInput {
  @Field(() => ID, { description: "The product." })
  productId!: string;

  @TextField(TEXT_LIMITS.sampleNote)
  @Field(() => String, { nullable: true, description: "Note to the merchant, at most 500 characters." })
  note?: string | null;
}

@InputType("DecideSampleRequestInput", { description: "The merchant accepts (and ships) or declines a sample request." })
export class DecideSampleRequestInput {
  @Field(() => ID, { description: "The request; its shop must be the viewer's." })
  requestId!: string;

  @Field(() => Boolean, { description: "true: accept and ship; false: decline." })
  accept!: boolean;

  @TextField(TEXT_LIMITS.trackingNo)
  @Field(() => String, { nullable: true, description: "Tracking number of the shipped sample; required when accepting." })
  trackingNo?: string | null;
}

export enum SelectionOrderField {
  COMMISSION_RATE = "COMMISSION_RATE",
  PRICE = "PRICE",
  SALES = "SALES",
  NEWEST = "NEWEST",
}
registerEnumType(SelectionOrderField, {
  name: "SelectionOrderField",
  description: "What to sort the selection center by.",
  valuesConfig: {
    COMMISSION_RATE: { description: "The rate the viewing promoter would earn." },
    PRICE: { description: "List price." },
    SALES: { description: "Units sold in the last 30 days." },
    NEWEST: { description: "When the product joined the alliance library." },
  },
});

@InputType("SelectionOrder", { description: "Sort order of the selection center." })
export class SelectionOrder {
  @Field(() => SelectionOrderField, { description: "Sort key." })
  field!: SelectionOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC, description: "Direction." })
  direction!: OrderDirection;
}

@InputType("SelectionFilter", { description: "Conditions a selection-center item must meet; all given conditions apply." })
export class SelectionFilter {
  @TextField(TEXT_LIMITS.categoryFilter)
  @Field(() => String, { nullable: true, description: "Exact category." })
  category?: string | null;

  @Field(() => IndustryBelt, { nullable: true, description: "Origin industry belt." })
  industryBelt?: IndustryBelt | null;

  @Field(() => Boolean, { nullable: true, description: "Cross-border goods only (true) or domestic only (false)." })
  crossBorder?: boolean | null;

  @Field(() => String, { nullable: true, description: "Lowest list price, decimal yuan (inclusive)." })
  minPrice?: string | null;

  @Field(() => String, { nullable: true, description: "Highest list price, decimal yuan (inclusive)." })
  maxPrice?: string | null;

  @Field(() => String, { nullable: true, description: "Lowest rate the viewing promoter would earn, in percent (inclusive), e.g. \"20\"." })
  minRatePercent?: string | null;
}

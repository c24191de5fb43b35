import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";
import { PageArgs } from "../../shared/pagination.js";
import { PayoutParty } from "./settlement.type.js";

@InputType("RunSettlementInput", { description: "Settle every order received at least 7 days before asOf." })
export class RunSettlementInput {
  @Field(() => Date, { nullable: true, description: "The moment to settle as of (default now; never in the future)." })
  asOf?: Date | null;
}

@InputType("SetPayoutsFrozenInput", { description: "Freeze a shop's payouts (settlements go to its held account) or release them." })
export class SetPayoutsFrozenInput {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => Boolean, { description: "true: freeze; false: release everything held." })
  frozen!: boolean;

  @TextField(TEXT_LIMITS.adminReason)
  @Field(() => String, { description: "Why (kept with the freeze)." })
  reason!: string;
}

@InputType("SetTechnicalFeeRateInput", { description: "The technical service fee of a product category." })
export class SetTechnicalFeeRateInput {
  @TextField(TEXT_LIMITS.category)
  @Field(() => String, { description: "Category, as products carry it (e.g. jade/bangle)." })
  category!: string;

  @Field(() => Int, { description: "Rate in basis points, 0–5000 (500 = 5%)." })
  rateBps!: number;
}

@ArgsType()
export class SettlementsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: "One shop (merchants: one of theirs; default all of them)." })
  shopId?: string | null;

  @Field(() => ID, { nullable: true, description: "One promoter (promoters always see only their own)." })
  promoterId?: string | null;

  @Field(() => Date, { nullable: true, description: "Settled from (inclusive)." })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: "Settled until (exclusive)." })
  to?: Date | null;
}

@ArgsType()
export class PayoutStatementArgs {
  @Field(() => PayoutParty, { description: "SHOP (with shopId), PROMOTER (promoterId, default yourself) or PLATFORM." })
  party!: PayoutParty;

  @Field(() => ID, { nullable: true, description: "The shop (party SHOP)." })
  shopId?: string | null;

  @Field(() => ID, { nullable: true, description: "The promoter (party PROMOTER; staff only for others)." })
  promoterId?: string | null;

  @Field(() => Date, { description: "Period start (inclusive)." })
  from!: Date;

  @Field(() => Date, { description: "Period end (exclusive)." })
  to!: Date;
}

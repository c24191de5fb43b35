import { Arg, Authorized, Ctx, Field, Mutation, ObjectType, Resolver } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { RateShopInput, RecordQualityViolationInput, SetShopSettlementInput } from "./governance.inputs.js";
import { GovernanceErrorCode, type GovernanceUserError } from "./governance.rules.js";
import { QualityViolation, ShopRating, ShopSettlement } from "./governance.type.js";
import type { GovernanceService } from "./governance.service.js";

const GovernanceUserErrorType = UserErrorType("GovernanceUserError", GovernanceErrorCode);

@ObjectType("RateShopPayload", { description: "Result of rateShop." })
class RateShopPayload {
  @Field(() => ShopRating, { nullable: true, description: "The rating as saved; null when userErrors is not empty." })
  rating!: ShopRating | null;

  @Field(() => [GovernanceUserErrorType], { description: "Rules that refused the rating." })
  userErrors!: GovernanceUserError[];
}

@ObjectType("RecordQualityViolationPayload", { description: "Result of recordQualityViolation." })
class RecordQualityViolationPayload {
  @Field(() => QualityViolation, { nullable: true, description: "The violation as saved; null when userErrors is not empty." })
  violation!: QualityViolation | null;

  @Field(() => [GovernanceUserErrorType], { description: "Rules that refused the record." })
  userErrors!: GovernanceUserError[];
}

@ObjectType("SetShopSettlementPayload", { description: "Result of setShopSettlement." })
class SetShopSettlementPayload {
  @Field(() => ShopSettlement, { nullable: true, description: "The terms as saved; null when userErrors is not empty." })
  settlement!: ShopSettlement | null;

  @Field(() => [GovernanceUserErrorType], { description: "Rules that refused the change." })
  userErrors!: GovernanceUserError[];
}

@Resolver()
export class GovernanceResolver {
  constructor(private readonly governance: GovernanceService) {}

  @Authorized()
  @Mutation(() => RateShopPayload, {
    description: "DSR rating (R1's 90-day DSR): a buyer rates its own received order once; an admin may record a rating for a shop (with or without an order).",
  })
  rateShop(@Arg("input", () => RateShopInput) input: RateShopInput, @Ctx() ctx: Context) {
    return this.governance.rateShop(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RecordQualityViolationPayload, { description: "Admin: record a quality violation of a shop's goods, with evidence (serious ones block distribution for 365 days, R1)." })
  recordQualityViolation(@Arg("input", () => RecordQualityViolationInput) input: RecordQualityViolationInput, @Ctx() ctx: Context) {
    return this.governance.recordQualityViolation(ctx, input);
  }

  @Authorized(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => SetShopSettlementPayload, { description: "The shop's merchant or an admin sets the settlement terms (short settlement period, 短账期: R1 refuses distribution while enabled)." })
  setShopSettlement(@Arg("input", () => SetShopSettlementInput) input: SetShopSettlementInput, @Ctx() ctx: Context) {
    return this.governance.setShopSettlement(ctx, input);
  }
}

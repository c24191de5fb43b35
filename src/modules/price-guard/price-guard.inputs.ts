import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";
import { PageArgs } from "../../shared/pagination.js";

@InputType("FileAgreedPriceInput", { description: "A brand's agreed hand price (约定到手价) for one product, with the filed spec." })
export class FileAgreedPriceInput {
  @Field(() => ID, { description: "The product; its shop must be the viewer's (admins may file for any product)." })
  productId!: string;

  @Field(() => String, { description: "Lowest hand price per unit, decimal yuan, e.g. \"299.00\"." })
  agreedPrice!: string;

  @Field(() => Int, { nullable: true, description: "Units one order holds at that price (default 1); orders must hold whole specs." })
  unitsPerOrder?: number | null;

  @TextField(TEXT_LIMITS.gift)
  @Field(() => [String], { nullable: true, description: "Gifts that come with the spec (at most 20, each 1–100 characters)." })
  gifts?: string[] | null;
}

@InputType("LiftRestrictionInput", { description: "An admin lifts a price-guard restriction or suspension." })
export class LiftRestrictionInput {
  @Field(() => ID, { description: "The restriction." })
  restrictionId!: string;

  @TextField(TEXT_LIMITS.liftReason)
  @Field(() => String, { description: "Why (1–500 characters); kept with the restriction." })
  reason!: string;
}

@ArgsType()
export class PriceGuardViolationsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: "Only violations of this shop (as the violator)." })
  shopId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only violations on this product." })
  productId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only violations in this live session." })
  liveSessionId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only violations involving this promoter (a User ID)." })
  promoterId?: string | null;
}

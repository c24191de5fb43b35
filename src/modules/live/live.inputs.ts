import { ArgsType, Field, ID, InputType } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";
import { PageArgs } from "../../shared/pagination.js";
import { LiveSessionStatus } from "./live.type.js";

@InputType("StartLiveSessionInput", { description: "A new live stream of the signed-in promoter." })
export class StartLiveSessionInput {
  @TextField(TEXT_LIMITS.liveSessionTitle)
  @Field(() => String, { description: "Title, 1–100 characters." })
  title!: string;
}

@InputType("PinToCartInput", { description: "Pin a product of the promoter's shelf to the session's cart (挂车)." })
export class PinToCartInput {
  @Field(() => ID, { description: "The promoter's live session." })
  liveSessionId!: string;

  @Field(() => ID, { description: "A product on the promoter's shelf." })
  productId!: string;

  @Field(() => String, { nullable: true, description: "Per-unit subsidy the promoter pays, decimal yuan (default 0.00)." })
  subsidy?: string | null;
}

@InputType("UnpinFromCartInput", { description: "Take a product off the session's cart." })
export class UnpinFromCartInput {
  @Field(() => ID, { description: "The promoter's live session." })
  liveSessionId!: string;

  @Field(() => ID, { description: "The pinned product." })
  productId!: string;
}

@ArgsType()
export class LiveSessionsArgs extends PageArgs {
  @Field(() => LiveSessionStatus, { nullable: true, description: "Only sessions in this status." })
  status?: LiveSessionStatus | null;

  @Field(() => ID, { nullable: true, description: "Only this promoter's sessions (a User ID)." })
  promoterId?: string | null;
}

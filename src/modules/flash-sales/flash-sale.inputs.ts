import { Field, ID, InputType, Int } from "type-graphql";

@InputType("CreateFlashSaleInput", { description: "A flash sale (秒杀) of a product on the session's cart." })
export class CreateFlashSaleInput {
  @Field(() => ID, { description: "The promoter's live session." })
  liveSessionId!: string;

  @Field(() => ID, { description: "A product pinned to that session's cart." })
  productId!: string;

  @Field(() => String, { description: "Flash price per unit, decimal yuan." })
  flashPrice!: string;

  @Field(() => Int, { description: "Units taken from the product's stock for the sale; unsold units return at the end." })
  allocatedUnits!: number;

  @Field(() => Int, { description: "Most units one buyer may buy." })
  perBuyerLimit!: number;

  @Field(() => Date, { nullable: true, description: "Start (default: now)." })
  startsAt?: Date | null;

  @Field(() => Date, { description: "End." })
  endsAt!: Date;
}

import { Field, ID, InputType } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";

@InputType("ShipOrderInput", { description: "The merchant ships an accepted order." })
export class ShipOrderInput {
  @Field(() => ID, { description: "The order." })
  orderId!: string;

  @TextField(TEXT_LIMITS.shipmentText)
  @Field(() => String, { description: "Carrier, 1–64 characters." })
  carrier!: string;

  @TextField(TEXT_LIMITS.shipmentText)
  @Field(() => String, { description: "Tracking number, 1–64 characters." })
  trackingNumber!: string;
}

@InputType("ConfirmReceiptInput", { description: "The buyer confirms it received a shipped order." })
export class ConfirmReceiptInput {
  @Field(() => ID, { description: "The order." })
  orderId!: string;
}

@InputType("RefundOrderInput", { description: "Give money back to the buyer: all that remains refundable, or a part." })
export class RefundOrderInput {
  @Field(() => ID, { description: "The order." })
  orderId!: string;

  @Field(() => String, { nullable: true, description: "Amount, e.g. \"12.50\"; absent: everything still refundable." })
  amount?: string | null;

  @TextField(TEXT_LIMITS.adminReason)
  @Field(() => String, { description: "Why (1–500 characters); kept in the order's history." })
  reason!: string;
}

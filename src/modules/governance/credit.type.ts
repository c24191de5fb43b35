import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import type { CreditEntryRow } from "../../db/schema/index.js";
import { toGlobalId } from "../../shared/ids.js";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";
import { CreditCause } from "./credit.rules.js";

@ObjectType("CreditEntry", { description: "One movement of a shop's credit score, with its cause (append-only)." })
export class CreditEntry {
  @Field(() => CreditCause, { description: "Why the score moved." })
  cause!: CreditCause;

  @Field(() => Int, { description: "Points: negative for a deduction, positive for a restoration." })
  points!: number;

  @Field(() => Int, { description: "The score after this entry." })
  scoreAfter!: number;

  @Field(() => ID, { nullable: true, description: "The after-sales case that caused it, if one." })
  caseId!: string | null;

  @Field(() => String, { nullable: true, description: "An admin's reason (restorations)." })
  reason!: string | null;

  @Field(() => ID, { nullable: true, description: "The admin who made it; null when the system did." })
  actorId!: string | null;

  @Field(() => Date, { description: "When." })
  at!: Date;
}

@ObjectType("ShopCredit", { description: "A shop's credit (R17): the start value plus its entries; at ≤ 0 the cart is lost and payouts freeze." })
export class ShopCredit {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => Int, { description: "The score now." })
  score!: number;

  @Field(() => Int, { description: "The score of a shop without entries (CREDIT_START_SCORE)." })
  startScore!: number;

  @Field(() => Boolean, { description: "Held at credit ≤ 0: the cart is lost and payouts are frozen until the score is back above 0." })
  restricted!: boolean;

  @Field(() => Date, { nullable: true, description: "Since when it is held." })
  restrictedSince!: Date | null;

  @Field(() => [CreditEntry], { description: "The newest entries first (at most 100)." })
  entries!: CreditEntry[];
}

@InputType("RestoreShopCreditInput", { description: "Admin: restore points to a shop's credit, with the reason recorded." })
export class RestoreShopCreditInput {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => Int, { description: "Points to add, 1–1000." })
  points!: number;

  @TextField(TEXT_LIMITS.adminReason)
  @Field(() => String, { description: "Why, 1–500 characters." })
  reason!: string;
}

export function toCreditEntry(row: CreditEntryRow): CreditEntry {
  return Object.assign(new CreditEntry(), {
    cause: row.cause as CreditCause,
    points: row.points,
    scoreAfter: row.scoreAfter,
    caseId: row.caseId === null ? null : toGlobalId("AfterSalesCase", row.caseId),
    reason: row.reason,
    actorId: row.actorId === null ? null : toGlobalId("User", row.actorId),
    at: row.at,
  });
}

import { Field, ID, Int, ObjectType } from "type-graphql";
import type { QualityViolationRow, ShopRatingRow } from "../../db/schema/index.js";
import { toGlobalId } from "../../shared/ids.js";

@ObjectType("ShopRating", { description: "A DSR rating of a shop (one per order when a buyer rates)." })
export class ShopRating {
  rowId!: number;
  shopRowId!: number;

  @Field(() => ID, { description: "The rating's ID." })
  id!: string;

  @Field(() => ID, { nullable: true, description: "The rated order; null for an admin's record without one." })
  orderId!: string | null;

  @Field(() => Int, { description: "Goods as described, 1–5." })
  description!: number;

  @Field(() => Int, { description: "Service, 1–5." })
  service!: number;

  @Field(() => Int, { description: "Logistics, 1–5." })
  logistics!: number;

  @Field(() => Date, { description: "When it was given." })
  createdAt!: Date;
}

@ObjectType("QualityViolation", { description: "A quality problem found against a shop (R1: serious ones block distribution for 365 days)." })
export class QualityViolation {
  rowId!: number;
  shopRowId!: number;

  @Field(() => ID, { description: "The violation's ID." })
  id!: string;

  @Field(() => ID, { nullable: true, description: "The product concerned." })
  productId!: string | null;

  @Field(() => Boolean, { description: "Serious (blocks distribution) or not." })
  serious!: boolean;

  @Field(() => String, { description: "What was found." })
  reason!: string;

  @Field(() => [String], { description: "What the finding rests on." })
  evidence!: string[];

  @Field(() => Date, { description: "When it happened." })
  occurredAt!: Date;

  @Field(() => Date, { description: "When it was recorded." })
  recordedAt!: Date;
}

@ObjectType("ShopSettlement", { description: "A shop's settlement terms." })
export class ShopSettlement {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => Boolean, { description: "Short settlement period (短账期) enabled." })
  shortSettlementEnabled!: boolean;

  @Field(() => Date, { description: "When the terms last changed." })
  updatedAt!: Date;
}

export function toShopRating(row: ShopRatingRow): ShopRating {
  return Object.assign(new ShopRating(), {
    rowId: row.id,
    shopRowId: row.shopId,
    id: toGlobalId("ShopRating", row.id),
    orderId: row.orderId === null ? null : toGlobalId("Order", row.orderId),
    description: row.descriptionScore,
    service: row.serviceScore,
    logistics: row.logisticsScore,
    createdAt: row.createdAt,
  });
}

export function toQualityViolation(row: QualityViolationRow): QualityViolation {
  return Object.assign(new QualityViolation(), {
    rowId: row.id,
    shopRowId: row.shopId,
    id: toGlobalId("QualityViolation", row.id),
    productId: row.productId === null ? null : toGlobalId("Product", row.productId),
    serious: row.serious,
    reason: row.reason,
    evidence: row.evidence,
    occurredAt: row.occurredAt,
    recordedAt: row.recordedAt,
  });
}

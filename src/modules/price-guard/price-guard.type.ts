import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { AgreedPriceRow, RestrictionRow, ViolationRow } from "../../db/schema/index.js";
import type { PriceGuardAlertPayload } from "../../realtime/topics.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Node } from "../../shared/node.type.js";
import { PageInfo } from "../../shared/pagination.js";

export enum PriceGuardAlertLevel {
  WARNING = "WARNING",
  BLOCKED = "BLOCKED",
  VIOLATION = "VIOLATION",
}
registerEnumType(PriceGuardAlertLevel, {
  name: "PriceGuardAlertLevel",
  description:
    "WARNING: an offer was accepted but its lowest reachable hand price is within the warning margin above the agreed price. BLOCKED: an offer was refused because it reached below. VIOLATION: a sale below the agreed price was committed and recorded against the party that set the offending price part (with its penalty).",
});

export enum PriceGuardOffer {
  FLASH_SALE = "FLASH_SALE",
  CART_SUBSIDY = "CART_SUBSIDY",
  SHOP_COUPON = "SHOP_COUPON",
  PROMOTER_COUPON = "PROMOTER_COUPON",
  LIST_PRICE = "LIST_PRICE",
  ORDER = "ORDER",
}
registerEnumType(PriceGuardOffer, { name: "PriceGuardOffer", description: "What the alert is about: an offer being configured, or an order." });

export enum PriceGuardParty {
  MERCHANT = "MERCHANT",
  PROMOTER = "PROMOTER",
}
registerEnumType(PriceGuardParty, {
  name: "PriceGuardParty",
  description: "Who set the offending price part: the merchant (list price, shop coupons) or the promoter (flash price, subsidy, promoter coupons).",
});

export enum PriceGuardViolationKind {
  BELOW_FLOOR = "BELOW_FLOOR",
  SPEC_MISMATCH = "SPEC_MISMATCH",
}
registerEnumType(PriceGuardViolationKind, {
  name: "PriceGuardViolationKind",
  description: "BELOW_FLOOR: the hand price per unit was below the agreed price. SPEC_MISMATCH: the order did not hold whole filed specs (a multiple of unitsPerOrder).",
});

export enum RestrictionPenalty {
  RESTRICTED_15_DAYS = "RESTRICTED_15_DAYS",
  RESTRICTED_30_DAYS = "RESTRICTED_30_DAYS",
  SUSPENDED = "SUSPENDED",
}
registerEnumType(RestrictionPenalty, {
  name: "RestrictionPenalty",
  description: "Step of the ladder: first violation 15 days of no cross-border sales, second 30 days, then suspended until an admin lifts it.",
});

@ObjectType("AgreedPrice", { implements: Node, description: "An agreed hand price (约定到手价) filed for a product. The newest filing applies." })
export class AgreedPrice extends Node {
  readonly __typename = "AgreedPrice";
  rowId!: number;
  productRowId!: number;

  @Field(() => Money, { description: "Lowest hand price per unit a buyer may pay, after coupons, points and subsidies." })
  agreedPrice!: Money;

  @Field(() => Int, { description: "The filed spec: units one order holds at that price; orders must hold whole specs." })
  unitsPerOrder!: number;

  @Field(() => [String], { description: "Gifts filed with the spec." })
  gifts!: string[];

  @Field(() => Date, { description: "When it was filed." })
  filedAt!: Date;
}

@ObjectType("PriceGuardRestriction", {
  implements: Node,
  description: "A penalty of the price guard: while active, the shop's (or promoter's) cross-border goods cannot be sold, pinned or put on flash sale.",
})
export class PriceGuardRestriction extends Node {
  readonly __typename = "PriceGuardRestriction";
  rowId!: number;
  shopRowId!: number | null;
  promoterRowId!: number | null;

  @Field(() => RestrictionPenalty, { description: "Step of the ladder." })
  penalty!: RestrictionPenalty;

  @Field(() => Int, { description: "Place on the ladder: 1, 2, 3 and later." })
  step!: number;

  @Field(() => Date, { description: "When it began." })
  startsAt!: Date;

  @Field(() => Date, { nullable: true, description: "When it ends on its own; null for a suspension (until lifted)." })
  endsAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When an admin lifted it." })
  liftedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "Why it was lifted." })
  liftReason!: string | null;
}

@ObjectType("PriceGuardViolation", {
  implements: Node,
  description: "An order the price guard refused (below the agreed price, or off the filed spec), recorded against the shop that set the offending price part.",
})
export class PriceGuardViolation extends Node {
  readonly __typename = "PriceGuardViolation";
  rowId!: number;
  shopRowId!: number | null;
  promoterRowId!: number | null;
  productRowId!: number;
  productShopRowId!: number;
  liveSessionRowId!: number | null;
  flashSaleRowId!: number | null;
  restrictionRowId!: number | null;
  agreedPriceRowId!: number;

  @Field(() => PriceGuardViolationKind, { description: "Below the floor, or off the filed spec." })
  kind!: PriceGuardViolationKind;

  @Field(() => PriceGuardParty, { description: "Who set the offending price part." })
  party!: PriceGuardParty;

  @Field(() => Int, { description: "Units the refused order asked for." })
  quantity!: number;

  @Field(() => Money, { description: "Hand price per unit the order would have had." })
  handPrice!: Money;

  @Field(() => Money, { description: "The agreed price that applied." })
  floor!: Money;

  @Field(() => Int, { description: "The filed spec (units per order) that applied." })
  unitsPerOrder!: number;

  @Field(() => Date, { description: "When the order was refused." })
  occurredAt!: Date;
}

@ObjectType("PriceGuardViolationEdge", { description: "A violation in a page." })
export class PriceGuardViolationEdge {
  @Field(() => PriceGuardViolation, { description: "The violation." })
  node!: PriceGuardViolation;

  @Field(() => String, { description: "Cursor of this edge." })
  cursor!: string;
}

@ObjectType("PriceGuardViolationConnection", { description: "A page of violations, newest first." })
export class PriceGuardViolationConnection {
  @Field(() => [PriceGuardViolationEdge], { description: "The violations." })
  edges!: PriceGuardViolationEdge[];

  @Field(() => PageInfo, { description: "Paging." })
  pageInfo!: PageInfo;
}

/** Root of an alert message: the bus payload with its time as a Date. */
export type PriceGuardAlertRoot = Omit<PriceGuardAlertPayload, "at"> & { at: Date };

@ObjectType("PriceGuardAlert", {
  description: "A price-guard alert (R13, R14), sent to priceGuardAlerts subscribers and into the room's liveSessionEvents.",
})
export class PriceGuardAlert {
  @Field(() => String, { description: "Unique id of this alert (for de-duplication on the client)." })
  alertId!: string;

  @Field(() => Date, { description: "When it was raised." })
  at!: Date;

  @Field(() => PriceGuardAlertLevel, { description: "WARNING, BLOCKED or VIOLATION." })
  level!: PriceGuardAlertLevel;

  @Field(() => PriceGuardOffer, { description: "What was being configured, or ORDER for a refused order." })
  offer!: PriceGuardOffer;

  @Field(() => Int, { description: "The filed spec (units per order) that applied." })
  unitsPerOrder!: number;

  @Field(() => String, { description: "Human-readable explanation, with the stacking that reaches the price." })
  message!: string;

  @Field(() => PriceGuardParty, { nullable: true, description: "VIOLATION: who set the offending price part." })
  party!: PriceGuardParty | null;

  @Field(() => RestrictionPenalty, { nullable: true, description: "VIOLATION: the penalty it triggered, if any (none while a restriction is already in force)." })
  penalty!: RestrictionPenalty | null;
}

export function toAgreedPrice(row: AgreedPriceRow): AgreedPrice {
  return Object.assign(new AgreedPrice(), {
    id: toGlobalId("AgreedPrice", row.id),
    rowId: row.id,
    productRowId: row.productId,
    agreedPrice: money(row.agreedPriceFen),
    unitsPerOrder: row.unitsPerOrder,
    gifts: row.gifts,
    filedAt: row.filedAt,
  });
}

export function toRestriction(row: RestrictionRow): PriceGuardRestriction {
  return Object.assign(new PriceGuardRestriction(), {
    id: toGlobalId("PriceGuardRestriction", row.id),
    rowId: row.id,
    shopRowId: row.shopId,
    promoterRowId: row.promoterId,
    penalty: row.penalty as RestrictionPenalty,
    step: row.step,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    liftedAt: row.liftedAt,
    liftReason: row.liftReason,
  });
}

export function toViolation(row: ViolationRow): PriceGuardViolation {
  return Object.assign(new PriceGuardViolation(), {
    id: toGlobalId("PriceGuardViolation", row.id),
    rowId: row.id,
    shopRowId: row.shopId,
    promoterRowId: row.promoterId,
    productRowId: row.productId,
    productShopRowId: row.productShopId,
    liveSessionRowId: row.liveSessionId,
    flashSaleRowId: row.flashSaleId,
    restrictionRowId: row.restrictionId,
    agreedPriceRowId: row.agreedPriceId,
    kind: row.kind as PriceGuardViolationKind,
    party: row.party as PriceGuardParty,
    quantity: row.quantity,
    handPrice: money(row.handPriceFen),
    floor: money(row.floorFen),
    unitsPerOrder: row.unitsPerOrder,
    occurredAt: row.occurredAt,
  });
}

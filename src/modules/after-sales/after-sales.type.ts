import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import type { AfterSalesCaseRow, AfterSalesEventRow } from "../../db/schema/index.js";
import { Role } from "../../shared/auth.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Node } from "../../shared/node.type.js";
import { PageInfo } from "../../shared/pagination.js";

export enum AfterSalesReason {
  NOT_RECEIVED = "NOT_RECEIVED",
  DESCRIPTION_MISMATCH = "DESCRIPTION_MISMATCH",
  QUALITY = "QUALITY",
  FREIGHT = "FREIGHT",
  OTHER = "OTHER",
}
registerEnumType(AfterSalesReason, {
  name: "AfterSalesReason",
  description: "What went wrong: not received, not as described (描述不符), quality, freight, or something else.",
});

export enum AfterSalesKind {
  REFUND_ONLY = "REFUND_ONLY",
  RETURN_AND_REFUND = "RETURN_AND_REFUND",
}
registerEnumType(AfterSalesKind, { name: "AfterSalesKind", description: "What the buyer asks for: money back only, or to return the goods for the money." });

export enum AfterSalesStatus {
  AWAITING_MERCHANT = "AWAITING_MERCHANT",
  PARTIAL_OFFERED = "PARTIAL_OFFERED",
  REJECTED = "REJECTED",
  ESCALATED = "ESCALATED",
  CLOSED = "CLOSED",
}
registerEnumType(AfterSalesStatus, {
  name: "AfterSalesStatus",
  description:
    "AWAITING_MERCHANT: opened, the merchant answers by answerDueAt; PARTIAL_OFFERED: the merchant offers part, the buyer accepts or escalates; " +
    "REJECTED: the buyer may escalate; ESCALATED: an admin arbitrates; CLOSED: decided (see outcome).",
});

export enum AfterSalesOutcome {
  MERCHANT_ACCEPTED = "MERCHANT_ACCEPTED",
  PARTIAL_AGREED = "PARTIAL_AGREED",
  PASSIVE_HANDLING = "PASSIVE_HANDLING",
  ARBITRATED_FOR_BUYER = "ARBITRATED_FOR_BUYER",
  ARBITRATED_FOR_MERCHANT = "ARBITRATED_FOR_MERCHANT",
  AUTO_CLOSED_FOR_BUYER = "AUTO_CLOSED_FOR_BUYER",
  WITHDRAWN = "WITHDRAWN",
}
registerEnumType(AfterSalesOutcome, {
  name: "AfterSalesOutcome",
  description:
    "How a case ended. PASSIVE_HANDLING: the merchant did not answer in time (消极处理), decided for the buyer; AUTO_CLOSED_FOR_BUYER: still open on day 15, decided for the buyer.",
});

export enum AfterSalesPayment {
  NONE = "NONE",
  REFUND = "REFUND",
  COMPENSATION = "COMPENSATION",
}
registerEnumType(AfterSalesPayment, {
  name: "AfterSalesPayment",
  description: "How the buyer was paid: nothing, a refund of the order, or the platform's advance compensation (先行赔付, recovered from the shop's deposit).",
});

export enum AfterSalesEventKind {
  OPENED = "OPENED",
  ACCEPTED = "ACCEPTED",
  REJECTED = "REJECTED",
  PARTIAL_OFFERED = "PARTIAL_OFFERED",
  OFFER_ACCEPTED = "OFFER_ACCEPTED",
  PASSIVE_HANDLING = "PASSIVE_HANDLING",
  ESCALATED = "ESCALATED",
  ARBITRATED = "ARBITRATED",
  AUTO_CLOSED = "AUTO_CLOSED",
  WITHDRAWN = "WITHDRAWN",
  REFUNDED = "REFUNDED",
  COMPENSATED = "COMPENSATED",
}
registerEnumType(AfterSalesEventKind, { name: "AfterSalesEventKind", description: "One step of an after-sales case." });

@ObjectType("AfterSalesEvent", { description: "One step of a case (append-only history): who, when, from, to, how much." })
export class AfterSalesEvent {
  @Field(() => AfterSalesEventKind, { description: "What happened." })
  kind!: AfterSalesEventKind;

  @Field(() => AfterSalesStatus, { nullable: true, description: "Status before (null for the opening)." })
  from!: AfterSalesStatus | null;

  @Field(() => AfterSalesStatus, { description: "Status after." })
  to!: AfterSalesStatus;

  @Field(() => ID, { nullable: true, description: "Who took the step; null when the system did (passive handling, the 15-day close)." })
  actorId!: string | null;

  @Field(() => Role, { nullable: true, description: "The actor's role at the time." })
  actorRole!: Role | null;

  @Field(() => Money, { nullable: true, description: "The amount asked, offered, refunded or compensated." })
  amount!: Money | null;

  @Field(() => String, { nullable: true, description: "The reason or note given with the step." })
  note!: string | null;

  @Field(() => Date, { description: "When." })
  at!: Date;
}

@ObjectType("AfterSalesCase", { implements: Node, description: "A buyer's after-sales case on one of its orders (R17): closed within 15 days of opening." })
export class AfterSalesCase {
  readonly __typename = "AfterSalesCase";
  rowId!: number;
  orderRowId!: number;
  shopRowId!: number;
  buyerRowId!: number;

  @Field(() => ID, { description: "The case's ID." })
  id!: string;

  @Field(() => ID, { description: "The order concerned." })
  orderId!: string;

  @Field(() => ID, { description: "The order's shop." })
  shopId!: string;

  @Field(() => ID, { description: "The buyer who opened it." })
  buyerId!: string;

  @Field(() => AfterSalesReason, { description: "What went wrong." })
  reason!: AfterSalesReason;

  @Field(() => AfterSalesKind, { description: "Refund only, or return and refund." })
  kind!: AfterSalesKind;

  @Field(() => AfterSalesStatus, { description: "Where the case stands." })
  status!: AfterSalesStatus;

  @Field(() => AfterSalesOutcome, { nullable: true, description: "How it ended, once CLOSED." })
  outcome!: AfterSalesOutcome | null;

  @Field(() => AfterSalesPayment, { description: "How the buyer was paid (NONE until closed for the buyer)." })
  payment!: AfterSalesPayment;

  @Field(() => Money, { description: "What the buyer asks back." })
  requested!: Money;

  @Field(() => Money, { nullable: true, description: "The merchant's partial offer, if one." })
  offered!: Money | null;

  @Field(() => Money, { description: "What the buyer got (refund or compensation)." })
  paid!: Money;

  @Field(() => String, { description: "The buyer's account of the problem." })
  description!: string;

  @Field(() => [String], { description: "References to the buyer's evidence images." })
  images!: string[];

  @Field(() => String, { nullable: true, description: "The merchant's reason (rejection) or note (partial offer)." })
  merchantNote!: string | null;

  @Field(() => String, { nullable: true, description: "The admin's arbitration note, or the system's note on an automatic decision." })
  decisionNote!: string | null;

  @Field(() => Date, { description: "When it was opened." })
  openedAt!: Date;

  @Field(() => Date, { description: "The merchant's answer deadline; unanswered by then is passive handling (消极处理)." })
  answerDueAt!: Date;

  @Field(() => Date, { description: "Day 15: a case still open then is decided for the buyer." })
  closesBy!: Date;

  @Field(() => Date, { nullable: true, description: "When the merchant answered." })
  answeredAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When the buyer escalated it to the platform." })
  escalatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When it was closed." })
  closedAt!: Date | null;
}

@ObjectType("AfterSalesCaseEdge", { description: "A case and its cursor." })
export class AfterSalesCaseEdge {
  @Field(() => AfterSalesCase, { description: "The case." })
  node!: AfterSalesCase;

  @Field(() => String, { description: "Pass as `after` to continue after this case." })
  cursor!: string;
}

@ObjectType("AfterSalesCaseConnection", { description: "A page of after-sales cases, newest first." })
export class AfterSalesCaseConnection {
  @Field(() => [AfterSalesCaseEdge], { description: "The cases of this page." })
  edges!: AfterSalesCaseEdge[];

  @Field(() => PageInfo, { description: "Paging." })
  pageInfo!: PageInfo;
}

@ObjectType("AfterSalesCaseUpdate", { description: "A message of afterSalesCaseUpdates: first a snapshot of the open cases, then each case that took a step." })
export class AfterSalesCaseUpdate {
  @Field(() => Boolean, { description: "True for the first message: the open cases now (the newest 50)." })
  snapshot!: boolean;

  @Field(() => [AfterSalesCase], { description: "The cases, as they are now." })
  cases!: AfterSalesCase[];
}

export function toAfterSalesCase(row: AfterSalesCaseRow): AfterSalesCase {
  return Object.assign(new AfterSalesCase(), {
    rowId: row.id,
    orderRowId: row.orderId,
    shopRowId: row.shopId,
    buyerRowId: row.buyerId,
    id: toGlobalId("AfterSalesCase", row.id),
    orderId: toGlobalId("Order", row.orderId),
    shopId: toGlobalId("Shop", row.shopId),
    buyerId: toGlobalId("User", row.buyerId),
    reason: row.reason as AfterSalesReason,
    kind: row.kind as AfterSalesKind,
    status: row.status as AfterSalesStatus,
    outcome: (row.outcome as AfterSalesOutcome | null) ?? null,
    payment: row.payment as AfterSalesPayment,
    requested: money(row.requestedFen),
    offered: row.offeredFen === null ? null : money(row.offeredFen),
    paid: money(row.paidFen),
    description: row.description,
    images: row.images,
    merchantNote: row.merchantNote,
    decisionNote: row.decisionNote,
    openedAt: row.openedAt,
    answerDueAt: row.answerDueAt,
    closesBy: row.closesBy,
    answeredAt: row.answeredAt,
    escalatedAt: row.escalatedAt,
    closedAt: row.closedAt,
  });
}

export function toAfterSalesEvent(row: AfterSalesEventRow): AfterSalesEvent {
  return Object.assign(new AfterSalesEvent(), {
    kind: row.kind as AfterSalesEventKind,
    from: (row.fromStatus as AfterSalesStatus | null) ?? null,
    to: row.toStatus as AfterSalesStatus,
    actorId: row.actorId === null ? null : toGlobalId("User", row.actorId),
    actorRole: (row.actorRole as Role | null) ?? null,
    amount: row.amountFen === null ? null : money(row.amountFen),
    note: row.note,
    at: row.at,
  });
}

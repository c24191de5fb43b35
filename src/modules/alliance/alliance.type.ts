import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { CommissionPlanRow, DistributionApplicationRow, ProductRow, SampleRequestRow, UserRow } from "../../db/schema/index.js";
import { toGlobalId } from "../../shared/ids.js";
import { Node } from "../../shared/node.type.js";
import { PageInfo } from "../../shared/pagination.js";
import { Product, toProduct } from "../catalog/index.js";
import { effectiveRateBps, EligibilityRule, formatRatePercent, OnboardingStep } from "./alliance.rules.js";

export enum CommissionPlanKind {
  GENERAL = "GENERAL",
  SHOP_TARGETED = "SHOP_TARGETED",
  PRODUCT_TARGETED = "PRODUCT_TARGETED",
}
registerEnumType(CommissionPlanKind, {
  name: "CommissionPlanKind",
  description: "Kinds of commission plan; for one product and promoter PRODUCT_TARGETED beats SHOP_TARGETED beats GENERAL (R5).",
  valuesConfig: {
    GENERAL: { description: "普通计划: every promoter; publishing one puts the product in the alliance library." },
    SHOP_TARGETED: { description: "店铺定向计划: chosen promoters, every alliance product of the shop." },
    PRODUCT_TARGETED: { description: "商品定向计划: chosen promoters, one product." },
  },
});

export enum TargetedPlanKind {
  SHOP_TARGETED = "SHOP_TARGETED",
  PRODUCT_TARGETED = "PRODUCT_TARGETED",
}
registerEnumType(TargetedPlanKind, { name: "TargetedPlanKind", description: "The commission plans that name their promoters." });

export enum DistributionApplicationStatus {
  FAILED = "FAILED",
  PENDING_REVIEW = "PENDING_REVIEW",
  AWAITING_INSPECTION = "AWAITING_INSPECTION",
  APPROVED = "APPROVED",
  REJECTED = "REJECTED",
}
registerEnumType(DistributionApplicationStatus, {
  name: "DistributionApplicationStatus",
  description: "Where a distribution application stands (R1–R3).",
  valuesConfig: {
    FAILED: { description: "The system check failed; the shop may apply again 24 hours later." },
    PENDING_REVIEW: { description: "Every rule passed; waiting for a platform reviewer." },
    AWAITING_INSPECTION: { description: "The reviewer requires a factory inspection (验厂) before approval." },
    APPROVED: { description: "The shop may publish products to the alliance library." },
    REJECTED: { description: "The reviewer or the factory inspection turned it down." },
  },
});

export enum ReviewDecision {
  APPROVE = "APPROVE",
  REJECT = "REJECT",
}
registerEnumType(ReviewDecision, { name: "ReviewDecision", description: "A reviewer's decision on a distribution application." });

export enum SampleRequestStatus {
  PENDING = "PENDING",
  ACCEPTED = "ACCEPTED",
  DECLINED = "DECLINED",
}
registerEnumType(SampleRequestStatus, { name: "SampleRequestStatus", description: "Where a sample request stands; ACCEPTED samples have been shipped." });

export enum PayoutChannel {
  ALIPAY = "ALIPAY",
  WECHAT_PAY = "WECHAT_PAY",
}
registerEnumType(PayoutChannel, { name: "PayoutChannel", description: "Where a promoter's commissions are paid." });

@ObjectType("CommissionRate", { description: "A commission rate." })
export class CommissionRate {
  @Field(() => Int, { description: "Basis points: 1250 is 12.50%." })
  basisPoints!: number;

  @Field(() => String, { description: "Percentage with two decimals, e.g. \"12.50\"." })
  percent!: string;
}

export function commissionRate(bps: number): CommissionRate {
  return { basisPoints: bps, percent: formatRatePercent(bps) };
}

@ObjectType("EligibilityCheck", { description: "One rule of the eligibility check, as the system saw it." })
export class EligibilityCheck {
  @Field(() => EligibilityRule, { description: "The rule." })
  rule!: EligibilityRule;

  @Field(() => Boolean, { description: "Whether the shop met it." })
  passed!: boolean;

  @Field(() => String, { description: "The value seen, e.g. \"99.99\" (yuan), \"4.69\" (DSR), \"NORMAL\"." })
  value!: string;

  @Field(() => String, { description: "What the rule asks for, e.g. \">= 100.00\"." })
  threshold!: string;
}

@ObjectType("DistributionApplication", { implements: Node, description: "A shop's application for distribution rights (分销权限)." })
export class DistributionApplication extends Node {
  readonly __typename = "DistributionApplication";
  rowId!: number;
  shopRowId!: number;

  @Field(() => DistributionApplicationStatus, { description: "Where it stands." })
  status!: DistributionApplicationStatus;

  @Field(() => [EligibilityCheck], { description: "Every eligibility rule with the value seen, the threshold and the outcome." })
  checks!: EligibilityCheck[];

  @Field(() => Date, { description: "When it was filed and checked." })
  submittedAt!: Date;

  @Field(() => Date, { nullable: true, description: "For a FAILED application: when the shop may apply again (24 hours after the failure)." })
  retryAfter!: Date | null;

  @Field(() => Boolean, { description: "Whether the reviewer required a factory inspection (验厂)." })
  factoryInspectionRequired!: boolean;

  @Field(() => Date, { nullable: true, description: "When a reviewer decided." })
  reviewedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The reviewer's note." })
  reviewNote!: string | null;

  @Field(() => Boolean, { nullable: true, description: "Outcome of the factory inspection, once recorded." })
  inspectionPassed!: boolean | null;

  @Field(() => String, { nullable: true, description: "The inspection agency's report." })
  inspectionReport!: string | null;

  @Field(() => Date, { nullable: true, description: "When the inspection was recorded." })
  inspectedAt!: Date | null;
}

@ObjectType("DistributionApplicationEdge", { description: "An application in a page of results." })
export class DistributionApplicationEdge {
  @Field(() => DistributionApplication, { description: "The application." })
  node!: DistributionApplication;

  @Field(() => String, { description: "Opaque cursor of this edge." })
  cursor!: string;
}

@ObjectType("DistributionApplicationConnection", { description: "A page of distribution applications." })
export class DistributionApplicationConnection {
  @Field(() => [DistributionApplicationEdge], { description: "The applications of this page." })
  edges!: DistributionApplicationEdge[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;
}

@ObjectType("CommissionPlan", { implements: Node, description: "A merchant's commission plan (R4)." })
export class CommissionPlan extends Node {
  readonly __typename = "CommissionPlan";
  rowId!: number;
  shopRowId!: number;
  productRowId!: number | null;

  @Field(() => CommissionPlanKind, { description: "GENERAL, SHOP_TARGETED or PRODUCT_TARGETED." })
  kind!: CommissionPlanKind;

  @Field(() => CommissionRate, { description: "The rate in force now." })
  currentRate!: CommissionRate;

  @Field(() => CommissionRate, { nullable: true, description: "A scheduled decrease, not yet in force." })
  pendingRate!: CommissionRate | null;

  @Field(() => Date, { nullable: true, description: "When the pending rate takes effect (00:00 China time)." })
  pendingEffectiveAt!: Date | null;

  @Field(() => Boolean, { description: "The plan pays promoters now (not closed, or closing later)." })
  open!: boolean;

  @Field(() => Date, { nullable: true, description: "When the plan closes (or closed); null while no close is asked for." })
  closesAt!: Date | null;

  @Field(() => Date, { description: "When the plan was created." })
  createdAt!: Date;

  @Field(() => Date, { description: "When the plan last changed." })
  updatedAt!: Date;
}

@ObjectType("PromoterOnboarding", { description: "What a promoter has set up, and what is missing before it can promote (R6)." })
export class PromoterOnboarding {
  @Field(() => Boolean, { description: "The promoter has its own shop (小店)." })
  ownShop!: boolean;

  @Field(() => Boolean, { description: "A promotion PID is bound." })
  promotionPidBound!: boolean;

  @Field(() => Boolean, { description: "A payout account is signed." })
  payoutAccountSigned!: boolean;

  @Field(() => [OnboardingStep], { description: "The steps still missing, by name." })
  missingSteps!: OnboardingStep[];

  @Field(() => Boolean, { description: "Every step is done: the promoter may add to its shelf and request samples." })
  canPromote!: boolean;

  @Field(() => String, { nullable: true, description: "The bound PID; shown to the promoter itself and to admins only." })
  promotionPid!: string | null;

  @Field(() => PayoutChannel, { nullable: true, description: "Payout channel; shown to the promoter itself and to admins only." })
  payoutChannel!: PayoutChannel | null;

  @Field(() => String, { nullable: true, description: "Last four characters of the payout account; shown to the promoter itself and to admins only." })
  payoutAccountTail!: string | null;
}

@ObjectType("Promoter", { implements: Node, description: "A promoter (达人 / 主播): its shop, onboarding and shelf." })
export class Promoter extends Node {
  readonly __typename = "Promoter";
  rowId!: number;

  @Field(() => String, { description: "Display name." })
  name!: string;
}

@ObjectType("ShelfItem", { description: "A product on a promoter's shelf (推广货架)." })
export class ShelfItem {
  productRowId!: number;
  shopRowId!: number;

  @Field(() => Int, { description: "Place on the shelf, ascending." })
  position!: number;

  @Field(() => Product, { description: "The product." })
  product!: Product;

  @Field(() => CommissionRate, {
    nullable: true,
    description: "The rate this promoter earns on it now; shown to the promoter itself, admins and analysts; null if it left the alliance library.",
  })
  commissionRate!: CommissionRate | null;

  @Field(() => CommissionPlanKind, { nullable: true, description: "The plan that pays that rate; shown like commissionRate." })
  commissionPlanKind!: CommissionPlanKind | null;

  @Field(() => Int, { description: "Units in stock." })
  stock!: number;

  @Field(() => Date, { description: "When it was added." })
  addedAt!: Date;
}

@ObjectType("SelectionItem", { description: "An alliance product in the selection center, with what it would earn the viewing promoter." })
export class SelectionItem {
  @Field(() => Product, { description: "The product." })
  product!: Product;

  @Field(() => CommissionRate, { description: "The rate this promoter would earn now (R5)." })
  commissionRate!: CommissionRate;

  @Field(() => CommissionPlanKind, { description: "The plan that pays that rate." })
  commissionPlanKind!: CommissionPlanKind;

  @Field(() => Int, { description: "Units sold in the last 30 days (cancelled and refunded orders excluded)." })
  unitsSold30d!: number;

  @Field(() => Boolean, { description: "Whether it is on this promoter's shelf." })
  onShelf!: boolean;
}

@ObjectType("SelectionEdge", { description: "A selection-center item in a page of results." })
export class SelectionEdge {
  @Field(() => SelectionItem, { description: "The item." })
  node!: SelectionItem;

  @Field(() => String, { description: "Opaque cursor of this edge." })
  cursor!: string;
}

@ObjectType("SelectionConnection", { description: "A page of the selection center." })
export class SelectionConnection {
  @Field(() => [SelectionEdge], { description: "The items of this page." })
  edges!: SelectionEdge[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;
}

@ObjectType("SampleRequest", { implements: Node, description: "A promoter's request for a sample of a product it promotes (R7)." })
export class SampleRequest extends Node {
  readonly __typename = "SampleRequest";
  rowId!: number;
  promoterRowId!: number;
  productRowId!: number;
  shopRowId!: number;

  @Field(() => SampleRequestStatus, { description: "PENDING, ACCEPTED (shipped) or DECLINED." })
  status!: SampleRequestStatus;

  @Field(() => String, { description: "The promoter's note to the merchant." })
  note!: string;

  @Field(() => String, { nullable: true, description: "Tracking number of the shipped sample." })
  trackingNo!: string | null;

  @Field(() => Date, { description: "When it was requested." })
  requestedAt!: Date;

  @Field(() => Date, { nullable: true, description: "When the merchant decided." })
  decidedAt!: Date | null;
}

@ObjectType("SampleRequestEdge", { description: "A sample request in a page of results." })
export class SampleRequestEdge {
  @Field(() => SampleRequest, { description: "The request." })
  node!: SampleRequest;

  @Field(() => String, { description: "Opaque cursor of this edge." })
  cursor!: string;
}

@ObjectType("SampleRequestConnection", { description: "A page of sample requests." })
export class SampleRequestConnection {
  @Field(() => [SampleRequestEdge], { description: "The requests of this page." })
  edges!: SampleRequestEdge[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;
}

export function toDistributionApplication(row: DistributionApplicationRow): DistributionApplication {
  return Object.assign(new DistributionApplication(), {
    id: toGlobalId("DistributionApplication", row.id),
    rowId: row.id,
    shopRowId: row.shopId,
    status: row.status as DistributionApplicationStatus,
    checks: row.checks.map((c) => ({ ...c, rule: c.rule as EligibilityRule })),
    submittedAt: row.submittedAt,
    retryAfter: row.retryAfter,
    factoryInspectionRequired: row.factoryInspectionRequired,
    reviewedAt: row.reviewedAt,
    reviewNote: row.reviewNote,
    inspectionPassed: row.inspectionPassed,
    inspectionReport: row.inspectionReport,
    inspectedAt: row.inspectedAt,
  });
}

/** The plan as seen at `at`: a decrease whose time has come is the current rate, no longer pending. */
export function toCommissionPlan(row: CommissionPlanRow, at: Date): CommissionPlan {
  const current = effectiveRateBps(row, at);
  const pending = row.pendingRateBps !== null && row.pendingEffectiveAt !== null && row.pendingEffectiveAt.getTime() > at.getTime();
  return Object.assign(new CommissionPlan(), {
    id: toGlobalId("CommissionPlan", row.id),
    rowId: row.id,
    shopRowId: row.shopId,
    productRowId: row.productId,
    kind: row.kind as CommissionPlanKind,
    currentRate: commissionRate(current),
    pendingRate: pending ? commissionRate(row.pendingRateBps!) : null,
    pendingEffectiveAt: pending ? row.pendingEffectiveAt : null,
    open: row.closesAt === null || row.closesAt.getTime() > at.getTime(),
    closesAt: row.closesAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

export function toPromoter(row: Pick<UserRow, "id" | "name">): Promoter {
  return Object.assign(new Promoter(), { id: toGlobalId("Promoter", row.id), rowId: row.id, name: row.name });
}

export function toShelfItem(r: {
  item: { position: number; addedAt: Date };
  product: ProductRow;
  kind: string | null;
  rateBps: number | null;
}): ShelfItem {
  return Object.assign(new ShelfItem(), {
    productRowId: r.product.id,
    shopRowId: r.product.shopId,
    position: r.item.position,
    product: toProduct(r.product),
    commissionRate: r.rateBps === null ? null : commissionRate(r.rateBps),
    commissionPlanKind: r.kind as CommissionPlanKind | null,
    stock: r.product.stock,
    addedAt: r.item.addedAt,
  });
}

export function toSampleRequest(row: SampleRequestRow): SampleRequest {
  return Object.assign(new SampleRequest(), {
    id: toGlobalId("SampleRequest", row.id),
    rowId: row.id,
    promoterRowId: row.promoterId,
    productRowId: row.productId,
    shopRowId: row.shopId,
    status: row.status as SampleRequestStatus,
    note: row.note,
    trackingNo: row.trackingNo,
    requestedAt: row.requestedAt,
    decidedAt: row.decidedAt,
  });
}

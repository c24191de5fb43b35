import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { users } from "./accounts.js";
import { products, shops } from "./catalog.js";
import { orders } from "./orders.js";
import { TEXT_LIMITS } from "../../shared/text.js";
import { textLimit } from "./text-limits.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One eligibility rule as the system saw it when the application was checked (R1). */
export interface EligibilityCheckRecord {
  rule: string;
  passed: boolean;
  value: string;
  threshold: string;
}

export const distributionApplicationStatus = pgEnum("distribution_application_status", [
  "FAILED",
  "PENDING_REVIEW",
  "AWAITING_INSPECTION",
  "APPROVED",
  "REJECTED",
]);

/** A shop's application for distribution rights (分销权限): the system check, then manual review (R1–R3). */
export const distributionApplications = pgTable(
  "distribution_applications",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    applicantId: bigint("applicant_id", { mode: "number" }).notNull().references(() => users.id),
    status: distributionApplicationStatus("status").notNull(),
    checks: jsonb("checks").$type<EligibilityCheckRecord[]>().notNull(),
    submittedAt: at("submitted_at").notNull(),
    /** R2: a FAILED application may be filed again from this time on. */
    retryAfter: at("retry_after"),
    factoryInspectionRequired: boolean("factory_inspection_required").notNull().default(false),
    reviewerId: bigint("reviewer_id", { mode: "number" }).references(() => users.id),
    reviewedAt: at("reviewed_at"),
    reviewNote: text("review_note"),
    inspectionPassed: boolean("inspection_passed"),
    inspectionReport: text("inspection_report"),
    inspectedAt: at("inspected_at"),
    updatedAt: at("updated_at").notNull(),
  },
  (t) => [
    index("distribution_applications_shop_idx").on(t.shopId, t.id),
    index("distribution_applications_status_idx").on(t.status, t.id),
    // A shop has at most one application under way or approved; FAILED and REJECTED ones are history.
    uniqueIndex("distribution_applications_one_active_idx")
      .on(t.shopId)
      .where(sql`${t.status} in ('PENDING_REVIEW', 'AWAITING_INSPECTION', 'APPROVED')`),
    check("distribution_applications_retry_when_failed", sql`(${t.status} = 'FAILED') = (${t.retryAfter} IS NOT NULL)`),
    textLimit("distribution_applications_review_note_length", t.reviewNote, TEXT_LIMITS.reviewNote),
    textLimit("distribution_applications_inspection_report_length", t.inspectionReport, TEXT_LIMITS.inspectionReport),
  ],
);

/** Buyers' shop ratings (DSR: description, service, logistics; 1–5 each), the source of R1's DSR rule. */
export const shopRatings = pgTable(
  "shop_ratings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    orderId: bigint("order_id", { mode: "number" }).references(() => orders.id),
    /** The buyer who rated (or the admin who recorded the rating). */
    ratedBy: bigint("rated_by", { mode: "number" }).references(() => users.id),
    descriptionScore: smallint("description_score").notNull(),
    serviceScore: smallint("service_score").notNull(),
    logisticsScore: smallint("logistics_score").notNull(),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("shop_ratings_shop_created_idx").on(t.shopId, t.createdAt),
    uniqueIndex("shop_ratings_order_idx").on(t.orderId),
    check(
      "shop_ratings_scores_range",
      sql`${t.descriptionScore} between 1 and 5 and ${t.serviceScore} between 1 and 5 and ${t.logisticsScore} between 1 and 5`,
    ),
  ],
);

/** Quality problems of promoted goods found against a shop; serious ones block distribution for 365 days (R1). */
export const qualityViolations = pgTable(
  "quality_violations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    productId: bigint("product_id", { mode: "number" }).references(() => products.id),
    serious: boolean("serious").notNull(),
    reason: text("reason").notNull(),
    /** What the finding rests on: inspection reports, photos, complaint numbers (links or text). */
    evidence: jsonb("evidence").$type<string[]>().notNull().default([]),
    recordedBy: bigint("recorded_by", { mode: "number" }).references(() => users.id),
    occurredAt: at("occurred_at").notNull(),
    recordedAt: at("recorded_at").notNull().defaultNow(),
  },
  (t) => [index("quality_violations_shop_idx").on(t.shopId, t.occurredAt), textLimit("quality_violations_reason_length", t.reason, TEXT_LIMITS.violationReason)],
);

/** A shop's settlement terms; a shop without a row settles on the normal period. */
export const shopSettlementSettings = pgTable("shop_settlement_settings", {
  shopId: bigint("shop_id", { mode: "number" }).primaryKey().references(() => shops.id),
  /** 短账期: a shop with the short settlement period may not open distribution (R1). */
  shortSettlementEnabled: boolean("short_settlement_enabled").notNull().default(false),
  updatedAt: at("updated_at").notNull().defaultNow(),
});

export const payoutChannel = pgEnum("payout_channel", ["ALIPAY", "WECHAT_PAY"]);

/** R6: what a promoter has set up besides its own shop. Only the tail of the payout account is kept. */
export const promoterProfiles = pgTable(
  "promoter_profiles",
  {
    userId: bigint("user_id", { mode: "number" }).primaryKey().references(() => users.id),
    promotionPid: text("promotion_pid"),
    pidBoundAt: at("pid_bound_at"),
    payoutChannel: payoutChannel("payout_channel"),
    payoutAccountName: text("payout_account_name"),
    payoutAccountTail: text("payout_account_tail"),
    payoutSignedAt: at("payout_signed_at"),
    updatedAt: at("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("promoter_profiles_pid_idx").on(t.promotionPid),
    textLimit("promoter_profiles_pid_length", t.promotionPid, 64),
    textLimit("promoter_profiles_account_name_length", t.payoutAccountName, TEXT_LIMITS.accountName),
  ],
);

export const commissionPlanKind = pgEnum("commission_plan_kind", ["GENERAL", "SHOP_TARGETED", "PRODUCT_TARGETED"]);

/**
 * R4: a commission plan. GENERAL (one per product: the product is in the alliance library), SHOP_TARGETED
 * (every alliance product of the shop, chosen promoters), PRODUCT_TARGETED (one product, chosen promoters).
 * A scheduled decrease sits in pending_* until its effective time; readers apply it from then on.
 */
export const commissionPlans = pgTable(
  "commission_plans",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    productId: bigint("product_id", { mode: "number" }).references(() => products.id),
    kind: commissionPlanKind("kind").notNull(),
    rateBps: integer("rate_bps").notNull(),
    pendingRateBps: integer("pending_rate_bps"),
    pendingEffectiveAt: at("pending_effective_at"),
    /** From this time on the plan pays nobody (closeCommissionPlan); null while it is open. */
    closesAt: at("closes_at"),
    createdAt: at("created_at").notNull(),
    updatedAt: at("updated_at").notNull(),
  },
  (t) => [
    // One open GENERAL plan per product; a closed one stays as history.
    uniqueIndex("commission_plans_open_general_idx").on(t.productId).where(sql`${t.kind} = 'GENERAL' and ${t.closesAt} is null`),
    index("commission_plans_product_idx").on(t.productId, t.kind),
    index("commission_plans_shop_idx").on(t.shopId, t.kind),
    // The selection center's next time boundary (a decrease takes effect, a plan closes): a few rows, found at once.
    index("commission_plans_pending_effective_idx").on(t.pendingEffectiveAt).where(sql`${t.pendingEffectiveAt} is not null`),
    index("commission_plans_closes_idx").on(t.closesAt).where(sql`${t.closesAt} is not null`),
    check("commission_plans_rate_range", sql`${t.rateBps} between 100 and 9000`),
    check("commission_plans_pending_range", sql`${t.pendingRateBps} is null or ${t.pendingRateBps} between 100 and 9000`),
    check("commission_plans_pending_pair", sql`(${t.pendingRateBps} is null) = (${t.pendingEffectiveAt} is null)`),
    check("commission_plans_product_by_kind", sql`(${t.kind} = 'SHOP_TARGETED') = (${t.productId} is null)`),
  ],
);

/** The promoters a targeted plan is for. */
export const commissionPlanPromoters = pgTable(
  "commission_plan_promoters",
  {
    planId: bigint("plan_id", { mode: "number" }).notNull().references(() => commissionPlans.id),
    promoterId: bigint("promoter_id", { mode: "number" }).notNull().references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.planId, t.promoterId] }), index("commission_plan_promoters_promoter_idx").on(t.promoterId, t.planId)],
);

/**
 * R4: a promoter keeps the rate it resolved for a product until `until` (the next 00:00 China time) after a
 * targeted-plan change lowered it (a new plan of higher priority, a plan closed, the promoter removed from a plan).
 * The rate resolved is the better of the plans' and this one while it lasts.
 */
export const commissionRateFloors = pgTable(
  "commission_rate_floors",
  {
    promoterId: bigint("promoter_id", { mode: "number" }).notNull().references(() => users.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    /** The plan that paid this rate before the change. */
    planId: bigint("plan_id", { mode: "number" }).notNull().references(() => commissionPlans.id),
    kind: commissionPlanKind("kind").notNull(),
    rateBps: integer("rate_bps").notNull(),
    until: at("until").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.promoterId, t.productId] }),
    index("commission_rate_floors_until_idx").on(t.until),
    check("commission_rate_floors_rate_range", sql`${t.rateBps} between 100 and 9000`),
  ],
);

/** A promoter's shelf (推广货架), in the promoter's order (R7). */
export const shelfItems = pgTable(
  "shelf_items",
  {
    promoterId: bigint("promoter_id", { mode: "number" }).notNull().references(() => users.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    position: integer("position").notNull(),
    addedAt: at("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.promoterId, t.productId] }), index("shelf_items_position_idx").on(t.promoterId, t.position)],
);

export const sampleRequestStatus = pgEnum("sample_request_status", ["PENDING", "ACCEPTED", "DECLINED"]);

/** R7: a promoter asks the merchant for a sample of a product it promotes; the merchant ships it or declines. */
export const sampleRequests = pgTable(
  "sample_requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    promoterId: bigint("promoter_id", { mode: "number" }).notNull().references(() => users.id),
    productId: bigint("product_id", { mode: "number" }).notNull().references(() => products.id),
    shopId: bigint("shop_id", { mode: "number" }).notNull().references(() => shops.id),
    status: sampleRequestStatus("status").notNull().default("PENDING"),
    note: text("note").notNull().default(""),
    trackingNo: text("tracking_no"),
    requestedAt: at("requested_at").notNull(),
    decidedAt: at("decided_at"),
  },
  (t) => [
    uniqueIndex("sample_requests_one_pending_idx").on(t.promoterId, t.productId).where(sql`${t.status} = 'PENDING'`),
    index("sample_requests_shop_idx").on(t.shopId, t.id),
    index("sample_requests_promoter_idx").on(t.promoterId, t.id),
    check("sample_requests_tracking_when_accepted", sql`(${t.status} = 'ACCEPTED') = (${t.trackingNo} IS NOT NULL)`),
    textLimit("sample_requests_note_length", t.note, TEXT_LIMITS.sampleNote),
    textLimit("sample_requests_tracking_no_length", t.trackingNo, TEXT_LIMITS.trackingNo),
  ],
);

export type ShopRatingRow = typeof shopRatings.$inferSelect;
export type QualityViolationRow = typeof qualityViolations.$inferSelect;
export type DistributionApplicationRow = typeof distributionApplications.$inferSelect;
export type CommissionPlanRow = typeof commissionPlans.$inferSelect;
export type PromoterProfileRow = typeof promoterProfiles.$inferSelect;
export type SampleRequestRow = typeof sampleRequests.$inferSelect;
export type ShelfItemRow = typeof shelfItems.$inferSelect;

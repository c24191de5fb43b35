import type { Context } from "../../context.js";
import type { Tx } from "../../db/client.js";
import type { CommissionPlanRow, ShopRow } from "../../db/schema/index.js";
import { Rollback, transaction } from "../../db/transaction.js";
import { Role } from "../../shared/auth.js";
import { badInput, forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { amountFilter } from "../../shared/money.js";
import { connectionOf, decodeCursor, pageSize, type PageArgs } from "../../shared/pagination.js";
import { userError } from "../../shared/user-errors.js";
import { shopById } from "../catalog/catalog.queries.js";
import { toProduct, toShop, type Shop } from "../catalog/catalog.type.js";
import type {
  AddToShelfInput,
  ApplyForDistributionInput,
  BindPromotionPidInput,
  CloseCommissionPlanInput,
  CreateCommissionPlanInput,
  DecideSampleRequestInput,
  PublishToAllianceInput,
  RecordFactoryInspectionInput,
  RemoveFromShelfInput,
  ReorderShelfInput,
  RequestSampleInput,
  ReviewDistributionApplicationInput,
  SelectionFilter,
  SelectionOrder,
  SignPayoutAccountInput,
  UpdateCommissionPlanPromotersInput,
  UpdateCommissionRateInput,
} from "./alliance.inputs.js";
import * as q from "./alliance.queries.js";
import {
  changeRate,
  checkPayoutAccount,
  checkPid,
  checkRate,
  CommissionPlanErrorCode,
  decreaseRefused,
  decreaseWindowClosed,
  DistributionErrorCode,
  evaluateEligibility,
  isPermutation,
  loweredPairs,
  MAX_PLAN_PROMOTERS,
  MAX_SHELF_ITEMS,
  mayRetry,
  missingOnboardingSteps,
  nextChinaMidnight,
  onboardingErrors,
  parseRatePercent,
  PromoterErrorCode,
  retryAfter,
  SampleRequestErrorCode,
  type CommissionPlanUserError,
  type DistributionUserError,
  type OnboardingFacts,
  type PromoterUserError,
  type SampleRequestUserError,
} from "./alliance.rules.js";
import {
  commissionRate,
  toCommissionPlan,
  toDistributionApplication,
  toPromoter,
  toSampleRequest,
  toShelfItem,
  type CommissionPlan,
  type CommissionPlanKind,
  type DistributionApplication,
  type Promoter,
  type PromoterOnboarding,
  type SampleRequest,
  type SelectionItem,
  type ShelfItem,
} from "./alliance.type.js";

export interface DistributionApplicationPayloadValue {
  application: DistributionApplication | null;
  retryAt: Date | null;
  userErrors: DistributionUserError[];
}
export interface CommissionPlanPayloadValue {
  plan: CommissionPlan | null;
  userErrors: CommissionPlanUserError[];
}
type PlanOutcome = { row: CommissionPlanRow | null; errors: CommissionPlanUserError[] };

export interface PromoterPayloadValue {
  promoter: Promoter | null;
  userErrors: PromoterUserError[];
}
export interface ShelfPayloadValue {
  shelf: ShelfItem[] | null;
  userErrors: PromoterUserError[];
}
export interface SampleRequestPayloadValue {
  sampleRequest: SampleRequest | null;
  userErrors: SampleRequestUserError[];
}


const isUniqueViolation = (error: unknown): boolean => {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
};

/** Distribution eligibility and review (R1–R3), commission plans (R4–R5), promoters, shelves and samples (R6–R7). */
export class AllianceService {
  // ------------------------------------------------------------ distribution (R1–R3)

  async applyForDistribution(ctx: Context, input: ApplyForDistributionInput): Promise<DistributionApplicationPayloadValue> {
    this.requireRole(ctx, Role.MERCHANT);
    const shopId = idOf("Shop", input.shopId, "shopId");
    const now = ctx.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const shop = await q.lockShop(tx, shopId);
      this.assertShopOwner(ctx, shop);
      const latest = await q.latestApplication(tx, shopId);
      const refuse = (code: DistributionErrorCode, message: string, retryAt: Date | null = null) => ({
        row: null,
        retryAt,
        errors: [userError(code, message, "shopId")],
      });
      if (latest?.status === "APPROVED") return refuse(DistributionErrorCode.ALREADY_APPROVED, "The shop already has distribution rights.");
      if (latest?.status === "PENDING_REVIEW" || latest?.status === "AWAITING_INSPECTION") {
        return refuse(DistributionErrorCode.APPLICATION_IN_PROGRESS, "The shop's application is still under review.");
      }
      if (latest?.status === "FAILED" && latest.retryAfter && !mayRetry(latest.retryAfter, now)) {
        return refuse(
          DistributionErrorCode.RETRY_TOO_EARLY,
          `The last application failed; the shop may apply again from ${latest.retryAfter.toISOString()}.`,
          latest.retryAfter,
        );
      }
      const facts = await q.eligibilityFacts(tx, shopId, now);
      const checks = evaluateEligibility(facts!);
      const passed = checks.every((c) => c.passed);
      const row = await q.insertApplication(tx, {
        shopId,
        applicantId: ctx.viewer!.userId,
        status: passed ? "PENDING_REVIEW" : "FAILED",
        checks,
        submittedAt: now,
        retryAfter: passed ? null : retryAfter(now),
        updatedAt: now,
      });
      return { row, retryAt: row.retryAfter, errors: [] };
    });
    if (outcome.row) ctx.log.info("distribution application checked", { applicationId: outcome.row.id, shopId, status: outcome.row.status });
    return { application: outcome.row && toDistributionApplication(outcome.row), retryAt: outcome.retryAt, userErrors: outcome.errors };
  }

  async reviewDistributionApplication(ctx: Context, input: ReviewDistributionApplicationInput): Promise<DistributionApplicationPayloadValue> {
    this.requireRole(ctx, Role.ADMIN);
    const id = idOf("DistributionApplication", input.applicationId, "applicationId");
    const now = ctx.clock.now();
    return this.transitionApplication(ctx, id, "PENDING_REVIEW", DistributionErrorCode.NOT_PENDING_REVIEW, () => {
      const approve = input.decision === "APPROVE";
      return {
        status: !approve ? "REJECTED" : input.factoryInspectionRequired ? "AWAITING_INSPECTION" : "APPROVED",
        factoryInspectionRequired: approve && input.factoryInspectionRequired,
        reviewerId: ctx.viewer!.userId,
        reviewedAt: now,
        reviewNote: input.note ?? null,
        updatedAt: now,
      };
    });
  }

  async recordFactoryInspection(ctx: Context, input: RecordFactoryInspectionInput): Promise<DistributionApplicationPayloadValue> {
    this.requireRole(ctx, Role.ADMIN);
    const id = idOf("DistributionApplication", input.applicationId, "applicationId");
    const now = ctx.clock.now();
    return this.transitionApplication(ctx, id, "AWAITING_INSPECTION", DistributionErrorCode.NOT_AWAITING_INSPECTION, () => ({
      status: input.passed ? "APPROVED" : "REJECTED",
      inspectionPassed: input.passed,
      inspectionReport: input.report,
      inspectedAt: now,
      updatedAt: now,
    }));
  }

  private async transitionApplication(
    ctx: Context,
    id: number,
    from: "PENDING_REVIEW" | "AWAITING_INSPECTION",
    code: DistributionErrorCode,
    changes: () => Parameters<typeof q.updateApplication>[2],
  ): Promise<DistributionApplicationPayloadValue> {
    const outcome = await ctx.db.transaction(async (tx) => {
      const current = await q.applicationForUpdate(tx, id);
      if (!current) throw notFound("DistributionApplication");
      if (current.status !== from) {
        return { row: null, errors: [userError(code, `The application is ${current.status}, not ${from}.`, "applicationId")] };
      }
      return { row: await q.updateApplication(tx, id, changes()), errors: [] };
    });
    if (outcome.row) ctx.log.info("distribution application reviewed", { applicationId: id, status: outcome.row.status, adminId: ctx.viewer!.userId });
    return { application: outcome.row && toDistributionApplication(outcome.row), retryAt: null, userErrors: outcome.errors };
  }

  async distributionApplication(ctx: Context, rowId: number): Promise<DistributionApplication | null> {
    const row = await ctx.loaders.distributionApplicationById.load(rowId);
    if (!row) return null;
    await this.assertShopReader(ctx, row.shopId);
    return toDistributionApplication(row);
  }

  async distributionApplications(ctx: Context, page: PageArgs, status: string | null | undefined) {
    this.requireRole(ctx, Role.ADMIN, Role.ANALYST);
    const limit = pageSize(page.first);
    const key = `applications:${status ?? "ALL"}`;
    const after = decodeCursor(page.after, key);
    const result = await q.listApplications(ctx.db, { status: status ?? undefined, afterId: after?.id, limit });
    return connectionOf(
      { nodes: result.nodes.map(toDistributionApplication), hasNextPage: result.hasNextPage },
      (a) => ({ key, value: a.rowId, id: a.rowId }),
      Boolean(after),
    );
  }

  async distributionStatus(ctx: Context, shopId: number) {
    const latest = await ctx.loaders.latestDistributionApplicationByShopId.load(shopId);
    return latest?.status ?? null;
  }

  // ------------------------------------------------------------ commission plans (R4–R5)

  async publishToAlliance(ctx: Context, input: PublishToAllianceInput): Promise<CommissionPlanPayloadValue> {
    this.requireRole(ctx, Role.MERCHANT);
    const productId = idOf("Product", input.productId, "productId");
    const product = await ctx.loaders.productById.load(productId);
    if (!product) throw notFound("Product");
    const shop = await ctx.loaders.shopById.load(product.shopId);
    this.assertShopOwner(ctx, shop);
    const rate = checkRate(input.ratePercent);
    if ("error" in rate) return { plan: null, userErrors: [rate.error] };
    if (!(await q.shopApproved(ctx.db, shop!.id))) return { plan: null, userErrors: [this.notApproved()] };
    const now = ctx.clock.now();
    const outcome = await transaction(ctx.db, async (tx): Promise<PlanOutcome> => {
      await q.lockShopCommissions(tx, shop!.id);
      const current = await q.generalPlanOf(tx, productId, now);
      const row = current ? null : await q.insertPlan(tx, { shopId: shop!.id, productId, kind: "GENERAL", rateBps: rate.bps, createdAt: now, updatedAt: now });
      if (row) return { row, errors: [] };
      const message = current?.closesAt
        ? `The product's plan closes at ${current.closesAt.toISOString()}; publish it again from then on.`
        : "The product is already in the alliance library; change its plan's rate instead.";
      return { row: null, errors: [userError(CommissionPlanErrorCode.ALREADY_PUBLISHED, message, "productId")] };
    });
    if (!outcome.row) return { plan: null, userErrors: outcome.errors };
    const row = outcome.row;
    ctx.log.info("product published to alliance", { planId: row.id, productId, rateBps: rate.bps });
    return { plan: toCommissionPlan(row, now), userErrors: [] };
  }

  async createCommissionPlan(ctx: Context, input: CreateCommissionPlanInput): Promise<CommissionPlanPayloadValue> {
    this.requireRole(ctx, Role.MERCHANT);
    const productTargeted = input.kind === "PRODUCT_TARGETED";
    if (productTargeted ? input.shopId != null : input.productId != null) {
      throw badInput(productTargeted ? "A PRODUCT_TARGETED plan takes productId, not shopId." : "A SHOP_TARGETED plan takes shopId, not productId.");
    }
    const target = productTargeted ? input.productId : input.shopId;
    if (target == null) {
      const field = productTargeted ? "productId" : "shopId";
      return { plan: null, userErrors: [userError(CommissionPlanErrorCode.TARGET_REQUIRED, `A ${input.kind} plan needs ${field}.`, field)] };
    }
    let shop: ShopRow | null;
    let productId: number | null = null;
    if (productTargeted) {
      productId = idOf("Product", target, "productId");
      const product = await ctx.loaders.productById.load(productId);
      if (!product) throw notFound("Product");
      shop = await ctx.loaders.shopById.load(product.shopId);
    } else {
      shop = await ctx.loaders.shopById.load(idOf("Shop", target, "shopId"));
    }
    this.assertShopOwner(ctx, shop);
    const promoterIds = [...new Set(input.promoterIds.map((id, i) => idOf("Promoter", id, `promoterIds.${i}`)))];

    const errors: CommissionPlanUserError[] = [];
    const rate = checkRate(input.ratePercent);
    if ("error" in rate) errors.push(rate.error);
    if (promoterIds.length === 0) errors.push(userError(CommissionPlanErrorCode.PROMOTERS_REQUIRED, "Name at least one promoter.", "promoterIds"));
    if (promoterIds.length > MAX_PLAN_PROMOTERS) {
      errors.push(userError(CommissionPlanErrorCode.TOO_MANY_PROMOTERS, `A plan names at most ${MAX_PLAN_PROMOTERS} promoters.`, "promoterIds"));
    } else {
      const known = await q.promoterIdsAmong(ctx.db, promoterIds);
      input.promoterIds.forEach((id, i) => {
        if (!known.has(idOf("Promoter", id))) {
          errors.push(userError(CommissionPlanErrorCode.UNKNOWN_PROMOTER, `${id} is not a promoter.`, ["promoterIds", String(i)]));
        }
      });
    }
    if (productTargeted) {
      if (!(await q.generalPlanOf(ctx.db, productId!, ctx.clock.now()))) {
        errors.push(userError(CommissionPlanErrorCode.PRODUCT_NOT_IN_ALLIANCE, "Publish the product to the alliance library first.", "productId"));
      }
    } else if (!(await q.shopApproved(ctx.db, shop!.id))) {
      errors.push(this.notApproved());
    }
    if (errors.length > 0 || "error" in rate) return { plan: null, userErrors: errors };

    const now = ctx.clock.now();
    const outcome = await transaction(ctx.db, async (tx): Promise<PlanOutcome> => {
      await q.lockShopCommissions(tx, shop!.id);
      const productIds = productId !== null ? [productId] : await q.allianceProductIds(tx, shop!.id, now);
      let plan: CommissionPlanRow | null = null;
      // A new plan of higher priority at a lower rate is a decrease for the promoters it names (R4).
      await this.guardDecreases(tx, { promoterIds, productIds }, now, () => "ratePercent", async () => {
        plan = await q.insertPlan(tx, { shopId: shop!.id, productId, kind: input.kind, rateBps: rate.bps, createdAt: now, updatedAt: now });
        await q.insertPlanPromoters(tx, plan!.id, promoterIds);
      });
      return { row: plan, errors: [] };
    });
    if (!outcome.row) return { plan: null, userErrors: outcome.errors };
    const row = outcome.row;
    ctx.log.info("commission plan created", { planId: row.id, kind: row.kind, promoters: promoterIds.length });
    return { plan: toCommissionPlan(row, now), userErrors: [] };
  }

  async updateCommissionRate(ctx: Context, input: UpdateCommissionRateInput): Promise<CommissionPlanPayloadValue> {
    const { outcome, now } = await this.changeOpenPlan(ctx, input.planId, async (tx, plan, now) => {
      const rate = checkRate(input.ratePercent);
      if ("error" in rate) return { row: null, errors: [rate.error] };
      const change = changeRate(plan, rate.bps, now);
      if ("error" in change) return { row: null, errors: [change.error] };
      return { row: await q.updatePlanRates(tx, plan.id, change.rates, now), errors: [] };
    });
    if (!outcome.row) return { plan: null, userErrors: outcome.errors };
    ctx.log.info("commission rate changed", { planId: outcome.row.id, rateBps: outcome.row.rateBps, pendingRateBps: outcome.row.pendingRateBps });
    return { plan: toCommissionPlan(outcome.row, now), userErrors: [] };
  }

  async closeCommissionPlan(ctx: Context, input: CloseCommissionPlanInput): Promise<CommissionPlanPayloadValue> {
    const { outcome, now } = await this.changeOpenPlan(ctx, input.planId, async (tx, plan, now) => {
      const planId = plan.id;
      if (plan.kind === "GENERAL") {
        // The product leaves the alliance library: a decrease for every promoter, so it waits for midnight.
        if (decreaseWindowClosed(now)) return { row: null, errors: [decreaseRefused("planId")] };
        return { row: await q.closePlan(tx, planId, nextChinaMidnight(now), now), errors: [] };
      }
      let row: CommissionPlanRow | null = null;
      const scope = { promoterIds: await q.planPromoterIds(tx, planId), productIds: await this.planProductIds(tx, plan, now) };
      await this.guardDecreases(tx, scope, now, () => "planId", async () => {
        row = await q.closePlan(tx, planId, now, now);
      });
      return { row, errors: [] };
    });
    if (!outcome.row) return { plan: null, userErrors: outcome.errors };
    ctx.log.info("commission plan closed", { planId: outcome.row.id, closesAt: outcome.row.closesAt });
    return { plan: toCommissionPlan(outcome.row, now), userErrors: [] };
  }

  async updateCommissionPlanPromoters(ctx: Context, input: UpdateCommissionPlanPromotersInput): Promise<CommissionPlanPayloadValue> {
    this.requireRole(ctx, Role.MERCHANT);
    const planId = idOf("CommissionPlan", input.planId, "planId");
    const add = [...new Set(input.addPromoterIds.map((id, i) => idOf("Promoter", id, `addPromoterIds.${i}`)))];
    const remove = [...new Set(input.removePromoterIds.map((id, i) => idOf("Promoter", id, `removePromoterIds.${i}`)))];
    if (add.length + remove.length > MAX_PLAN_PROMOTERS) {
      return { plan: null, userErrors: [userError(CommissionPlanErrorCode.TOO_MANY_PROMOTERS, `Change at most ${MAX_PLAN_PROMOTERS} promoters at a time.`, "addPromoterIds")] };
    }
    const now = ctx.clock.now();
    const outcome = await transaction(ctx.db, async (tx): Promise<PlanOutcome> => {
      const plan = await this.lockOwnPlan(ctx, tx, planId);
      const errors: CommissionPlanUserError[] = [];
      if (plan.kind === "GENERAL") errors.push(userError(CommissionPlanErrorCode.NOT_TARGETED, "A GENERAL plan is for every promoter; it names none.", "planId"));
      if (plan.closesAt !== null) errors.push(this.closed(plan));
      const current = new Set(await q.planPromoterIds(tx, planId));
      const known = await q.promoterIdsAmong(tx, add);
      add.forEach((id, i) => {
        if (!known.has(id)) errors.push(userError(CommissionPlanErrorCode.UNKNOWN_PROMOTER, `${input.addPromoterIds[i]} is not a promoter.`, ["addPromoterIds", String(i)]));
        if (remove.includes(id)) errors.push(userError(CommissionPlanErrorCode.NOT_ON_PLAN, "A promoter cannot be both added and removed.", ["addPromoterIds", String(i)]));
      });
      remove.forEach((id, i) => {
        if (!current.has(id)) errors.push(userError(CommissionPlanErrorCode.NOT_ON_PLAN, `${input.removePromoterIds[i]} is not on the plan.`, ["removePromoterIds", String(i)]));
      });
      const remaining = new Set([...current, ...add].filter((id) => !remove.includes(id)));
      if (remaining.size === 0) errors.push(userError(CommissionPlanErrorCode.PROMOTERS_REQUIRED, "A targeted plan keeps at least one promoter; close it instead.", "removePromoterIds"));
      if (remaining.size > MAX_PLAN_PROMOTERS) {
        errors.push(userError(CommissionPlanErrorCode.TOO_MANY_PROMOTERS, `A plan names at most ${MAX_PLAN_PROMOTERS} promoters.`, "addPromoterIds"));
      }
      if (errors.length > 0) return { row: null, errors };
      const added = add.filter((id) => !current.has(id));
      const scope = { promoterIds: [...added, ...remove], productIds: await this.planProductIds(tx, plan, now) };
      await this.guardDecreases(tx, scope, now, (promoterId) => (remove.includes(promoterId) ? "removePromoterIds" : "addPromoterIds"), async () => {
        await q.insertPlanPromoters(tx, planId, added);
        await q.deletePlanPromoters(tx, planId, remove);
      });
      return { row: await q.touchPlan(tx, planId, now), errors: [] };
    });
    if (!outcome.row) return { plan: null, userErrors: outcome.errors };
    ctx.loaders.planPromotersByPlanId.clear(planId);
    ctx.log.info("commission plan promoters changed", { planId, added: add.length, removed: remove.length });
    return { plan: toCommissionPlan(outcome.row, now), userErrors: [] };
  }

  /**
   * R4, for changes to targeted plans: runs `change` and compares, pair by pair, the rate each promoter of the scope
   * resolves for each product before and after. A pair that lost keeps its old rate (a floor) until the next 00:00
   * China time; from 23:50 the whole change is refused and rolled back. What rose applies at once.
   */
  private async guardDecreases(
    tx: Tx,
    scope: { promoterIds: number[]; productIds: number[] },
    now: Date,
    field: (promoterId: number) => string,
    change: () => Promise<void>,
  ): Promise<void> {
    const before = await q.resolvePairs(tx, scope.promoterIds, scope.productIds, now);
    await change();
    const lowered = loweredPairs(before, await q.resolvePairs(tx, scope.promoterIds, scope.productIds, now)).map(([key, rate]) => {
      const [promoterId, productId] = key.split(":").map(Number) as [number, number];
      return { promoterId, productId, rate };
    });
    if (lowered.length === 0) return;
    if (decreaseWindowClosed(now)) throw new Rollback<PlanOutcome>({ row: null, errors: [decreaseRefused(field(lowered[0]!.promoterId))] });
    await q.upsertFloors(tx, lowered, nextChinaMidnight(now));
  }

  /** The products a targeted plan pays on: its product, or every alliance product of its shop. */
  private async planProductIds(tx: Tx, plan: CommissionPlanRow, now: Date): Promise<number[]> {
    return plan.productId !== null ? [plan.productId] : q.allianceProductIds(tx, plan.shopId, now);
  }

  /** Runs `change` in a transaction on the viewer's plan (locked), unless the plan is closed. */
  private async changeOpenPlan(
    ctx: Context,
    planGlobalId: string,
    change: (tx: Tx, plan: CommissionPlanRow, now: Date) => Promise<PlanOutcome>,
  ): Promise<{ outcome: PlanOutcome; now: Date }> {
    this.requireRole(ctx, Role.MERCHANT);
    const planId = idOf("CommissionPlan", planGlobalId, "planId");
    const now = ctx.clock.now();
    const outcome = await transaction(ctx.db, async (tx): Promise<PlanOutcome> => {
      const plan = await this.lockOwnPlan(ctx, tx, planId);
      return plan.closesAt !== null ? { row: null, errors: [this.closed(plan)] } : change(tx, plan, now);
    });
    return { outcome, now };
  }

  /** The viewer's plan, locked after its shop's commission lock (changes of one shop run one after the other). */
  private async lockOwnPlan(ctx: Context, tx: Tx, planId: number): Promise<CommissionPlanRow> {
    const [found] = await q.plansByIds(tx, [planId]);
    if (!found) throw notFound("CommissionPlan");
    this.assertShopOwner(ctx, await q.lockShopCommissions(tx, found.shopId));
    return (await q.planForUpdate(tx, planId))!;
  }

  private closed(plan: CommissionPlanRow): CommissionPlanUserError {
    return userError(CommissionPlanErrorCode.PLAN_CLOSED, `The plan is closed (from ${plan.closesAt!.toISOString()}).`, "planId");
  }

  async commissionPlan(ctx: Context, rowId: number): Promise<CommissionPlan | null> {
    const row = await ctx.loaders.commissionPlanById.load(rowId);
    if (!row) return null;
    await this.assertShopReader(ctx, row.shopId);
    return toCommissionPlan(row, ctx.clock.now());
  }

  async shopCommissionPlans(ctx: Context, shopId: number): Promise<CommissionPlan[]> {
    await this.assertShopReader(ctx, shopId);
    const now = ctx.clock.now();
    return (await ctx.loaders.commissionPlansByShopId.load(shopId)).map((row) => toCommissionPlan(row, now));
  }

  async planPromoters(ctx: Context, planId: number): Promise<Promoter[]> {
    const links = await ctx.loaders.planPromotersByPlanId.load(planId);
    const users = await ctx.loaders.userById.loadMany(links.map((l) => l.promoterId));
    return users.flatMap((u) => (u && !(u instanceof Error) ? [toPromoter(u)] : []));
  }

  // ------------------------------------------------------------ promoters (R6)

  async promoter(ctx: Context, rowId: number): Promise<Promoter | null> {
    const row = await ctx.loaders.userById.load(rowId);
    return row && row.role === "PROMOTER" ? toPromoter(row) : null;
  }

  async promoterShop(ctx: Context, promoterId: number): Promise<Shop | null> {
    const own = await ctx.loaders.ownShopByPromoterId.load(promoterId);
    if (!own) return null;
    const row = await ctx.loaders.shopById.load(own.shopId);
    return row ? toShop(row) : null;
  }

  async onboarding(ctx: Context, promoterId: number): Promise<PromoterOnboarding> {
    const [profile, own] = await Promise.all([
      ctx.loaders.promoterProfileByUserId.load(promoterId),
      ctx.loaders.ownShopByPromoterId.load(promoterId),
    ]);
    const facts = this.onboardingFacts(profile, own !== null);
    const missing = missingOnboardingSteps(facts);
    const privileged = ctx.viewer?.userId === promoterId || ctx.viewer?.role === Role.ADMIN;
    return {
      ownShop: facts.hasOwnShop,
      promotionPidBound: facts.pidBound,
      payoutAccountSigned: facts.payoutSigned,
      missingSteps: missing,
      canPromote: missing.length === 0,
      promotionPid: privileged ? (profile?.promotionPid ?? null) : null,
      payoutChannel: privileged ? ((profile?.payoutChannel as PromoterOnboarding["payoutChannel"]) ?? null) : null,
      payoutAccountTail: privileged ? (profile?.payoutAccountTail ?? null) : null,
    };
  }

  async bindPromotionPid(ctx: Context, input: BindPromotionPidInput): Promise<PromoterPayloadValue> {
    this.requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const pid = input.pid.trim();
    const invalid = checkPid(pid);
    if (invalid) return { promoter: null, userErrors: [invalid] };
    const now = ctx.clock.now();
    const taken = (): PromoterPayloadValue => ({
      promoter: null,
      userErrors: [userError(PromoterErrorCode.PID_TAKEN, "That PID is bound to another promoter.", "pid")],
    });
    try {
      const bound = await ctx.db.transaction(async (tx) => {
        const holder = await q.profileByPid(tx, pid);
        if (holder && holder.userId !== me) return false;
        await q.ensureProfile(tx, me, now);
        await q.updateProfile(tx, me, { promotionPid: pid, pidBoundAt: now, updatedAt: now });
        return true;
      });
      if (!bound) return taken();
    } catch (error) {
      if (isUniqueViolation(error)) return taken();
      throw error;
    }
    return { promoter: await this.self(ctx), userErrors: [] };
  }

  async signPayoutAccount(ctx: Context, input: SignPayoutAccountInput): Promise<PromoterPayloadValue> {
    this.requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const accountNo = input.accountNo.trim();
    const errors = checkPayoutAccount(input.accountName, accountNo);
    if (errors.length > 0) return { promoter: null, userErrors: errors };
    const now = ctx.clock.now();
    await ctx.db.transaction(async (tx) => {
      await q.ensureProfile(tx, me, now);
      await q.updateProfile(tx, me, {
        payoutChannel: input.channel,
        payoutAccountName: input.accountName.trim(),
        payoutAccountTail: accountNo.slice(-4),
        payoutSignedAt: now,
        updatedAt: now,
      });
    });
    return { promoter: await this.self(ctx), userErrors: [] };
  }

  // ------------------------------------------------------------ selection center (R6)

  async selectionCenter(ctx: Context, page: PageArgs, filter: SelectionFilter | null | undefined, order: SelectionOrder | null | undefined) {
    this.requireRole(ctx, Role.PROMOTER);
    const limit = pageSize(page.first);
    const sort = order?.field ?? "NEWEST";
    const descending = (order?.direction ?? "DESC") === "DESC";
    const key = `selection:${sort}:${descending ? "d" : "a"}`;
    const after = decodeCursor(page.after, key);
    let minRateBps: number | undefined;
    if (filter?.minRatePercent != null) {
      const bps = parseRatePercent(filter.minRatePercent);
      if (bps === null) throw badInput("minRatePercent must be a percentage, e.g. \"20\" or \"12.5\".", "filter.minRatePercent");
      minRateBps = bps;
    }
    const result = await q.selectionPage(ctx.db, {
      promoterId: ctx.viewer!.userId,
      at: ctx.clock.now(),
      category: filter?.category ?? undefined,
      industryBelt: filter?.industryBelt ?? undefined,
      crossBorder: filter?.crossBorder ?? undefined,
      minPriceFen: amountFilter(filter?.minPrice, "minPrice"),
      maxPriceFen: amountFilter(filter?.maxPrice, "maxPrice"),
      minRateBps,
      sort,
      descending,
      after,
      limit,
    });
    const sortValue = {
      COMMISSION_RATE: (r: (typeof result.nodes)[number]) => r.rateBps,
      PRICE: (r: (typeof result.nodes)[number]) => r.product.priceFen,
      SALES: (r: (typeof result.nodes)[number]) => r.unitsSold,
      NEWEST: (r: (typeof result.nodes)[number]) => r.generalPlanId,
    }[sort];
    for (const r of result.nodes) ctx.loaders.productById.prime(r.product.id, r.product);
    const connection = connectionOf(result, (r) => ({ key, value: sortValue(r), id: r.product.id }), Boolean(after));
    return {
      pageInfo: connection.pageInfo,
      edges: connection.edges.map(({ node: r, cursor }) => ({
        cursor,
        node: {
          product: toProduct(r.product),
          commissionRate: commissionRate(r.rateBps),
          commissionPlanKind: r.kind as CommissionPlanKind,
          unitsSold30d: r.unitsSold,
          onShelf: r.onShelf,
        } satisfies SelectionItem,
      })),
    };
  }

  // ------------------------------------------------------------ shelf (R7)

  /** Anyone may see a shelf; what the promoter earns on it (targeted rates are private deals) only it, admins and analysts. */
  async shelf(ctx: Context, promoterId: number): Promise<ShelfItem[]> {
    const rows = await q.shelfOf(ctx.db, promoterId, ctx.clock.now());
    for (const r of rows) ctx.loaders.productById.prime(r.product.id, r.product);
    const privileged = ctx.viewer?.userId === promoterId || ctx.viewer?.role === Role.ADMIN || ctx.viewer?.role === Role.ANALYST;
    return rows.map((r) => toShelfItem(privileged ? r : { ...r, kind: null, rateBps: null }));
  }

  async addToShelf(ctx: Context, input: AddToShelfInput): Promise<ShelfPayloadValue> {
    this.requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productId = idOf("Product", input.productId, "productId");
    const product = await ctx.loaders.productById.load(productId);
    if (!product) throw notFound("Product");
    const shop = await ctx.loaders.shopById.load(product.shopId);
    const now = ctx.clock.now();
    const errors = await ctx.db.transaction(async (tx): Promise<PromoterUserError[]> => {
      const profile = await q.lockProfile(tx, me);
      const facts = this.onboardingFacts(profile, (await q.promoterShopId(tx, me)) !== null);
      const missing = onboardingErrors<PromoterErrorCode>(facts);
      if (missing.length > 0) return missing;
      const rates = await q.resolveCommissionRates(tx, me, [productId], now);
      if (!rates.has(productId) || shop?.status === "CLOSED") {
        return [userError(PromoterErrorCode.NOT_IN_ALLIANCE, "The product is not in the alliance library.", "productId")];
      }
      const shelf = await q.shelfProductIds(tx, me);
      if (shelf.includes(productId)) return [];
      if (shelf.length >= MAX_SHELF_ITEMS) {
        return [userError(PromoterErrorCode.SHELF_FULL, `A shelf holds at most ${MAX_SHELF_ITEMS} products.`, "productId")];
      }
      await q.appendToShelf(tx, me, productId, now);
      return [];
    });
    if (errors.length > 0) return { shelf: null, userErrors: errors };
    return { shelf: await this.shelf(ctx, me), userErrors: [] };
  }

  async removeFromShelf(ctx: Context, input: RemoveFromShelfInput): Promise<ShelfPayloadValue> {
    this.requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productId = idOf("Product", input.productId, "productId");
    const removed = await ctx.db.transaction(async (tx) => {
      await q.lockProfile(tx, me);
      return q.deleteFromShelf(tx, me, productId);
    });
    if (!removed) return { shelf: null, userErrors: [userError(PromoterErrorCode.NOT_ON_SHELF, "The product is not on your shelf.", "productId")] };
    return { shelf: await this.shelf(ctx, me), userErrors: [] };
  }

  async reorderShelf(ctx: Context, input: ReorderShelfInput): Promise<ShelfPayloadValue> {
    this.requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productIds = input.productIds.map((id, i) => idOf("Product", id, `productIds.${i}`));
    const ok = await ctx.db.transaction(async (tx) => {
      await q.lockProfile(tx, me);
      if (!isPermutation(await q.shelfProductIds(tx, me), productIds)) return false;
      await q.setShelfOrder(tx, me, productIds);
      return true;
    });
    if (!ok) {
      return {
        shelf: null,
        userErrors: [userError(PromoterErrorCode.SHELF_MISMATCH, "List every product on your shelf exactly once.", "productIds")],
      };
    }
    return { shelf: await this.shelf(ctx, me), userErrors: [] };
  }

  // ------------------------------------------------------------ samples (R7)

  async requestSample(ctx: Context, input: RequestSampleInput): Promise<SampleRequestPayloadValue> {
    this.requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productId = idOf("Product", input.productId, "productId");
    const product = await ctx.loaders.productById.load(productId);
    if (!product) throw notFound("Product");
    const note = input.note ?? "";
    const now = ctx.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const profile = await q.lockProfile(tx, me);
      const missing = onboardingErrors<SampleRequestErrorCode>(this.onboardingFacts(profile, (await q.promoterShopId(tx, me)) !== null));
      if (missing.length > 0) return { row: null, errors: missing };
      if (!(await q.isOnShelf(tx, me, productId))) {
        return { row: null, errors: [userError(SampleRequestErrorCode.NOT_ON_SHELF, "Put the product on your shelf before asking for a sample.", "productId")] };
      }
      const row = await q.insertSampleRequest(tx, { promoterId: me, productId, shopId: product.shopId, note, requestedAt: now });
      if (!row) {
        return { row: null, errors: [userError(SampleRequestErrorCode.ALREADY_REQUESTED, "You already have a pending sample request for this product.", "productId")] };
      }
      return { row, errors: [] };
    });
    if (!outcome.row) return { sampleRequest: null, userErrors: outcome.errors };
    ctx.log.info("sample requested", { sampleRequestId: outcome.row.id, productId, promoterId: me });
    return { sampleRequest: toSampleRequest(outcome.row), userErrors: [] };
  }

  async decideSampleRequest(ctx: Context, input: DecideSampleRequestInput): Promise<SampleRequestPayloadValue> {
    this.requireRole(ctx, Role.MERCHANT);
    const id = idOf("SampleRequest", input.requestId, "requestId");
    const trackingNo = input.trackingNo?.trim() || null;
    const now = ctx.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const current = await q.sampleRequestForUpdate(tx, id);
      if (!current) throw notFound("SampleRequest");
      this.assertShopOwner(ctx, await shopById(tx, current.shopId));
      const errors: SampleRequestUserError[] = [];
      if (current.status !== "PENDING") {
        errors.push(userError(SampleRequestErrorCode.ALREADY_DECIDED, `The request is already ${current.status}.`, "requestId"));
      }
      if (input.accept && !trackingNo) {
        errors.push(userError(SampleRequestErrorCode.TRACKING_NO_REQUIRED, "Ship the sample and give its tracking number to accept.", "trackingNo"));
      }
      if (!input.accept && trackingNo) {
        errors.push(userError(SampleRequestErrorCode.TRACKING_NO_NOT_ALLOWED, "A declined request has no tracking number.", "trackingNo"));
      }
      if (errors.length > 0) return { row: null, errors };
      const row = await q.updateSampleRequest(tx, id, { status: input.accept ? "ACCEPTED" : "DECLINED", trackingNo, decidedAt: now });
      return { row, errors };
    });
    if (!outcome.row) return { sampleRequest: null, userErrors: outcome.errors };
    return { sampleRequest: toSampleRequest(outcome.row), userErrors: [] };
  }

  async sampleRequest(ctx: Context, rowId: number): Promise<SampleRequest | null> {
    const row = await ctx.loaders.sampleRequestById.load(rowId);
    if (!row) return null;
    if (ctx.viewer?.userId !== row.promoterId) await this.assertShopReader(ctx, row.shopId);
    return toSampleRequest(row);
  }

  /** A promoter sees its own requests, a merchant the requests to its shops, admins and analysts all. */
  async sampleRequests(ctx: Context, page: PageArgs, status: string | null | undefined) {
    const viewer = this.requireRole(ctx, Role.PROMOTER, Role.MERCHANT, Role.ADMIN, Role.ANALYST);
    const limit = pageSize(page.first);
    const key = `samples:${status ?? "ALL"}`;
    const after = decodeCursor(page.after, key);
    const result = await q.listSampleRequests(ctx.db, {
      promoterId: viewer.role === Role.PROMOTER ? viewer.userId : undefined,
      shopOwnerId: viewer.role === Role.MERCHANT ? viewer.userId : undefined,
      status: status ?? undefined,
      beforeId: after?.id,
      limit,
    });
    return connectionOf(
      { nodes: result.nodes.map(toSampleRequest), hasNextPage: result.hasNextPage },
      (s) => ({ key, value: s.rowId, id: s.rowId }),
      Boolean(after),
    );
  }

  // ------------------------------------------------------------ helpers

  private async self(ctx: Context): Promise<Promoter> {
    ctx.loaders.promoterProfileByUserId.clear(ctx.viewer!.userId);
    return (await this.promoter(ctx, ctx.viewer!.userId))!;
  }

  private onboardingFacts(profile: { promotionPid: string | null; payoutSignedAt: Date | null } | null, hasOwnShop: boolean): OnboardingFacts {
    return { hasOwnShop, pidBound: Boolean(profile?.promotionPid), payoutSigned: Boolean(profile?.payoutSignedAt) };
  }

  private notApproved(): CommissionPlanUserError {
    return userError(CommissionPlanErrorCode.SHOP_NOT_APPROVED, "Only shops approved for distribution publish to the alliance library.", "shopId");
  }

  private requireRole(ctx: Context, ...roles: Role[]) {
    if (!ctx.viewer) throw unauthenticated();
    if (!roles.includes(ctx.viewer.role)) throw forbidden(`this operation as ${ctx.viewer.role}`);
    return ctx.viewer;
  }

  /** The shop's own merchant acts on it; nobody else, admins included. */
  private assertShopOwner(ctx: Context, shop: ShopRow | null | undefined): void {
    if (!ctx.viewer) throw unauthenticated();
    if (!shop) throw notFound("Shop");
    if (ctx.viewer.role !== Role.MERCHANT || shop.ownerId !== ctx.viewer.userId) throw forbidden("changes to this shop's distribution");
  }

  /** The shop's merchant, admins and analysts read its applications, plans and sample requests. */
  private async assertShopReader(ctx: Context, shopId: number): Promise<void> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role === Role.ADMIN || ctx.viewer.role === Role.ANALYST) return;
    const shop = await ctx.loaders.shopById.load(shopId);
    if (ctx.viewer.role !== Role.MERCHANT || shop?.ownerId !== ctx.viewer.userId) throw forbidden("reading this shop's distribution");
  }
}

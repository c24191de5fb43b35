import type { Context } from "../../shared/context.js";
import type { Tx } from "../../db/client.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { CommissionPlanRow, ShopRow } from "../../db/schema/index.js";
import { Rollback, transaction } from "../../db/transaction.js";
import { Role } from "../../shared/auth.js";
import { badInput, notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { userError } from "../../shared/user-errors.js";
import { assertShopOwner, assertShopReader, requireRole } from "./alliance.access.js";
import type {
  CloseCommissionPlanInput,
  CreateCommissionPlanInput,
  PublishToAllianceInput,
  UpdateCommissionPlanPromotersInput,
  UpdateCommissionRateInput,
} from "./alliance.inputs.js";
import * as q from "./alliance.queries.js";
import {
  changeRate,
  checkRate,
  CommissionPlanErrorCode,
  decreaseRefused,
  decreaseWindowClosed,
  loweredPairs,
  MAX_PLAN_PROMOTERS,
  nextChinaMidnight,
  type CommissionPlanUserError,
} from "./alliance.rules.js";
import { toCommissionPlan, toPromoter, type CommissionPlan, type Promoter } from "./alliance.type.js";

export interface CommissionPlanPayloadValue {
  plan: CommissionPlan | null;
  userErrors: CommissionPlanUserError[];
}
type PlanOutcome = { row: CommissionPlanRow | null; errors: CommissionPlanUserError[] };

/** Commission plans: the alliance library's general plans and the targeted ones, and the rules on decreases (R4–R5). */
export class CommissionPlanService {
  /** `listings` hears every committed change: the selection center shows each promoter's resolved rate. */
  constructor(private readonly deps: { listings: ListingNotices }) {}

  async publishToAlliance(ctx: Context, input: PublishToAllianceInput): Promise<CommissionPlanPayloadValue> {
    requireRole(ctx, Role.MERCHANT);
    const productId = idOf("Product", input.productId, "productId");
    const product = await ctx.loaders.productById.load(productId);
    if (!product) throw notFound("Product");
    const shop = await ctx.loaders.shopById.load(product.shopId);
    assertShopOwner(ctx, shop);
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
    this.deps.listings.allianceChanged();
    const row = outcome.row;
    ctx.log.info("product published to alliance", { planId: row.id, productId, rateBps: rate.bps });
    return { plan: toCommissionPlan(row, now), userErrors: [] };
  }

  async createCommissionPlan(ctx: Context, input: CreateCommissionPlanInput): Promise<CommissionPlanPayloadValue> {
    requireRole(ctx, Role.MERCHANT);
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
    assertShopOwner(ctx, shop);
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
    this.deps.listings.allianceChanged();
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
    this.deps.listings.allianceChanged();
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
    this.deps.listings.allianceChanged();
    ctx.log.info("commission plan closed", { planId: outcome.row.id, closesAt: outcome.row.closesAt });
    return { plan: toCommissionPlan(outcome.row, now), userErrors: [] };
  }

  async updateCommissionPlanPromoters(ctx: Context, input: UpdateCommissionPlanPromotersInput): Promise<CommissionPlanPayloadValue> {
    requireRole(ctx, Role.MERCHANT);
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
    this.deps.listings.allianceChanged();
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
    requireRole(ctx, Role.MERCHANT);
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
    assertShopOwner(ctx, await q.lockShopCommissions(tx, found.shopId));
    return (await q.planForUpdate(tx, planId))!;
  }

  private closed(plan: CommissionPlanRow): CommissionPlanUserError {
    return userError(CommissionPlanErrorCode.PLAN_CLOSED, `The plan is closed (from ${plan.closesAt!.toISOString()}).`, "planId");
  }

  async commissionPlan(ctx: Context, rowId: number): Promise<CommissionPlan | null> {
    const row = await ctx.loaders.commissionPlanById.load(rowId);
    if (!row) return null;
    await assertShopReader(ctx, row.shopId);
    return toCommissionPlan(row, ctx.clock.now());
  }

  async shopCommissionPlans(ctx: Context, shopId: number): Promise<CommissionPlan[]> {
    await assertShopReader(ctx, shopId);
    const now = ctx.clock.now();
    return (await ctx.loaders.commissionPlansByShopId.load(shopId)).map((row) => toCommissionPlan(row, now));
  }

  async planPromoters(ctx: Context, planId: number): Promise<Promoter[]> {
    const links = await ctx.loaders.planPromotersByPlanId.load(planId);
    const users = await ctx.loaders.userById.loadMany(links.map((l) => l.promoterId));
    return users.flatMap((u) => (u && !(u instanceof Error) ? [toPromoter(u)] : []));
  }

  private notApproved(): CommissionPlanUserError {
    return userError(CommissionPlanErrorCode.SHOP_NOT_APPROVED, "Only shops approved for distribution publish to the alliance library.", "shopId");
  }
}

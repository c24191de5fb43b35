import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { connectionOf, decodeCursor, pageSize, type PageArgs } from "../../shared/pagination.js";
import { userError } from "../../shared/user-errors.js";
import { assertShopOwner, assertShopReader, requireRole } from "./alliance.access.js";
import type { ApplyForDistributionInput, RecordFactoryInspectionInput, ReviewDistributionApplicationInput } from "./alliance.inputs.js";
import * as q from "./alliance.queries.js";
import { DistributionErrorCode, evaluateEligibility, mayRetry, retryAfter, type DistributionUserError } from "./alliance.rules.js";
import { toDistributionApplication, type DistributionApplication } from "./alliance.type.js";

export interface DistributionApplicationPayloadValue {
  application: DistributionApplication | null;
  retryAt: Date | null;
  userErrors: DistributionUserError[];
}

/** A shop's distribution rights: eligibility checks, admin review and factory inspection (R1–R3). */
export class DistributionService {
  async applyForDistribution(ctx: Context, input: ApplyForDistributionInput): Promise<DistributionApplicationPayloadValue> {
    requireRole(ctx, Role.MERCHANT);
    const shopId = idOf("Shop", input.shopId, "shopId");
    const now = ctx.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const shop = await q.lockShop(tx, shopId);
      assertShopOwner(ctx, shop);
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
    requireRole(ctx, Role.ADMIN);
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
    requireRole(ctx, Role.ADMIN);
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
    await assertShopReader(ctx, row.shopId);
    return toDistributionApplication(row);
  }

  async distributionApplications(ctx: Context, page: PageArgs, status: string | null | undefined) {
    requireRole(ctx, Role.ADMIN, Role.ANALYST);
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
}

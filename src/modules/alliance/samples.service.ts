import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { connectionOf, decodeCursor, pageSize, type PageArgs } from "../../shared/pagination.js";
import { userError } from "../../shared/user-errors.js";
import { shopById } from "../catalog/index.js";
import { assertShopOwner, assertShopReader, requireRole } from "./alliance.access.js";
import type { DecideSampleRequestInput, RequestSampleInput } from "./alliance.inputs.js";
import * as q from "./alliance.queries.js";
import { onboardingErrors, onboardingFactsOf, SampleRequestErrorCode, type SampleRequestUserError } from "./alliance.rules.js";
import { toSampleRequest, type SampleRequest } from "./alliance.type.js";

export interface SampleRequestPayloadValue {
  sampleRequest: SampleRequest | null;
  userErrors: SampleRequestUserError[];
}

/** Sample requests: a promoter asks for a sample of a product on its shelf, the shop's merchant ships or declines (R7). */
export class SampleService {
  async requestSample(ctx: Context, input: RequestSampleInput): Promise<SampleRequestPayloadValue> {
    requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productId = idOf("Product", input.productId, "productId");
    const product = await ctx.loaders.productById.load(productId);
    if (!product) throw notFound("Product");
    const note = input.note ?? "";
    const now = ctx.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const profile = await q.lockProfile(tx, me);
      const missing = onboardingErrors<SampleRequestErrorCode>(onboardingFactsOf(profile, (await q.promoterShopId(tx, me)) !== null));
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
    requireRole(ctx, Role.MERCHANT);
    const id = idOf("SampleRequest", input.requestId, "requestId");
    const trackingNo = input.trackingNo?.trim() || null;
    const now = ctx.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const current = await q.sampleRequestForUpdate(tx, id);
      if (!current) throw notFound("SampleRequest");
      assertShopOwner(ctx, await shopById(tx, current.shopId));
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
    if (ctx.viewer?.userId !== row.promoterId) await assertShopReader(ctx, row.shopId);
    return toSampleRequest(row);
  }

  /** A promoter sees its own requests, a merchant the requests to its shops, admins and analysts all. */
  async sampleRequests(ctx: Context, page: PageArgs, status: string | null | undefined) {
    const viewer = requireRole(ctx, Role.PROMOTER, Role.MERCHANT, Role.ADMIN, Role.ANALYST);
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
}

import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { Clock } from "../../shared/clock.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { decodeCursor, newestFirstConnection, pageSize } from "../../shared/pagination.js";
import { userError } from "../../shared/user-errors.js";
import { promoterShopId } from "../alliance/index.js";
import { shopIdsOwnedBy } from "../catalog/index.js";
import { assertMaySee } from "./price-guard.access.js";
import type { LiftRestrictionInput, PriceGuardViolationsArgs } from "./price-guard.inputs.js";
import * as q from "./price-guard.queries.js";
import { PriceGuardErrorCode, restrictionActive, type PriceGuardUserError } from "./price-guard.rules.js";
import { toRestriction, toViolation, type PriceGuardRestriction, type PriceGuardViolation } from "./price-guard.type.js";

/** Violations and restrictions as people read them, and an admin lifting a restriction (R14–R15). */
export class ViolationService {
  constructor(private readonly deps: { clock: Clock; listings: ListingNotices }) {}

  async violations(ctx: Context, args: PriceGuardViolationsArgs) {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const limit = pageSize(args.first);
    const after = decodeCursor(args.after, "priceGuardViolations");
    let visibleTo: q.ViolationListQuery["visibleTo"];
    if (viewer.role === Role.MERCHANT || viewer.role === Role.PROMOTER) {
      const shopIds = await shopIdsOwnedBy(ctx.db, viewer.userId);
      const own = viewer.role === Role.PROMOTER ? await promoterShopId(ctx.db, viewer.userId) : null;
      visibleTo = { shopIds: own === null ? shopIds : [...shopIds, own], promoterId: viewer.role === Role.PROMOTER ? viewer.userId : null };
    } else if (viewer.role !== Role.ADMIN && viewer.role !== Role.ANALYST) throw forbidden("reading price-guard violations");
    const rows = await q.listViolations(ctx.db, {
      shopId: args.shopId ? idOf("Shop", args.shopId, "shopId") : undefined,
      productId: args.productId ? idOf("Product", args.productId, "productId") : undefined,
      liveSessionId: args.liveSessionId ? idOf("LiveSession", args.liveSessionId, "liveSessionId") : undefined,
      promoterId: args.promoterId ? idOf("User", args.promoterId, "promoterId") : undefined,
      visibleTo,
      beforeId: after?.id,
      limit,
    });
    for (const row of rows) ctx.loaders.violationById.prime(row.id, row);
    return newestFirstConnection(rows, limit, "priceGuardViolations", toViolation, Boolean(after));
  }

  async violation(ctx: Context, rowId: number): Promise<PriceGuardViolation | null> {
    const row = await ctx.loaders.violationById.load(rowId);
    if (!row) return null;
    await assertMaySee(ctx, [row.shopId, row.productShopId], row.promoterId, "this violation");
    return toViolation(row);
  }

  async restriction(ctx: Context, rowId: number): Promise<PriceGuardRestriction | null> {
    const row = await ctx.loaders.restrictionById.load(rowId);
    if (!row) return null;
    await assertMaySee(ctx, [row.shopId], row.promoterId, "this restriction");
    return toRestriction(row);
  }

  /** `shop { restrictions }`: its merchant, admins and analysts. */
  async shopRestrictions(ctx: Context, shopRowId: number, activeOnly: boolean): Promise<PriceGuardRestriction[]> {
    await assertMaySee(ctx, [shopRowId], null, "this shop's restrictions");
    const now = ctx.clock.now();
    const rows = await ctx.loaders.restrictionsByShop.load(shopRowId);
    return rows.filter((r) => !activeOnly || restrictionActive(r, now)).map(toRestriction);
  }

  isActive(ctx: Context, restriction: PriceGuardRestriction): boolean {
    return restrictionActive(restriction, ctx.clock.now());
  }


  async liftRestriction(ctx: Context, input: LiftRestrictionInput): Promise<{ restriction: PriceGuardRestriction | null; userErrors: PriceGuardUserError[] }> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.ADMIN) throw forbidden("lifting restrictions");
    const id = idOf("PriceGuardRestriction", input.restrictionId, "restrictionId");
    const reason = input.reason.trim();
    const now = this.deps.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const row = await q.restrictionById(tx, id, true);
      if (!row) throw notFound("Restriction");
      if (!restrictionActive(row, now)) return null;
      return q.liftRestrictionRow(tx, id, viewer.userId, reason, now);
    });
    if (!outcome) {
      return { restriction: null, userErrors: [userError(PriceGuardErrorCode.NOT_ACTIVE, "The restriction is not in force (expired or already lifted).", "restrictionId")] };
    }
    this.deps.listings.allianceChanged();
    ctx.log.info("price-guard restriction lifted", { restrictionId: id, userId: viewer.userId });
    return { restriction: toRestriction(outcome), userErrors: [] };
  }
}

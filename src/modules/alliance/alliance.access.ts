import type { Context } from "../../shared/context.js";
import type { ShopRow } from "../../db/schema/index.js";
import { Role } from "../../shared/auth.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";

/** Authorisation shared by the alliance services. */
export function requireRole(ctx: Context, ...roles: Role[]) {
  if (!ctx.viewer) throw unauthenticated();
  if (!roles.includes(ctx.viewer.role)) throw forbidden(`this operation as ${ctx.viewer.role}`);
  return ctx.viewer;
}

/** The shop's own merchant acts on it; nobody else, admins included. */
export function assertShopOwner(ctx: Context, shop: ShopRow | null | undefined): void {
  if (!ctx.viewer) throw unauthenticated();
  if (!shop) throw notFound("Shop");
  if (ctx.viewer.role !== Role.MERCHANT || shop.ownerId !== ctx.viewer.userId) throw forbidden("changes to this shop's distribution");
}

/** The shop's merchant, admins and analysts read its applications, plans and sample requests. */
export async function assertShopReader(ctx: Context, shopId: number): Promise<void> {
  if (!ctx.viewer) throw unauthenticated();
  if (ctx.viewer.role === Role.ADMIN || ctx.viewer.role === Role.ANALYST) return;
  const shop = await ctx.loaders.shopById.load(shopId);
  if (ctx.viewer.role !== Role.MERCHANT || shop?.ownerId !== ctx.viewer.userId) throw forbidden("reading this shop's distribution");
}

import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { forbidden, unauthenticated } from "../../shared/errors.js";

/** Admins and analysts see everything; others only what concerns their own shops, or themselves as a promoter. */
export async function assertMaySee(ctx: Context, shopIds: (number | null)[], promoterId: number | null, what: string): Promise<void> {
  const viewer = ctx.viewer;
  if (!viewer) throw unauthenticated();
  if (viewer.role === Role.ADMIN || viewer.role === Role.ANALYST) return;
  if (viewer.role === Role.PROMOTER && promoterId === viewer.userId) return;
  if (viewer.role === Role.MERCHANT || viewer.role === Role.PROMOTER) {
    for (const id of shopIds) {
      if (id !== null && (await ctx.loaders.shopById.load(id))?.ownerId === viewer.userId) return;
    }
  }
  throw forbidden(`reading ${what}`);
}

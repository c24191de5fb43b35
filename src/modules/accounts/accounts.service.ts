import type { Context } from "../../context.js";
import { forbidden } from "../../shared/errors.js";
import { usersByIds } from "./accounts.queries.js";

/**
 * A banned account keeps no live subscriptions: checked when it subscribes and again on `accessChanged`.
 * Reads the row afresh (a subscription's context outlives its loaders' truth). Anonymous viewers pass.
 */
export async function assertActiveAccount(ctx: Context): Promise<void> {
  if (!ctx.viewer) return;
  const [row] = await usersByIds(ctx.db, [ctx.viewer.userId]);
  if (row?.banned) throw forbidden("live updates for a banned account");
}

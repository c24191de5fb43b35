import type { Context } from "../../shared/context.js";
import { RoomTicket, type RoomSpec } from "../../realtime/fanout.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";

/** The room of a live session, for any of its room subscriptions (inventory, events); an unknown session is NOT_FOUND. */
export async function liveRoom(ctx: Context, liveSessionGlobalId: string, spec: RoomSpec<any, any>): Promise<RoomTicket> {
  const sessionId = idOf("LiveSession", liveSessionGlobalId, "liveSessionId");
  if (!(await ctx.loaders.liveSessionById.load(sessionId))) throw notFound("Live session");
  return new RoomTicket(spec, sessionId);
}

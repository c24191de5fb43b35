import type { Context } from "../../shared/context.js";
import { RoomTicket, type RoomSpec } from "../../realtime/fanout.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { liveSessionById } from "./live.queries.js";

/** The room of a live session, for any of its room subscriptions (inventory, events); an unknown session is NOT_FOUND. */
export async function liveRoom(ctx: Context, liveSessionGlobalId: string, spec: RoomSpec<any, any>): Promise<RoomTicket> {
  const sessionId = idOf("LiveSession", liveSessionGlobalId, "liveSessionId");
  // Read when the room opens on this instance: a crowd joining an open room reads nothing.
  return new RoomTicket(spec, sessionId, async () => {
    if (!(await liveSessionById(ctx.db, sessionId))) throw notFound("Live session");
  });
}

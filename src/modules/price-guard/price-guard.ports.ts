import type { Tx } from "../../db/client.js";
import type { PriceGuardAlertPayload } from "../../realtime/topics.js";

/**
 * What the price guard needs of live rooms; the live service implements it and is given to the guard at
 * construction, so neither module imports the other's service.
 */
export interface LiveRooms {
  /** R14: takes the subject's goods out of every room (open flash sales end, pins removed) in the caller's transaction. */
  withdraw(tx: Tx, subject: { shopId: number | null; promoterId: number | null; crossBorderOnly: boolean }, reason: "RESTRICTED"): Promise<unknown>;
  /** Tells a room (liveSessionEvents) about an alert; never throws. */
  publish(liveSessionId: number, alert: PriceGuardAlertPayload): Promise<void>;
}

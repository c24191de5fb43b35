/** The live module's face (minimal until the module faces land): what other modules use of it. */
export { LiveService, type CartGuard } from "./live.service.js";
export { liveSessionById, pinnedCartItem } from "./live.queries.js";
export { LiveErrorCode, type LiveUserError } from "./live.rules.js";
export { LiveSession } from "./live.type.js";
export { setLiveEventMembers } from "./live-events.type.js";

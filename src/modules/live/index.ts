/**
 * The live module's face: live sessions, their carts (pins), viewers and room events. Query functions take the
 * caller's transaction (`lock: "share"` keeps a session from ending until that transaction ends).
 */
export { CartItem, LiveSession, toCartItem, toLiveSession } from "./live.type.js";
export { LiveSessionEvent, setLiveEventMembers, type LiveEventRoot } from "./live-events.type.js";
export { LiveErrorCode, type LiveUserError } from "./live.rules.js";
export { liveSessionById, livePinsOfProduct, pinnedCartItem, type Withdrawal } from "./live.queries.js";
export { liveLoaders } from "./live.loaders.js";
export { liveRoom } from "./live.rooms.js";
export { ViewerCounter } from "./viewer-counter.js";
export { LiveService, type CartGuard, type RoomSales } from "./live.service.js";
export { CartItemResolver, liveNodes, LiveSessionResolver } from "./live.resolver.js";

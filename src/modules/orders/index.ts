/** The orders module's face: what other modules may use. */
export { Order, OrderStatus, toOrder } from "./orders.type.js";
export { ordersByIds, shopSalesFen, usableCouponsOfProduct } from "./orders.queries.js";
export { OrderService, type CouponUserError, type OrderDraft, type OrderGuard } from "./orders.service.js";
export { CouponErrorCode, MAX_ORDER_QUANTITY, PlaceOrderErrorCode, pointsCapFen, priceOrder } from "./orders.rules.js";
export { orderLoaders } from "./orders.loaders.js";
export { orderNodes, OrderResolver } from "./orders.resolver.js";

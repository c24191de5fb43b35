/**
 * The orders module's face: buying (flash sales, carts), coupons, the hand price and the guard port it calls
 * before an order or a coupon is written (the price guard implements OrderGuard).
 */
export { Order, OrderStatus, toOrder } from "./orders.type.js";
export { CouponErrorCode, MAX_ORDER_QUANTITY, PlaceOrderErrorCode, pointsCapFen, priceOrder } from "./orders.rules.js";
export { ordersByIds, shopSalesFen, usableCouponsOfProduct } from "./orders.queries.js";
export { orderLoaders } from "./orders.loaders.js";
export { OrderService, type CouponUserError, type OrderDraft, type OrderGuard, type PlaceOrderUserError } from "./orders.service.js";
export { orderNodes, OrderResolver } from "./orders.resolver.js";

/** The orders module's face: what other modules may use. */
export { Order, OrderStatus, toOrder } from "./orders.type.js";
export { ordersByIds, shopSalesFen } from "./orders.queries.js";

/** Analytics' face: sales aggregates for analysts and admins. */
export { AnalyticsResolver } from "./analytics.resolver.js";
export { SalesDimension } from "./analytics.type.js";

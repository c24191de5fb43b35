/** The alliance's face: distribution rights, commission plans, promoters, shelves and samples (R1–R7). */
export { AllianceService } from "./alliance.service.js";
export { allianceLoaders } from "./alliance.loaders.js";
export {
  allianceNodes,
  CommissionPlanResolver,
  DistributionResolver,
  PromoterResolver,
  SampleRequestResolver,
  ShelfItemResolver,
  ShopAllianceResolver,
} from "./alliance.resolver.js";
/** Reads other modules make inside their own transactions (an order's commission, a pin's shelf check). */
export { eligibilityFacts, isOnShelf, promoterShopId, resolveCommissionRates } from "./alliance.queries.js";
export { evaluateEligibility, nextChinaMidnight } from "./alliance.rules.js";

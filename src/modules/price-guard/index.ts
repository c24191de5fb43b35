/**
 * The price guard's face (R12–R15). Its checks implement the ports the flash-sale, live, order and catalog services
 * declare (they are given `PriceGuardService.checks` at construction); it reaches live rooms through LiveRooms.
 */
export { PriceGuardService } from "./price-guard.service.js";
export type { LiveRooms } from "./price-guard.ports.js";
export { priceGuardLoaders } from "./price-guard.loaders.js";
export {
  AgreedPriceResolver,
  PriceGuardAlertResolver,
  PriceGuardResolver,
  PriceGuardRestrictionResolver,
  PriceGuardViolationResolver,
  priceGuardNodes,
  ProductAgreedPriceResolver,
  ShopRestrictionsResolver,
} from "./price-guard.resolver.js";
export { PriceGuardAlert } from "./price-guard.type.js";

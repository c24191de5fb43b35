/** The catalog module's face: what other modules may use. */
export { lockShop, productById, setCreditScore, shopById, shopIdsOwnedBy } from "./catalog.queries.js";
export type { CatalogService } from "./catalog.service.js";

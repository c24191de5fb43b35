/** The catalog module's face: what other modules may use. */
export { lockShop, productById, setCreditScore, shopById, shopIdsOwnedBy } from "./catalog.queries.js";
export { IndustryBelt, Product, Shop, toProduct, toShop } from "./catalog.type.js";
export { OrderDirection } from "./catalog.inputs.js";
export { CatalogService, type ProductGuard } from "./catalog.service.js";
export { MAX_PRICE_FEN, ProductErrorCode, type ProductUserError } from "./catalog.rules.js";
export { catalogLoaders } from "./catalog.loaders.js";
export { catalogNodes, ProductResolver, ShopResolver } from "./catalog.resolver.js";

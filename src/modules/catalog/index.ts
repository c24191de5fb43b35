/**
 * The catalog's face: shops and products, and the stock, which is the catalog's. Stock writes take the caller's
 * transaction (a flash sale's allocation, a cart order), so stock and what it was taken for commit together.
 * Plain files come before the service and the resolvers: a module importing this face while the service is still
 * loading (an import circle through context.ts, until services stop importing it) then already sees them.
 */
export { IndustryBelt, Product, Shop, ShopKind, ShopStatus, toProduct, toShop } from "./catalog.type.js";
export { OrderDirection } from "./catalog.inputs.js";
export { MAX_PRICE_FEN, ProductErrorCode, shopCanSell, type ProductUserError } from "./catalog.rules.js";
export { lockShop, productById, returnStock, setCreditScore, shopById, shopIdsOwnedBy, takeStock } from "./catalog.queries.js";
export { catalogLoaders } from "./catalog.loaders.js";
export { CatalogService, type ProductGuard, type ProductPayloadValue } from "./catalog.service.js";
export { catalogNodes, ProductResolver, ShopResolver } from "./catalog.resolver.js";

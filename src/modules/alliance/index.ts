/** The alliance's face (minimal until its split lands): what live and orders read of shelves, commissions and promoters. */
export { isOnShelf, promoterShopId, resolveCommissionRates } from "./alliance.queries.js";

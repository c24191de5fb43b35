/** The catalog module's face: what other modules may use. */
export { productById, shopById, shopIdsOwnedBy } from "./catalog.queries.js";

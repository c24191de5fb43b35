/** The catalog module's face: what other modules may use. */
export { shopIdsOwnedBy } from "./catalog.queries.js";

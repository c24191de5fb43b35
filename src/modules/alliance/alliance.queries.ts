/**
 * The alliance's statements (drizzle only), one file per sub-domain like its services: commission resolution (R5),
 * distribution eligibility (R1–R3), commission plans (R4), the selection center (R6), promoters, shelves and samples
 * (R6, R7). Services import them together as `q`.
 */
export * from "./commissions.queries.js";
export * from "./distribution.queries.js";
export * from "./plans.queries.js";
export * from "./selection.queries.js";
export * from "./shelves.queries.js";

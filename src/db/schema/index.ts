export * from "./accounts.js";
export * from "./catalog.js";
export * from "./orders.js";
export * from "./live.js";
export * from "./offers.js";
export * from "./alliance.js";
export * from "./price-guard.js";

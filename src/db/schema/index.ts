export * from "./accounts.js";
export * from "./catalog.js";
export * from "./orders.js";
export * from "./alliance.js";

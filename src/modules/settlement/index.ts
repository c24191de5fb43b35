/** Settlement's face: R16 runs, the split, payouts (freeze, release, statements) and reconciliation. */
export { SettlementService, postRefund, type FulfilmentPort, type PayoutParty, type RunResult } from "./settlement.service.js";
export { settlementLoaders } from "./settlement.loaders.js";
export { OrderSettlementResolver, SettlementResolver, settlementNodes } from "./settlement.resolver.js";
export { split, reversal, PROMOTION_FEE_BPS, SETTLE_AFTER_DAYS, type SettlementTerms, type Split, type SplitInput } from "./settlement.rules.js";

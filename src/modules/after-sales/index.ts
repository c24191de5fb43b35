/** After-sales' face (R17): cases from opening to their close within 15 days, their history and afterSalesCaseUpdates. */
export { AfterSalesService, type CaseConsequences, type CaseRefunds, type ClosedCase } from "./after-sales.service.js";
export { afterSalesLoaders } from "./after-sales.loaders.js";
export { afterSalesNodes, AfterSalesResolver, AfterSalesUpdatesResolver } from "./after-sales.resolver.js";
export type { CaseOutcome, CaseReason, CaseTerms } from "./after-sales.rules.js";

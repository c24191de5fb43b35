/** Governance's face: ratings and quality violations (R1), shop credit, deposits and 先行赔付 (R17). */
export { GovernanceService } from "./governance.service.js";
export { GovernanceResolver } from "./governance.resolver.js";
export { CreditService, type CartSwitch, type Compensator, type PayoutHold } from "./credit.service.js";
export { ShopCreditResolver } from "./credit.resolver.js";
export { DepositService } from "./deposit.service.js";
export type { CreditTerms } from "./credit.rules.js";
export type { DepositTerms } from "./deposit.rules.js";

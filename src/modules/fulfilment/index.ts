/** Fulfilment's face: the order lifecycle after acceptance (ship, receipt, refunds), its history and orderUpdates. */
export { FulfilmentService, type OrderChange, type RefundLedger, type Refunder, type TransitionResult } from "./fulfilment.service.js";
export { fulfilmentLoaders } from "./fulfilment.loaders.js";
export { OrderFulfilmentResolver, OrderUpdatesResolver } from "./fulfilment.resolver.js";
export { autoReceiptAt, OrderTransitionErrorCode } from "./fulfilment.rules.js";
export { refundedFen } from "./fulfilment.queries.js";

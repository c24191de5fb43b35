/**
 * The flash-sales module's face: sales in live rooms, their admission gate and stock countdown. The sale's ledger
 * (its row, per-buyer purchases, sold units) is written in the order batch's transaction, so those query functions
 * take the caller's transaction.
 */
export { FlashSale, FlashSaleStatus, toFlashSale } from "./flash-sale.type.js";
export { FlashSaleErrorCode, type FlashSaleUserError } from "./flash-sale.rules.js";
export { addPurchases, addSold, flashSaleById, openSalesOfProduct, purchasesOf } from "./flash-sale.queries.js";
export { GATE_SCRIPTS, InProcessGate, RedisGate, type AdmissionGate, type AdmitResult } from "./flash-sale.gate.js";
export { flashSaleLoaders } from "./flash-sale.loaders.js";
export { FlashSaleService, type FlashSaleGuard, type InventoryState } from "./flash-sale.service.js";
export { flashSaleNodes, FlashSaleResolver, FlashSaleStockResolver, LiveSessionFlashSalesResolver } from "./flash-sale.resolver.js";

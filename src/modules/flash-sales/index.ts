/** The flash-sales module's face (minimal until the module faces land): what other modules use of it. */
export { FlashSaleService, type FlashSaleGuard } from "./flash-sale.service.js";
export { FlashSaleErrorCode, type FlashSaleUserError } from "./flash-sale.rules.js";
export { FlashSale } from "./flash-sale.type.js";

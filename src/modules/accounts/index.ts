/** Accounts' face (minimal until the module faces land): what other modules use of accounts. */
export { AccountErrorCode, AccountsService, assertActiveAccount } from "./accounts.service.js";

/** The ledger's face: balanced postings, balances as sums, statements. */
export type { LedgerAccountKind, LedgerLine, LedgerPostingKind, Posting } from "./ledger.types.js";
export { PLATFORM, balancedLines } from "./ledger.rules.js";
export { accountIds, balances, entriesOf, post, unbalancedPostings } from "./ledger.queries.js";

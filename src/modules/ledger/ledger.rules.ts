import type { LedgerAccountKind, LedgerLine } from "./ledger.types.js";

/** Platform accounts have owner 0; a shop's accounts are owned by the shop, a promoter's by the user. */
export const PLATFORM = 0;

export function isPlatformAccount(kind: LedgerAccountKind): boolean {
  return ["ESCROW", "PLATFORM_PROMOTION_FEE", "PLATFORM_TECHNICAL_FEE", "BUYER_REFUNDS", "DEPOSIT_FUNDS", "PLATFORM_GUARANTEE", "BUYER_COMPENSATIONS"].includes(kind);
}

/** A posting's lines sum to zero; lines of one account are merged and zero lines dropped. */
export function balancedLines(lines: LedgerLine[]): LedgerLine[] {
  const merged = new Map<string, LedgerLine>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amountFen)) throw new RangeError(`ledger amount is not whole fen: ${line.amountFen}`);
    const key = `${line.kind}:${line.ownerId}`;
    const found = merged.get(key);
    if (found) found.amountFen += line.amountFen;
    else merged.set(key, { ...line });
  }
  const kept = [...merged.values()].filter((l) => l.amountFen !== 0);
  const sum = kept.reduce((s, l) => s + l.amountFen, 0);
  if (sum !== 0) throw new Error(`unbalanced ledger posting: entries sum to ${sum}`);
  return kept;
}

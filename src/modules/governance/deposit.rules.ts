/** One step of the deposit table (梯度保证金): a shop whose sales over the period reach `salesFen` keeps `depositFen`. */
export interface DepositTier {
  salesFen: number;
  depositFen: number;
}

export interface DepositTerms {
  /** Sales are summed over this many days before now. */
  periodDays: number;
  /** Ascending by salesFen; the first tier starts at 0. */
  tiers: DepositTier[];
}

/** The tier of a sales volume: the last whose threshold it reaches (a threshold itself belongs to its tier). */
export function tierOf(salesFen: number, tiers: DepositTier[]): DepositTier {
  let found = tiers[0]!;
  for (const tier of tiers) if (salesFen >= tier.salesFen) found = tier;
  return found;
}

/**
 * What the shop must pay in to be in order: what it owes (an uncovered 先行赔付, settled first by a top-up) plus
 * what its deposit lacks of the required amount.
 */
export function shortfall(requiredFen: number, depositFen: number, owedFen: number): number {
  return Math.max(0, owedFen) + Math.max(0, requiredFen - depositFen);
}

/** A top-up first settles what the shop owes, the rest goes to the deposit. */
export function splitTopUp(amountFen: number, owedFen: number): { toReceivable: number; toDeposit: number } {
  const toReceivable = Math.min(amountFen, Math.max(0, owedFen));
  return { toReceivable, toDeposit: amountFen - toReceivable };
}

/** 先行赔付's recovery: from the deposit as far as it goes; the rest is owed by the shop (a receivable). */
export function recovery(amountFen: number, depositFen: number): { fromDeposit: number; receivable: number } {
  const fromDeposit = Math.min(amountFen, Math.max(0, depositFen));
  return { fromDeposit, receivable: amountFen - fromDeposit };
}

import { Field, ObjectType, registerEnumType } from "type-graphql";
import { badInput } from "./errors.js";

/**
 * The one place that turns fen into decimal strings and back, and rounds. Amounts are integer fen held in
 * JS numbers (exact up to 2^53 fen); multiplication by rates goes through BigInt so nothing is ever a float.
 */
export enum CurrencyCode {
  CNY = "CNY",
}
registerEnumType(CurrencyCode, { name: "CurrencyCode", description: "ISO 4217 currency code." });

@ObjectType({ description: "An amount of money. `amount` is a decimal string in yuan with two decimals, e.g. \"12.34\"." })
export class Money {
  @Field(() => String, { description: "Decimal amount in the currency's main unit (yuan), exactly two decimals." })
  amount!: string;

  @Field(() => CurrencyCode, { description: "Currency of the amount." })
  currencyCode!: CurrencyCode;
}

export const MAX_FEN = Number.MAX_SAFE_INTEGER;

export function money(fen: number): Money {
  return { amount: formatFen(fen), currencyCode: CurrencyCode.CNY };
}

export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`);
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

const DECIMAL = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** "12.3" → 1230. Returns null for anything that is not a non-negative decimal with at most two decimals. */
export function parseAmount(text: string): number | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** An optional amount argument of a filter ("99.50"): undefined when absent, BAD_USER_INPUT when not an amount. */
export function amountFilter(text: string | null | undefined, field: string): number | undefined {
  if (text == null) return undefined;
  const fen = parseAmount(text);
  if (fen === null) throw badInput(`${field} must be a decimal amount, e.g. "99.50".`, `filter.${field}`);
  return fen;
}

/** fen × basisPoints / 10000, rounded half-even to the fen. */
export function applyRate(fen: number, basisPoints: number): number {
  const product = BigInt(fen) * BigInt(basisPoints);
  return Number(divideHalfEven(product, 10_000n));
}

export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let q = n / d;
  const r = n % d;
  if (r * 2n > d || (r * 2n === d && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

import type { ValidatorFn } from "type-graphql";
import { badInput } from "./errors.js";

/**
 * The one text validator of the API. Every string that reaches a resolver through its arguments passes here:
 * - anywhere: NUL and unpaired UTF-16 surrogates are refused (Postgres cannot store the one, the other is not
 *   text), and so is anything over MAX_ANY_STRING code points;
 * - a field declared with @TextField: trimmed; refused when blank or made only of invisible characters (zero-width,
 *   format, control and separator characters); control characters refused except tab and line breaks in multi-line
 *   fields; at most `max` user-perceived characters (grapheme clusters, Intl.Segmenter) and at most
 *   `max × CODE_POINTS_PER_CHARACTER` code points, which is also the column's CHECK limit in Postgres.
 * Refusals are BAD_USER_INPUT with `extensions.field` (the path of the field) and nothing is changed.
 */
export interface TextRule {
  /** Most user-perceived characters. */
  max: number;
  /** Tab and line breaks allowed (descriptions, notes). */
  multiline?: boolean;
  /** An empty string (after trimming) is kept as "" (e.g. clearing a description) instead of being refused. */
  allowEmpty?: boolean;
}

/** A grapheme cluster may hold several code points (ZWJ emoji, combining marks); this many per character are allowed. */
export const CODE_POINTS_PER_CHARACTER = 4;
/** Any string argument at all (ids, cursors, amounts, keys) is at most this many code points. */
export const MAX_ANY_STRING = 10_000;

/** The documented maximum of every free-text field, in user-perceived characters (README: "Text"). */
export const TEXT_LIMITS = {
  productTitle: { max: 120 },
  productDescription: { max: 5_000, multiline: true, allowEmpty: true },
  category: { max: 100 },
  categoryFilter: { max: 100, allowEmpty: true },
  bondedWarehouse: { max: 200, allowEmpty: true },
  liveSessionTitle: { max: 100 },
  reviewNote: { max: 2_000, multiline: true, allowEmpty: true },
  inspectionReport: { max: 5_000, multiline: true },
  accountName: { max: 64 },
  sampleNote: { max: 500, multiline: true, allowEmpty: true },
  trackingNo: { max: 64, allowEmpty: true },
  gift: { max: 100 },
  liftReason: { max: 500, multiline: true },
  shopName: { max: 60 },
  shopReviewNote: { max: 2_000, multiline: true, allowEmpty: true },
  violationReason: { max: 2_000, multiline: true },
  evidence: { max: 2_000 },
  /** An admin's or a merchant's logged reason (cart switched off, refund, payouts frozen). */
  adminReason: { max: 500, multiline: true },
  shipmentText: { max: 64 },
  /** After-sales: the buyer's account of the problem, and a merchant's or an admin's answer. */
  caseDescription: { max: 2_000, multiline: true },
  caseNote: { max: 1_000, multiline: true },
  /** After-sales evidence: a reference to an uploaded image (URL or storage key). */
  imageRef: { max: 500 },
} satisfies Record<string, TextRule>;

/** The Postgres column limit (code points) of a field with this rule. */
export const columnLimit = (rule: TextRule) => rule.max * CODE_POINTS_PER_CHARACTER;

const rules = new Map<object, Map<string, TextRule>>();

/** Declares a string (or string-list) input field as free text with its rule. */
export function TextField(rule: TextRule): PropertyDecorator {
  return (prototype, key) => {
    const own = rules.get(prototype.constructor) ?? new Map<string, TextRule>();
    own.set(String(key), rule);
    rules.set(prototype.constructor, own);
  };
}

/** The declared free-text fields, by input class (for tests that cover every one). */
export const textFieldRules = (): ReadonlyMap<object, ReadonlyMap<string, TextRule>> => rules;

function rulesOf(value: object): Map<string, TextRule> | undefined {
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const found = rules.get(proto.constructor);
    if (found) return found;
  }
  return undefined;
}

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Characters that show nothing: controls, format characters (zero-width space, joiners, BOM, bidi marks), separators, fillers. */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Z}\u115F\u1160\u3164\uFFA0\u034F\u17B4\u17B5\u180B-\u180F\uFE00-\uFE0F]*$/u;
const CONTROL_SINGLE_LINE = /\p{Cc}/u;
// eslint-disable-next-line no-control-regex
const CONTROL_MULTILINE = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** User-perceived characters (grapheme clusters). */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

function codePointCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The checks every string gets, declared or not. */
export function checkAnyString(value: string, field: string): void {
  if (NUL.test(value)) throw badInput(`${field} may not contain the NUL character.`, field);
  if (LONE_SURROGATE.test(value)) throw badInput(`${field} is not valid Unicode text (an unpaired surrogate).`, field);
  if (value.length > MAX_ANY_STRING && codePointCount(value) > MAX_ANY_STRING) throw badInput(`${field} is longer than ${MAX_ANY_STRING} characters.`, field);
}

/** A declared free-text field: returns the trimmed text, or throws BAD_USER_INPUT. */
export function checkText(value: string, rule: TextRule, field: string): string {
  checkAnyString(value, field);
  const text = value.trim();
  if (text === "" && rule.allowEmpty) return text;
  if (INVISIBLE.test(text)) throw badInput(`${field} may not be blank or made only of invisible characters.`, field);
  if ((rule.multiline ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE).test(text)) throw badInput(`${field} may not contain control characters.`, field);
  // Cheap bounds first: a string within max UTF-16 units is within max characters.
  if (text.length > rule.max && characterCount(text) > rule.max) throw badInput(`${field} is longer than ${rule.max} characters.`, field);
  if (text.length > columnLimit(rule) && codePointCount(text) > columnLimit(rule)) {
    throw badInput(`${field} holds too many combining characters (at most ${columnLimit(rule)} code points).`, field);
  }
  return text;
}

/** Walks one argument value: strings anywhere are checked, declared text fields are normalised in place. */
function walk(value: unknown, field: string, rule: TextRule | undefined): unknown {
  if (typeof value === "string") return rule ? checkText(value, rule, field) : (checkAnyString(value, field), value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = walk(value[i], `${field}.${i}`, rule);
    return value;
  }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const declared = rulesOf(value);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const path = field ? `${field}.${key}` : key;
      record[key] = walk(record[key], path, declared?.get(key));
    }
  }
  return value;
}

/** type-graphql's global argument validator (buildSchema `validateFn`). */
export const validateText: ValidatorFn = (argValue, _argType, { args }) => {
  // type-graphql hands over a converted copy of the argument: its name is found by value for a string, and for an
  // object as the one object-valued argument (mutations take a single `input`), else left out of the path.
  const objects = Object.keys(args).filter((key) => args[key] !== null && typeof args[key] === "object");
  const name =
    typeof argValue === "string" ? (Object.keys(args).find((key) => args[key] === argValue) ?? "") : objects.length === 1 ? objects[0]! : "";
  walk(argValue, name, undefined);
};

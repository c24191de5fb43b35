import { badInput } from "./errors.js";

/** Global IDs are opaque to clients: base64url("Type:rowId"). */
export type NodeType =
  | "User"
  | "Shop"
  | "Product"
  | "LiveSession"
  | "FlashSale"
  | "Order"
  | "Promoter"
  | "DistributionApplication"
  | "CommissionPlan"
  | "SampleRequest"
  | "AgreedPrice"
  | "PriceGuardViolation"
  | "AfterSalesCase"
  | "PriceGuardRestriction"
  | "Settlement"
  | "ShopRating"
  | "QualityViolation";

export function toGlobalId(type: NodeType, id: number): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64url");
}

export function parseGlobalId(globalId: string): { type: string; id: number } | null {
  if (globalId.length > 64) return null;
  const decoded = Buffer.from(globalId, "base64url").toString("utf8");
  const match = /^([A-Za-z]+):(\d{1,15})$/.exec(decoded);
  if (!match) return null;
  return { type: match[1]!, id: Number(match[2]) };
}

/** Decodes an ID argument that must name a `type`; a wrong or malformed id is BAD_USER_INPUT. */
export function idOf(type: NodeType, globalId: string, field = "id"): number {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== type) throw badInput(`${field} is not a valid ${type} ID.`, field);
  return parsed.id;
}

import { registerEnumType } from "type-graphql";
import { formatFen } from "../../shared/money.js";
import type { RestrictionRow } from "../../db/schema/index.js";
import type { UserErrorValue } from "../../shared/user-errors.js";
import { MAX_ORDER_QUANTITY, pointsCapFen, priceOrder } from "../orders/index.js";
import { DAY_MS } from "../../shared/clock.js";

export enum PriceGuardErrorCode {
  INVALID_PRICE = "INVALID_PRICE",
  INVALID_UNITS = "INVALID_UNITS",
  INVALID_GIFTS = "INVALID_GIFTS",
  INVALID_REASON = "INVALID_REASON",
  NOT_ACTIVE = "NOT_ACTIVE",
}
registerEnumType(PriceGuardErrorCode, { name: "PriceGuardErrorCode", description: "Why a price-guard change was refused." });

export type PriceGuardUserError = UserErrorValue<PriceGuardErrorCode>;

export type AlertLevel = "WARNING" | "BLOCKED" | "VIOLATION";
export type Party = "MERCHANT" | "PROMOTER";
export type Penalty = "RESTRICTED_15_DAYS" | "RESTRICTED_30_DAYS" | "SUSPENDED";

export const MAX_UNITS_PER_ORDER = 100;
export const MAX_GIFTS = 20;

/** One way a buyer can buy the product: a base price (list or flash), the room's subsidy, and how many units an order may hold. */
export interface Channel {
  basePriceFen: number;
  subsidyPerUnitFen: number;
  maxQuantity: number;
}

export interface CouponOffer {
  issuer: "SHOP" | "PROMOTER";
  amountFen: number;
  minSpendFen: number;
}

export interface Reach {
  handPriceFen: number;
  quantity: number;
  channel: Channel;
  shopCouponFen: number;
  promoterCouponFen: number;
  pointsFen: number;
}

/** Coupons of one issuer by minimum spend, each step carrying the best amount reachable from there. */
function couponSteps(coupons: CouponOffer[], issuer: CouponOffer["issuer"]) {
  const sorted = coupons.filter((c) => c.issuer === issuer).sort((a, b) => a.minSpendFen - b.minSpendFen);
  let best = 0;
  return sorted.map((c) => ({ minSpendFen: c.minSpendFen, bestFen: (best = Math.max(best, c.amountFen)) }));
}

/**
 * R13: the lowest per-unit hand price a buyer can reach. Stacks what may stack: the best coupon of each issuer
 * (shop and promoter coupons stack on the platform, so both count even where one order takes one code), points
 * up to their cap, and the room's subsidy. Orders hold whole filed specs (multiples of unitsPerOrder); every such
 * quantity is tried, because a coupon's minimum spend and the per-order rounding make the cheapest one vary.
 */
export function lowestReach(channels: Channel[], coupons: CouponOffer[], unitsPerOrder: number): Reach | null {
  const steps = { SHOP: couponSteps(coupons, "SHOP"), PROMOTER: couponSteps(coupons, "PROMOTER") };
  let lowest: Reach | null = null;
  for (const channel of channels) {
    const maxQuantity = Math.min(channel.maxQuantity, MAX_ORDER_QUANTITY);
    let shopAt = -1;
    let promoterAt = -1;
    for (let quantity = unitsPerOrder; quantity <= maxQuantity; quantity += unitsPerOrder) {
      const subtotalFen = channel.basePriceFen * quantity;
      while (shopAt + 1 < steps.SHOP.length && steps.SHOP[shopAt + 1]!.minSpendFen <= subtotalFen) shopAt++;
      while (promoterAt + 1 < steps.PROMOTER.length && steps.PROMOTER[promoterAt + 1]!.minSpendFen <= subtotalFen) promoterAt++;
      const shopCouponFen = shopAt >= 0 ? steps.SHOP[shopAt]!.bestFen : 0;
      const promoterCouponFen = promoterAt >= 0 ? steps.PROMOTER[promoterAt]!.bestFen : 0;
      const pointsFen = pointsCapFen(subtotalFen);
      const { handPriceFen } = priceOrder({
        unitPriceFen: channel.basePriceFen,
        quantity,
        subsidyPerUnitFen: channel.subsidyPerUnitFen,
        shopCouponFen,
        promoterCouponFen,
        pointsFen,
      });
      if (!lowest || handPriceFen < lowest.handPriceFen) {
        lowest = { handPriceFen, quantity, channel, shopCouponFen, promoterCouponFen, pointsFen };
      }
    }
  }
  return lowest;
}

/** Below the floor: BLOCKED; at most `marginBps` above it: WARNING; otherwise no alert. */
export function alertLevel(handPriceFen: number, floorFen: number, marginBps: number): "WARNING" | "BLOCKED" | null {
  if (handPriceFen < floorFen) return "BLOCKED";
  if (BigInt(handPriceFen) * 10_000n <= BigInt(floorFen) * BigInt(10_000 + marginBps)) return "WARNING";
  return null;
}

export function describeReach(reach: Reach): string {
  const parts = [`${formatFen(reach.channel.basePriceFen)} × ${reach.quantity}`];
  if (reach.channel.subsidyPerUnitFen > 0) parts.push(`subsidy ${formatFen(reach.channel.subsidyPerUnitFen)} × ${reach.quantity}`);
  if (reach.shopCouponFen > 0) parts.push(`shop coupon ${formatFen(reach.shopCouponFen)}`);
  if (reach.promoterCouponFen > 0) parts.push(`promoter coupon ${formatFen(reach.promoterCouponFen)}`);
  if (reach.pointsFen > 0) parts.push(`points ${formatFen(reach.pointsFen)}`);
  return parts.join(" − ");
}

/**
 * Interpretation of "a spec other than the filed one" (R14, seed 000: 规格、数量…与报备不符): the filing names the
 * units one order holds at the agreed price (1: single units; 2: a twin set). An order must hold whole filed
 * specs, so its quantity is a multiple of unitsPerOrder; anything else sells a split or re-bundled spec.
 */
export function specMatches(quantity: number, unitsPerOrder: number): boolean {
  return quantity > 0 && quantity % unitsPerOrder === 0;
}

export interface SoldPrice {
  unitPriceFen: number;
  quantity: number;
  subsidyPerUnitFen: number;
  shopCouponFen: number;
  promoterCouponFen: number;
  pointsFen: number;
  /** The base price is a flash price, set by the promoter who runs the flash sale. */
  flashSale: boolean;
  hasPromoter: boolean;
}

/**
 * R14: which party set the offending price part. The parts are laid on in order: the base price (list price:
 * the merchant; flash price: the promoter) with the buyer's points, which every offer must leave room for; then
 * the shop's coupon; then the promoter's subsidy and coupon. The party whose part first takes the hand price
 * below the floor is the violator: the brand's own price structure comes first, a promoter's extras on top of
 * it (seed 000: 主播以自己补贴…恶意乱价) are the promoter's doing. A spec mismatch belongs to the base price's setter.
 */
export function offendingParty(sold: SoldPrice, floorFen: number, kind: "BELOW_FLOOR" | "SPEC_MISMATCH"): Party {
  const baseSetter: Party = sold.flashSale && sold.hasPromoter ? "PROMOTER" : "MERCHANT";
  if (kind === "SPEC_MISMATCH") return baseSetter;
  const at = (parts: Partial<SoldPrice>) =>
    priceOrder({
      unitPriceFen: sold.unitPriceFen,
      quantity: sold.quantity,
      subsidyPerUnitFen: 0,
      shopCouponFen: 0,
      promoterCouponFen: 0,
      pointsFen: sold.pointsFen,
      ...parts,
    }).handPriceFen;
  if (at({}) < floorFen) return baseSetter;
  if (at({ shopCouponFen: sold.shopCouponFen }) < floorFen || !sold.hasPromoter) return "MERCHANT";
  return "PROMOTER";
}

/**
 * R14: the hand price the shop's and the promoter's own price parts make, without the buyer's points: points are the
 * buyer's choice and never make a sale anyone's violation.
 */
export function sellerHandPriceFen(sold: Omit<SoldPrice, "flashSale" | "hasPromoter" | "pointsFen">): number {
  return priceOrder({ ...sold, pointsFen: 0 }).handPriceFen;
}

/** The ladder (seed 000): first violation 15 days, second 30 days, then cooperation suspended until an admin lifts it. */
export function penaltyFor(step: number, at: Date): { penalty: Penalty; endsAt: Date | null } {
  if (step <= 1) return { penalty: "RESTRICTED_15_DAYS", endsAt: new Date(at.getTime() + 15 * DAY_MS) };
  if (step === 2) return { penalty: "RESTRICTED_30_DAYS", endsAt: new Date(at.getTime() + 30 * DAY_MS) };
  return { penalty: "SUSPENDED", endsAt: null };
}

export function restrictionActive(r: { startsAt: Date; endsAt: Date | null; liftedAt: Date | null }, now: Date): boolean {
  return r.liftedAt === null && r.startsAt.getTime() <= now.getTime() && (r.endsAt === null || now.getTime() < r.endsAt.getTime());
}

/** The refusal an offer or order meets while a restriction is in force (R14/R15). */
export function restrictedMessage(r: Pick<RestrictionRow, "penalty" | "endsAt">): string {
  const until = r.endsAt ? `until ${r.endsAt.toISOString()}` : "until an admin lifts the suspension";
  return `Cross-border sales are restricted by a price-guard penalty (${r.penalty}) ${until}.`;
}

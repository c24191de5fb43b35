import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { SettlementRow } from "../../db/schema/index.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Node } from "../../shared/node.type.js";
import type { PayoutParty as Party } from "./settlement.service.js";

export enum PayoutParty {
  SHOP = "SHOP",
  PROMOTER = "PROMOTER",
  PLATFORM = "PLATFORM",
}
registerEnumType(PayoutParty, { name: "PayoutParty", description: "Whose money a payout statement shows." });

@ObjectType("Settlement", { implements: Node, description: "How one order's money was split when it settled (R16), to the fen." })
export class Settlement extends Node {
  readonly __typename = "Settlement";
  orderRowId!: number;
  shopRowId!: number;
  promoterRowId!: number | null;

  @Field(() => Money, { description: "What was split: what the buyer paid less refunds made before settlement." })
  base!: Money;

  @Field(() => Int, { description: "The commission rate frozen on the order (basis points); 0 without a promoter." })
  commissionRateBps!: number;

  @Field(() => Money, { description: "The promoter's commission: base × rate, half-even." })
  commission!: Money;

  @Field(() => Money, { description: "The platform's promotion service fee: 10% of the commission, out of the promoter's share." })
  promotionFee!: Money;

  @Field(() => Money, { description: "What the promoter receives: commission less promotion fee." })
  promoterShare!: Money;

  @Field(() => Int, { description: "The category's technical service fee rate (basis points)." })
  technicalRateBps!: number;

  @Field(() => Money, { description: "The part of the base charged at the 凡星 rate (seed 001); the rest pays the category's rate." })
  fanxingBase!: Money;

  @Field(() => Int, { description: "The 凡星 rate applied to fanxingBase (basis points); 0 when none." })
  fanxingRateBps!: number;

  @Field(() => Money, { description: "The platform's technical service fee." })
  technicalFee!: Money;

  @Field(() => Money, { description: "What the merchant receives: the rest." })
  merchantShare!: Money;

  @Field(() => Boolean, { description: "The shop's payouts were frozen: its share went to the held account." })
  held!: boolean;

  @Field(() => Date, { description: "When the buyer received the order." })
  receivedAt!: Date;

  @Field(() => Date, { description: "When it settled." })
  settledAt!: Date;
}

export function toSettlement(row: SettlementRow): Settlement {
  return Object.assign(new Settlement(), {
    id: toGlobalId("Settlement", row.orderId),
    orderRowId: row.orderId,
    shopRowId: row.shopId,
    promoterRowId: row.promoterId,
    base: money(row.baseFen),
    commissionRateBps: row.commissionRateBps,
    commission: money(row.commissionFen),
    promotionFee: money(row.promotionFeeFen),
    promoterShare: money(row.promoterFen),
    technicalRateBps: row.technicalRateBps,
    fanxingBase: money(row.fanxingBaseFen),
    fanxingRateBps: row.fanxingRateBps,
    technicalFee: money(row.technicalFeeFen),
    merchantShare: money(row.merchantFen),
    held: row.held,
    receivedAt: row.receivedAt,
    settledAt: row.settledAt,
  });
}

@ObjectType("SettlementEdge", { description: "An edge of a settlement connection." })
export class SettlementEdge {
  @Field(() => String, { description: "Cursor." })
  cursor!: string;

  @Field(() => Settlement, { description: "The settlement." })
  node!: Settlement;
}

@ObjectType("SettlementConnection", { description: "Settlements, newest order first." })
export class SettlementConnection {
  @Field(() => [SettlementEdge], { description: "Edges." })
  edges!: SettlementEdge[];

  @Field(() => Boolean, { description: "Whether more follow." })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge; pass it as `after`." })
  endCursor!: string | null;
}

@ObjectType("SettlementRun", { description: "One settlement run." })
export class SettlementRun {
  @Field(() => ID, { nullable: true, description: "Run id; null when another run held the lock (scheduled runs only)." })
  id!: string | null;

  @Field(() => Date, { description: "Orders received at least 7 days before this moment were settled." })
  asOf!: Date;

  @Field(() => Int, { description: "Orders settled by this run." })
  ordersSettled!: number;

  @Field(() => Money, { description: "Total split by this run." })
  amount!: Money;

  @Field(() => Int, { description: "Shipped orders the run first marked received (auto-receipt due by asOf)." })
  autoReceived!: number;
}

@ObjectType("PayoutLine", { description: "One ledger entry of a payout statement." })
export class PayoutLine {
  @Field(() => String, { description: "SETTLEMENT, REFUND_REVERSAL, HOLD_RELEASE, ..." })
  kind!: string;

  @Field(() => String, { description: "The account: MERCHANT, PROMOTER, PLATFORM_PROMOTION_FEE, PLATFORM_TECHNICAL_FEE." })
  account!: string;

  @Field(() => Money, { description: "Signed amount: positive is owed to the party." })
  amount!: Money;

  @Field(() => ID, { nullable: true, description: "The order it concerns." })
  orderId!: string | null;

  @Field(() => Date, { description: "When." })
  at!: Date;
}

@ObjectType("PayoutStatement", { description: "A party's payable balance over a period: opening, entries, closing, and what is held." })
export class PayoutStatement {
  @Field(() => PayoutParty, { description: "Whose." })
  party!: Party;

  @Field(() => ID, { nullable: true, description: "The shop or promoter; null for the platform." })
  ownerId!: string | null;

  @Field(() => Date, { description: "Start (inclusive)." })
  from!: Date;

  @Field(() => Date, { description: "End (exclusive)." })
  to!: Date;

  @Field(() => Money, { description: "Payable balance at `from`." })
  opening!: Money;

  @Field(() => Money, { description: "Payable balance at `to`: opening plus the period's entries." })
  closing!: Money;

  @Field(() => Money, { description: "Shops: settled money held (payouts frozen) at `to`; paid out only after release." })
  held!: Money;

  @Field(() => Boolean, { description: "Shops: payouts are frozen now." })
  frozen!: boolean;

  @Field(() => [PayoutLine], { description: "The period's entries, oldest first (at most 200)." })
  lines!: PayoutLine[];

  @Field(() => Boolean, { description: "More than 200 entries: narrow the period to see them all." })
  truncated!: boolean;
}

@ObjectType("Reconciliation", {
  description: "Orders placed in a period: payments = merchant + promoter + platform + pending + refunded, to the fen (difference 0).",
})
export class Reconciliation {
  @Field(() => Date, { description: "Orders placed from (inclusive)." })
  from!: Date;

  @Field(() => Date, { description: "Orders placed until (exclusive)." })
  to!: Date;

  @Field(() => Int, { description: "Orders placed." })
  orders!: number;

  @Field(() => Money, { description: "What buyers paid." })
  payments!: Money;

  @Field(() => Money, { description: "Merchants' shares in the ledger (payable and held), less reversals." })
  merchant!: Money;

  @Field(() => Money, { description: "Promoters' shares in the ledger, less reversals." })
  promoter!: Money;

  @Field(() => Money, { description: "Platform fees in the ledger, less reversals." })
  platform!: Money;

  @Field(() => Money, { description: "Paid, not yet settled, not refunded." })
  pending!: Money;

  @Field(() => Money, { description: "Refunded to buyers (refund records)." })
  refunded!: Money;

  @Field(() => Money, { description: "Refunded to buyers according to the ledger (must equal refunded)." })
  refundedInLedger!: Money;

  @Field(() => Money, { description: "payments − (merchant + promoter + platform + pending + refunded): 0.00 when everything adds up." })
  difference!: Money;

  @Field(() => Int, { description: "Postings of these orders whose entries do not sum to zero (must be 0)." })
  unbalancedPostings!: number;
}

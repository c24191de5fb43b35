import { ArgsType, Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { Money } from "../../shared/money.js";
import { PageInfo } from "../../shared/pagination.js";

export enum SalesDimension {
  LIVE_SESSION = "LIVE_SESSION",
  PROMOTER = "PROMOTER",
  SHOP = "SHOP",
  INDUSTRY_BELT = "INDUSTRY_BELT",
  DAY = "DAY",
}
registerEnumType(SalesDimension, {
  name: "SalesDimension",
  description: "What sales are grouped by: live session, promoter (direct sales: key \"none\"), shop, the shop's industry belt, or the China-time day.",
});

@ArgsType()
export class SalesAggregatesArgs {
  @Field(() => SalesDimension, { description: "Group by this." })
  groupBy!: SalesDimension;

  @Field(() => Date, { description: "Orders placed from (inclusive)." })
  from!: Date;

  @Field(() => Date, { description: "Orders placed until (exclusive); at most 366 days after from." })
  to!: Date;

  @Field(() => Int, { nullable: true, description: "Page size, 1–100 (default 20)." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge of the previous page." })
  after?: string | null;
}

@ObjectType("SalesAggregate", { description: "Sales of one group in the period (cancelled orders excluded; refunds not deducted)." })
export class SalesAggregate {
  @Field(() => String, { description: "The group: a global ID (session, promoter, shop), an industry belt, a day (YYYY-MM-DD, China time), or \"none\"." })
  key!: string;

  @Field(() => String, { description: "Readable name of the group (title, user or shop name, belt, day)." })
  label!: string;

  @Field(() => Money, { description: "GMV: what buyers paid." })
  gmv!: Money;

  @Field(() => Int, { description: "Orders placed." })
  orders!: number;

  @Field(() => Int, { description: "Units sold." })
  units!: number;

  @Field(() => Int, { description: "Distinct buyers." })
  buyers!: number;

  @Field(() => Int, { description: "Orders already settled (the money fields below cover these)." })
  settledOrders!: number;

  @Field(() => Money, { description: "Promoter commission of the settled orders." })
  commission!: Money;

  @Field(() => Money, { description: "Platform promotion service fee (10% of commission) of the settled orders." })
  promotionFee!: Money;

  @Field(() => Money, { description: "Platform technical service fee of the settled orders." })
  technicalFee!: Money;
}

@ObjectType("SalesAggregateEdge", { description: "A group in a page." })
export class SalesAggregateEdge {
  @Field(() => String, { description: "Cursor of this edge." })
  cursor!: string;

  @Field(() => SalesAggregate, { description: "The group's figures." })
  node!: SalesAggregate;
}

@ObjectType("SalesAggregateConnection", { description: "Sales groups, largest GMV first (ties by key)." })
export class SalesAggregateConnection {
  @Field(() => [SalesAggregateEdge], { description: "The groups of this page." })
  edges!: SalesAggregateEdge[];

  @Field(() => PageInfo, { description: "Paging." })
  pageInfo!: PageInfo;

  @Field(() => String, {
    description: "This page as CSV (header line, then one line per group; money in yuan with two decimals), to paste into a spreadsheet.",
  })
  csv!: string;
}

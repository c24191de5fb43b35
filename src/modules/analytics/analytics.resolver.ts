import { Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { AnalyticsService } from "./analytics.service.js";
import { SalesAggregateConnection, SalesAggregatesArgs } from "./analytics.type.js";

// Stateless: every call works on the request's context.
const analytics = new AnalyticsService();

@Resolver()
export class AnalyticsResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => SalesAggregateConnection, {
    description:
      "Admins and analysts: GMV, orders, units and buyers, and the settled orders' commission and fees, per live session, promoter, shop, industry belt or day, for orders placed in [from, to). Add `csv` for a spreadsheet.",
  })
  salesAggregates(@Args(() => SalesAggregatesArgs) args: SalesAggregatesArgs, @Ctx() ctx: Context): Promise<SalesAggregateConnection> {
    return analytics.sales(ctx, args);
  }
}

import { Arg, Args, Authorized, Ctx, Field, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf, toGlobalId } from "../../shared/ids.js";
import { money } from "../../shared/money.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { Order, type OrderService } from "../orders/index.js";
import { PayoutStatementArgs, RunSettlementInput, SetPayoutsFrozenInput, SetTechnicalFeeRateInput, SettlementsArgs } from "./settlement.inputs.js";
import { SettlementErrorCode } from "./settlement.rules.js";
import type { SettlementService, SettlementUserError } from "./settlement.service.js";
import { PayoutLine, PayoutStatement, Reconciliation, Settlement, SettlementConnection, SettlementRun, toSettlement } from "./settlement.type.js";

const SettlementUserErrorType = UserErrorType("SettlementUserError", SettlementErrorCode);

@ObjectType("RunSettlementPayload", { description: "Result of runSettlement." })
class RunSettlementPayload {
  @Field(() => SettlementRun, { nullable: true, description: "The run; null when userErrors is not empty." })
  run!: SettlementRun | null;

  @Field(() => [SettlementUserErrorType], { description: "Why nothing ran." })
  userErrors!: SettlementUserError[];
}

@ObjectType("SettlementAdminPayload", { description: "Result of setPayoutsFrozen and setTechnicalFeeRate." })
class SettlementAdminPayload {
  @Field(() => Boolean, { description: "Whether the change was made." })
  ok!: boolean;

  @Field(() => [SettlementUserErrorType], { description: "Why nothing changed." })
  userErrors!: SettlementUserError[];
}

@ObjectType("TechnicalFeeRate", { description: "A category's technical service fee rate." })
class TechnicalFeeRate {
  @Field(() => String, { description: "Product category." })
  category!: string;

  @Field(() => Int, { description: "Rate in basis points." })
  rateBps!: number;
}

/** Settlement's node type, for `node(id:)`. */
export const settlementNodes = (settlement: SettlementService): NodeFetchers => ({
  Settlement: async (ctx, id) => {
    const row = await settlement.settlement(ctx, id);
    return row ? toSettlement(row) : null;
  },
});

const payload = (userErrors: SettlementUserError[]) => ({ ok: userErrors.length === 0, userErrors });

@Resolver(() => Settlement)
export class SettlementResolver {
  constructor(private readonly settlement: SettlementService, private readonly orders: OrderService) {}

  @Authorized(Role.ADMIN, Role.ANALYST, Role.MERCHANT, Role.PROMOTER)
  @Query(() => SettlementConnection, {
    description: "Settled orders and their splits, newest first: merchants see their shops', promoters their own commissions, admins and analysts all.",
  })
  async settlements(@Args(() => SettlementsArgs) args: SettlementsArgs, @Ctx() ctx: Context): Promise<SettlementConnection> {
    const page = await this.settlement.settlements(ctx, args);
    const edges = page.rows.map((row) => ({ cursor: Buffer.from(toGlobalId("Order", row.orderId)).toString("base64url"), node: toSettlement(row) }));
    return { edges, hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null };
  }

  @Authorized(Role.ADMIN, Role.ANALYST, Role.MERCHANT, Role.PROMOTER)
  @Query(() => PayoutStatement, { description: "A party's payout statement for a period: merchants for their shops, promoters for themselves, admins and analysts for anyone and the platform." })
  async payoutStatement(@Args(() => PayoutStatementArgs) args: PayoutStatementArgs, @Ctx() ctx: Context): Promise<PayoutStatement> {
    const s = await this.settlement.payoutStatement(ctx, args);
    return Object.assign(new PayoutStatement(), {
      party: s.party,
      ownerId: s.party === "SHOP" ? toGlobalId("Shop", s.ownerId) : s.party === "PROMOTER" ? toGlobalId("User", s.ownerId) : null,
      from: s.from,
      to: s.to,
      opening: money(s.openingFen),
      closing: money(s.closingFen),
      held: money(s.heldFen),
      frozen: s.frozen,
      truncated: s.truncated,
      lines: s.lines.map((l) =>
        Object.assign(new PayoutLine(), { kind: l.kind, account: l.account, amount: money(l.amountFen), orderId: l.orderId === null ? null : toGlobalId("Order", l.orderId), at: l.at }),
      ),
    });
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Reconciliation, { description: "Admins and analysts: for the orders placed in [from, to), where every fen of the buyers' payments is now." })
  async reconciliation(@Arg("from", () => Date) from: Date, @Arg("to", () => Date) to: Date, @Ctx() ctx: Context): Promise<Reconciliation> {
    const r = await this.settlement.reconciliation(ctx, from, to);
    return Object.assign(new Reconciliation(), {
      from,
      to,
      orders: r.orders,
      payments: money(r.payments),
      merchant: money(r.merchant),
      promoter: money(r.promoter),
      platform: money(r.platform),
      pending: money(r.pending),
      refunded: money(r.refunded),
      refundedInLedger: money(r.refunded_in_ledger),
      difference: money(r.difference),
      unbalancedPostings: r.unbalanced,
    });
  }

  @Query(() => [TechnicalFeeRate], { description: "The technical service fee table (categories not listed pay the default rate)." })
  async technicalFeeRates(@Ctx() ctx: Context) {
    return (await this.settlement.technicalRates()).map((r) => ({ category: r.category, rateBps: r.rateBps }));
  }

  @FieldResolver(() => Order, { description: "The settled order." })
  async order(@Root() settlement: Settlement, @Ctx() ctx: Context) {
    const order = await this.orders.order(ctx, settlement.orderRowId);
    if (!order) throw notFound("Order");
    return order;
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RunSettlementPayload, {
    description: "Admin: settle every order received at least 7 days before asOf (default now), after auto-receipts due by then. Waits for a running settlement; never settles an order twice.",
  })
  async runSettlement(@Arg("input", () => RunSettlementInput) input: RunSettlementInput, @Ctx() ctx: Context): Promise<RunSettlementPayload> {
    const { run, userErrors } = await this.settlement.runSettlement(ctx, input.asOf ?? null);
    return {
      run: run && {
        id: run.runId === null ? null : String(run.runId),
        asOf: run.asOf,
        ordersSettled: run.ordersSettled,
        amount: money(run.amountFen),
        autoReceived: run.autoReceived,
      },
      userErrors,
    };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SettlementAdminPayload, { description: "Admin (governance): freeze a shop's payouts, or release them and everything held." })
  async setPayoutsFrozen(@Arg("input", () => SetPayoutsFrozenInput) input: SetPayoutsFrozenInput, @Ctx() ctx: Context) {
    const shopId = idOf("Shop", input.shopId, "shopId");
    if (!(await ctx.loaders.shopById.load(shopId))) throw notFound("Shop");
    const reason = input.reason.trim();
    if (reason.length < 1 || reason.length > 500) return payload([{ code: SettlementErrorCode.INVALID_REASON, message: "The reason must be 1–500 characters.", field: ["reason"] }]);
    const settlement = this.settlement;
    return payload(input.frozen ? await settlement.freezePayouts(shopId, reason, ctx.viewer!.userId) : await settlement.releasePayouts(shopId, ctx.viewer!.userId));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SettlementAdminPayload, { description: "Admin: set a category's technical service fee rate (applies to orders settled from now on)." })
  async setTechnicalFeeRate(@Arg("input", () => SetTechnicalFeeRateInput) input: SetTechnicalFeeRateInput, @Ctx() ctx: Context) {
    return payload(await this.settlement.setTechnicalFeeRate(input.category, input.rateBps));
  }
}

@Resolver(() => Order)
export class OrderSettlementResolver {
  constructor(private readonly settlementService: SettlementService) {}

  @FieldResolver(() => Settlement, { nullable: true, description: "The order's settlement split, once settled." })
  async settlement(@Root() order: Order, @Ctx() ctx: Context) {
    const row = await this.settlementService.settlement(ctx, order.rowId);
    return row ? toSettlement(row) : null;
  }
}

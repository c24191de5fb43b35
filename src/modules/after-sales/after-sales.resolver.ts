import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { granted, type AccessRevoked } from "../../realtime/guarded-stream.js";
import { Role } from "../../shared/auth.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { resolverFor } from "../../shared/resolver-container.js";
import { PageArgs } from "../../shared/pagination.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { Order, type OrderService } from "../orders/index.js";
import {
  AfterSalesCaseFilter,
  AfterSalesCaseStepInput,
  AnswerAfterSalesCaseInput,
  ArbitrateAfterSalesCaseInput,
  OpenAfterSalesCaseInput,
} from "./after-sales.inputs.js";
import { AfterSalesErrorCode, type AfterSalesUserError } from "./after-sales.rules.js";
import type { AfterSalesService } from "./after-sales.service.js";
import { AfterSalesCase, AfterSalesCaseConnection, AfterSalesCaseUpdate, AfterSalesEvent, toAfterSalesEvent } from "./after-sales.type.js";

const AfterSalesUserErrorType = UserErrorType("AfterSalesUserError", AfterSalesErrorCode);

export const afterSalesNodes = (afterSales: AfterSalesService): NodeFetchers => ({ AfterSalesCase: (ctx, id) => afterSales.afterSalesCase(ctx, id) });

@ObjectType("AfterSalesCasePayload", { description: "Result of an after-sales step." })
class AfterSalesCasePayload {
  @Field(() => AfterSalesCase, { nullable: true, description: "The case after the step; null when userErrors is not empty." })
  afterSalesCase!: AfterSalesCase | null;

  @Field(() => [AfterSalesUserErrorType], { description: "Why nothing changed (ILLEGAL_STEP, ANSWER_DEADLINE_PASSED, WINDOW_CLOSED, ...)." })
  userErrors!: AfterSalesUserError[];
}

@Resolver(() => AfterSalesCase)
export class AfterSalesResolver {
  constructor(private readonly afterSales: AfterSalesService, private readonly orders: OrderService) {}

  @FieldResolver(() => [AfterSalesEvent], { description: "Every step of the case, oldest first." })
  async events(@Root() c: AfterSalesCase, @Ctx() ctx: Context) {
    return (await ctx.loaders.afterSalesEventsByCaseId.load(c.rowId)).map(toAfterSalesEvent);
  }

  @FieldResolver(() => Order, { nullable: true, description: "The order concerned (null when the viewer may not read it)." })
  async order(@Root() c: AfterSalesCase, @Ctx() ctx: Context) {
    return this.orders.order(ctx, c.orderRowId);
  }

  @Authorized()
  @Query(() => AfterSalesCaseConnection, {
    description: "After-sales cases, newest first: a buyer's own, a merchant's shops' (or one), every case for admins and analysts (filter by status, reason, shop, buyer, opening time).",
  })
  afterSalesCases(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => AfterSalesCaseFilter, { nullable: true, description: "Which cases." }) filter: AfterSalesCaseFilter | null,
    @Ctx() ctx: Context,
  ) {
    return this.afterSales.cases(ctx, { ...page, filter });
  }

  @Authorized(Role.BUYER)
  @Mutation(() => AfterSalesCasePayload, {
    description: "A buyer opens an after-sales case on its own order (before receipt, or within the window after it); the merchant answers by answerDueAt.",
  })
  openAfterSalesCase(@Arg("input", () => OpenAfterSalesCaseInput) input: OpenAfterSalesCaseInput, @Ctx() ctx: Context) {
    return this.afterSales.openCase(ctx, input);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => AfterSalesCasePayload, {
    description: "The shop's merchant answers a case by its deadline: ACCEPT (the buyer is paid), REJECT with a reason (the buyer may escalate), or PROPOSE_PARTIAL.",
  })
  answerAfterSalesCase(@Arg("input", () => AnswerAfterSalesCaseInput) input: AnswerAfterSalesCaseInput, @Ctx() ctx: Context) {
    return this.afterSales.answerCase(ctx, input);
  }

  @Authorized(Role.BUYER)
  @Mutation(() => AfterSalesCasePayload, { description: "The buyer accepts the merchant's partial offer: it is paid and the case closes." })
  acceptAfterSalesOffer(@Arg("input", () => AfterSalesCaseStepInput) input: AfterSalesCaseStepInput, @Ctx() ctx: Context) {
    return this.afterSales.acceptOffer(ctx, input);
  }

  @Authorized(Role.BUYER)
  @Mutation(() => AfterSalesCasePayload, { description: "The buyer takes a rejected case (or a partial offer it does not accept) to the platform: an admin arbitrates." })
  escalateAfterSalesCase(@Arg("input", () => AfterSalesCaseStepInput) input: AfterSalesCaseStepInput, @Ctx() ctx: Context) {
    return this.afterSales.escalateCase(ctx, input);
  }

  @Authorized(Role.BUYER)
  @Mutation(() => AfterSalesCasePayload, { description: "The buyer withdraws its open case (closed, nothing paid)." })
  withdrawAfterSalesCase(@Arg("input", () => AfterSalesCaseStepInput) input: AfterSalesCaseStepInput, @Ctx() ctx: Context) {
    return this.afterSales.withdrawCase(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AfterSalesCasePayload, {
    description: "Admin: decide an escalated case. FOR_BUYER pays the buyer (refund, or 先行赔付 for quality and freight on completed trades) and costs the shop credit (lost arbitration).",
  })
  arbitrateAfterSalesCase(@Arg("input", () => ArbitrateAfterSalesCaseInput) input: ArbitrateAfterSalesCaseInput, @Ctx() ctx: Context) {
    return this.afterSales.arbitrateCase(ctx, input);
  }
}

@Resolver(() => AfterSalesCaseUpdate)
export class AfterSalesUpdatesResolver {
  constructor(private readonly afterSales: AfterSalesService) {}

  @Authorized(Role.BUYER, Role.MERCHANT)
  @Subscription(() => AfterSalesCaseUpdate, {
    description: "A buyer's own cases, or a merchant's shop's (shopId, or every shop it owns): the open cases first, then every case that takes a step.",
    subscribe: ({ args, context, info }) =>
      resolverFor(info, AfterSalesUpdatesResolver).afterSales.watchCases(context as Context, (args.shopId as string | undefined) ?? null),
  })
  async afterSalesCaseUpdates(
    @Arg("shopId", () => ID, { nullable: true, description: "Merchants: one of your shops (default: all of them)." }) _shopId: string | null,
    @Root() event: { snapshot: boolean; caseIds: number[] } | AccessRevoked,
    @Ctx() ctx: Context,
  ): Promise<AfterSalesCaseUpdate> {
    const { snapshot, caseIds } = granted(event);
    return Object.assign(new AfterSalesCaseUpdate(), { snapshot, cases: await this.afterSales.casesNow(caseIds) });
  }
}

import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { UserErrorType } from "../../shared/user-errors.js";
import type { CreditService } from "./credit.service.js";
import { RestoreShopCreditInput, ShopCredit } from "./credit.type.js";
import type { DepositService } from "./deposit.service.js";
import { ShopDeposit, TopUpShopDepositInput } from "./deposit.type.js";
import { GovernanceErrorCode, type GovernanceUserError } from "./governance.rules.js";

const CreditUserErrorType = UserErrorType("ShopCreditUserError", GovernanceErrorCode);

@ObjectType("RestoreShopCreditPayload", { description: "Result of restoreShopCredit." })
class RestoreShopCreditPayload {
  @Field(() => ShopCredit, { nullable: true, description: "The shop's credit after the restoration; null when userErrors is not empty." })
  credit!: ShopCredit | null;

  @Field(() => [CreditUserErrorType], { description: "Rules that refused the restoration." })
  userErrors!: GovernanceUserError[];
}

@ObjectType("TopUpShopDepositPayload", { description: "Result of topUpShopDeposit." })
class TopUpShopDepositPayload {
  @Field(() => ShopDeposit, { nullable: true, description: "The shop's deposit after the top-up; null when userErrors is not empty." })
  deposit!: ShopDeposit | null;

  @Field(() => [CreditUserErrorType], { description: "Rules that refused the top-up." })
  userErrors!: GovernanceUserError[];
}

@Resolver()
export class ShopCreditResolver {
  constructor(private readonly credit: CreditService, private readonly deposits: DepositService) {}

  @Authorized(Role.MERCHANT, Role.ADMIN, Role.ANALYST)
  @Query(() => ShopCredit, { description: "A shop's credit score with its entries (R17): the shop's merchant, admins and analysts." })
  shopCredit(@Arg("shopId", () => ID, { description: "The shop." }) shopId: string, @Ctx() ctx: Context) {
    return this.credit.shopCredit(ctx, shopId);
  }

  @Authorized(Role.MERCHANT, Role.ADMIN, Role.ANALYST)
  @Query(() => ShopDeposit, { description: "A shop's deposit: required by its sales tier, held, owed, and the shortfall (R17): the shop's merchant, admins and analysts." })
  shopDeposit(@Arg("shopId", () => ID, { description: "The shop." }) shopId: string, @Ctx() ctx: Context) {
    return this.deposits.shopDeposit(ctx, shopId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RestoreShopCreditPayload, {
    description: "Admin: restore points to a shop's credit with a recorded reason; back above 0, the cart and payouts that credit took are given back.",
  })
  restoreShopCredit(@Arg("input", () => RestoreShopCreditInput) input: RestoreShopCreditInput, @Ctx() ctx: Context) {
    return this.credit.restoreCredit(ctx, input);
  }

  @Authorized(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => TopUpShopDepositPayload, { description: "The shop's merchant or an admin pays into the shop's deposit (what the shop owes is settled first)." })
  topUpShopDeposit(@Arg("input", () => TopUpShopDepositInput) input: TopUpShopDepositInput, @Ctx() ctx: Context) {
    return this.deposits.topUp(ctx, input);
  }
}

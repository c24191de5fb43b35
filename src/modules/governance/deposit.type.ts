import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Money } from "../../shared/money.js";

@ObjectType("ShopDeposit", { description: "A shop's deposit (梯度保证金, R17): required by its sales volume tier; below it, no new flash sales." })
export class ShopDeposit {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => Money, { description: "The shop's sales over the period (what buyers paid, less cancelled and fully refunded orders)." })
  salesVolume!: Money;

  @Field(() => Int, { description: "The period the sales are summed over, in days (DEPOSIT_SALES_PERIOD_DAYS)." })
  periodDays!: number;

  @Field(() => Money, { description: "The deposit the shop's tier requires." })
  required!: Money;

  @Field(() => Money, { description: "The deposit held now (its ledger balance)." })
  balance!: Money;

  @Field(() => Money, { description: "What the shop owes the platform: 先行赔付 its deposit could not cover (a receivable)." })
  owed!: Money;

  @Field(() => Money, { description: "What the shop must top up to be in order: what it owes plus what the deposit lacks." })
  shortfall!: Money;
}

@InputType("TopUpShopDepositInput", { description: "Pay into a shop's deposit: the shop's merchant or an admin. Settles what the shop owes first." })
export class TopUpShopDepositInput {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => String, { description: 'The amount, a decimal above 0.00 such as "2000.00".' })
  amount!: string;
}

import type { Context } from "../../shared/context.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import { transaction } from "../../db/transaction.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { DAY_MS } from "../../shared/clock.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf, toGlobalId } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { money, parseAmount } from "../../shared/money.js";
import { userError } from "../../shared/user-errors.js";
import type { ClosedCase } from "../after-sales/index.js";
import { lockShop } from "../catalog/index.js";
import { balances, post, PLATFORM } from "../ledger/index.js";
import { shopSalesFen } from "../orders/index.js";
import { recovery, shortfall, splitTopUp, tierOf, type DepositTerms } from "./deposit.rules.js";
import type { ShopDeposit, TopUpShopDepositInput } from "./deposit.type.js";
import { GovernanceErrorCode, type GovernanceUserError } from "./governance.rules.js";


export interface DepositState {
  salesFen: number;
  requiredFen: number;
  depositFen: number;
  owedFen: number;
  shortfallFen: number;
}

/**
 * Deposits (梯度保证金) and 先行赔付 (R17, seed 003). The deposit is a ledger account of the shop; the required amount
 * follows its sales volume over the period (a tier table). When a case on a completed trade is decided for quality
 * or freight, the platform pays the buyer from its own guarantee account and refills it from the deposit; what the
 * deposit cannot cover is a receivable the shop owes (settled first by its next top-up).
 */
export class DepositService {
  constructor(private readonly deps: { db: Db; clock: Clock; log: Logger; terms: DepositTerms }) {}

  get terms(): DepositTerms {
    return this.deps.terms;
  }

  async state(db: DbOrTx, shopId: number): Promise<DepositState> {
    const now = this.deps.clock.now();
    const [salesFen, held] = await Promise.all([
      shopSalesFen(db, shopId, new Date(now.getTime() - this.deps.terms.periodDays * DAY_MS), now),
      balances(db, ["MERCHANT_DEPOSIT", "MERCHANT_RECEIVABLE"], shopId),
    ]);
    const requiredFen = tierOf(salesFen, this.deps.terms.tiers).depositFen;
    const depositFen = held.MERCHANT_DEPOSIT!;
    const owedFen = -held.MERCHANT_RECEIVABLE!;
    return { salesFen, requiredFen, depositFen, owedFen, shortfallFen: shortfall(requiredFen, depositFen, owedFen) };
  }

  /** The flash-sale port: what the shop must top up before it may start a new flash sale (0: in order). */
  async shortfallFen(shopId: number): Promise<number> {
    return (await this.state(this.deps.db, shopId)).shortfallFen;
  }

  async topUp(ctx: Context, input: TopUpShopDepositInput): Promise<{ deposit: ShopDeposit | null; userErrors: GovernanceUserError[] }> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const shopId = idOf("Shop", input.shopId, "shopId");
    const shop = await ctx.loaders.shopById.load(shopId);
    if (!shop) throw notFound("Shop");
    if (viewer.role !== Role.ADMIN && !(viewer.role === Role.MERCHANT && shop.ownerId === viewer.userId)) throw forbidden("paying into this shop's deposit");
    const amountFen = parseAmount(input.amount);
    if (amountFen === null || amountFen <= 0) {
      return { deposit: null, userErrors: [userError(GovernanceErrorCode.INVALID_AMOUNT, 'The amount must be a decimal above 0.00, e.g. "2000.00".', "amount")] };
    }
    const now = this.deps.clock.now();
    await transaction(this.deps.db, async (tx) => {
      // The shop's row lock serialises its deposit's readers and writers (top-ups, 先行赔付 recoveries).
      await lockShop(tx, shopId);
      const owed = -(await balances(tx, ["MERCHANT_RECEIVABLE"], shopId)).MERCHANT_RECEIVABLE!;
      const split = splitTopUp(amountFen, owed);
      await post(tx, {
        kind: "DEPOSIT_TOP_UP",
        at: now,
        lines: [
          { kind: "DEPOSIT_FUNDS", ownerId: PLATFORM, amountFen: -amountFen },
          { kind: "MERCHANT_RECEIVABLE", ownerId: shopId, amountFen: split.toReceivable },
          { kind: "MERCHANT_DEPOSIT", ownerId: shopId, amountFen: split.toDeposit },
        ],
      });
    });
    ctx.log.info("shop deposit topped up", { shopId, amountFen, by: viewer.userId });
    return { deposit: await this.view(this.deps.db, shopId), userErrors: [] };
  }

  /** The shop's merchant, admins and analysts. */
  async shopDeposit(ctx: Context, shopGlobalId: string): Promise<ShopDeposit> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const shopId = idOf("Shop", shopGlobalId, "shopId");
    const shop = await ctx.loaders.shopById.load(shopId);
    if (!shop) throw notFound("Shop");
    if (viewer.role !== Role.ADMIN && viewer.role !== Role.ANALYST && shop.ownerId !== viewer.userId) throw forbidden("reading this shop's deposit");
    return this.view(ctx.db, shopId);
  }

  /** 先行赔付, inside the closing case's transaction: the platform pays at once, then recovers from the deposit. */
  async compensate(tx: Tx, closed: ClosedCase): Promise<void> {
    await lockShop(tx, closed.shopId);
    const deposit = (await balances(tx, ["MERCHANT_DEPOSIT"], closed.shopId)).MERCHANT_DEPOSIT!;
    const back = recovery(closed.paidFen, deposit);
    const base = { orderId: closed.orderId, at: closed.at };
    await post(tx, {
      ...base,
      kind: "COMPENSATION",
      lines: [
        { kind: "PLATFORM_GUARANTEE", ownerId: PLATFORM, amountFen: -closed.paidFen },
        { kind: "BUYER_COMPENSATIONS", ownerId: PLATFORM, amountFen: closed.paidFen },
      ],
    });
    await post(tx, {
      ...base,
      kind: "COMPENSATION_RECOVERY",
      lines: [
        { kind: "MERCHANT_DEPOSIT", ownerId: closed.shopId, amountFen: -back.fromDeposit },
        { kind: "MERCHANT_RECEIVABLE", ownerId: closed.shopId, amountFen: -back.receivable },
        { kind: "PLATFORM_GUARANTEE", ownerId: PLATFORM, amountFen: closed.paidFen },
      ],
    });
    this.deps.log.info("先行赔付 paid", { caseId: closed.caseId, shopId: closed.shopId, amountFen: closed.paidFen, fromDeposit: back.fromDeposit, receivable: back.receivable });
  }

  private async view(db: DbOrTx, shopId: number): Promise<ShopDeposit> {
    const s = await this.state(db, shopId);
    return {
      shopId: toGlobalId("Shop", shopId),
      salesVolume: money(s.salesFen),
      periodDays: this.deps.terms.periodDays,
      required: money(s.requiredFen),
      balance: money(s.depositFen),
      owed: money(s.owedFen),
      shortfall: money(s.shortfallFen),
    };
  }
}

import type { Context } from "../../shared/context.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf, toGlobalId } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { userError } from "../../shared/user-errors.js";
import type { ClosedCase } from "../after-sales/index.js";
import { lockShop, setCreditScore, shopById } from "../catalog/index.js";
import * as q from "./credit.queries.js";
import { deductionsFor, restricted, type CreditCauseValue, type CreditTerms } from "./credit.rules.js";
import { toCreditEntry, type RestoreShopCreditInput, type ShopCredit } from "./credit.type.js";
import { GovernanceErrorCode, type GovernanceUserError } from "./governance.rules.js";

/** Port: the shop's cart (catalog), switched inside the caller's transaction. */
export interface CartSwitch {
  switchCart(tx: Tx, shopId: number, enabled: boolean): Promise<"switched" | "unchanged" | "not-open">;
}

/** Port: the shop's payouts (settlement), frozen or released inside the caller's transaction. */
export interface PayoutHold {
  freezePayouts(shopId: number, reason: string, by: number | null, db: DbOrTx): Promise<unknown[]>;
  releasePayouts(shopId: number, by: number | null, db: DbOrTx): Promise<unknown[]>;
}

/** Port: 先行赔付 of a closed case (deposits). */
export interface Compensator {
  compensate(tx: Tx, closed: ClosedCase): Promise<void>;
}

const MAX_RESTORE = 1000;
const ENTRIES_SHOWN = 100;

/**
 * Shop credit (R17): entries with their cause; the score (shops.credit_score, which every selling rule reads) is the
 * start value plus their sum, written with them under the shop's row lock. At ≤ 0 the shop loses the cart and its
 * payouts freeze, in the same transaction; an admin's restoration above 0 lifts exactly what governance imposed.
 */
export class CreditService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      log: Logger;
      terms: CreditTerms;
      cart: CartSwitch;
      payouts: PayoutHold;
      compensator: Compensator;
      /** Read caches hear of a shop's new score. */
      listings: ListingNotices;
    },
  ) {}

  get startScore(): number {
    return this.deps.terms.startScore;
  }

  /** After-sales' port: a case closed (inside its transaction): its deductions, and 先行赔付 when it paid so. */
  async caseClosed(tx: Tx, closed: ClosedCase): Promise<void> {
    if (closed.payment === "COMPENSATION") await this.deps.compensator.compensate(tx, closed);
    const deductions = deductionsFor(closed, this.deps.terms);
    if (deductions.length === 0) return;
    await this.book(tx, closed.shopId, deductions.map((d) => ({ ...d, caseId: closed.caseId, reason: null })), null, closed.at);
  }

  async restoreCredit(ctx: Context, input: RestoreShopCreditInput): Promise<{ credit: ShopCredit | null; userErrors: GovernanceUserError[] }> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.ADMIN) throw forbidden("restoring shop credit");
    const shopId = idOf("Shop", input.shopId, "shopId");
    if (!Number.isInteger(input.points) || input.points < 1 || input.points > MAX_RESTORE) {
      return { credit: null, userErrors: [userError(GovernanceErrorCode.INVALID_POINTS, `Restore 1–${MAX_RESTORE} points.`, "points")] };
    }
    const now = this.deps.clock.now();
    const score = await transaction(this.deps.db, (tx) =>
      this.book(tx, shopId, [{ cause: "RESTORATION", points: input.points, caseId: null, reason: input.reason.trim() }], viewer.userId, now),
    );
    ctx.loaders.shopById.clear(shopId);
    ctx.log.info("shop credit restored", { shopId, points: input.points, score, by: viewer.userId });
    return { credit: await this.read(this.deps.db, shopId), userErrors: [] };
  }

  /** The shop's merchant, admins and analysts. */
  async shopCredit(ctx: Context, shopGlobalId: string): Promise<ShopCredit> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const shopId = idOf("Shop", shopGlobalId, "shopId");
    const shop = await ctx.loaders.shopById.load(shopId);
    if (!shop) throw notFound("Shop");
    if (viewer.role !== Role.ADMIN && viewer.role !== Role.ANALYST && shop.ownerId !== viewer.userId) throw forbidden("reading this shop's credit");
    return this.read(ctx.db, shopId);
  }

  private async read(db: DbOrTx, shopId: number): Promise<ShopCredit> {
    const [shop, hold, entries] = await Promise.all([shopById(db, shopId), q.openHold(db, shopId), q.entriesOfShop(db, shopId, ENTRIES_SHOWN)]);
    return {
      shopId: toGlobalId("Shop", shopId),
      score: shop!.creditScore,
      startScore: this.deps.terms.startScore,
      restricted: hold !== null,
      restrictedSince: hold?.since ?? null,
      entries: entries.map(toCreditEntry),
    };
  }

  /**
   * Books entries under the shop's row lock and enforces the ≤ 0 rule; returns the new score. A shop whose score was
   * set without entries (demo data, imports) first gets an OPENING entry, so the score stays start + sum.
   */
  private async book(
    tx: Tx,
    shopId: number,
    entries: { cause: CreditCauseValue; points: number; caseId: number | null; reason: string | null }[],
    actorId: number | null,
    at: Date,
  ): Promise<number> {
    const shop = await lockShop(tx, shopId);
    if (!shop) throw notFound("Shop");
    const totals = await q.entryTotals(tx, shopId);
    let score = this.deps.terms.startScore + totals.sum;
    if (totals.count === 0 && shop.creditScore !== score) {
      await q.insertEntry(tx, { shopId, cause: "OPENING", points: shop.creditScore - score, scoreAfter: shop.creditScore, actorId: null, at });
      score = shop.creditScore;
    }
    for (const entry of entries) {
      const row = await q.insertEntry(tx, { shopId, cause: entry.cause, points: entry.points, scoreAfter: score + entry.points, caseId: entry.caseId, reason: entry.reason, actorId, at });
      if (row) score += entry.points;
    }
    await setCreditScore(tx, shopId, score);
    afterCommit(tx, () => this.deps.listings.shopChanged(shopId));
    await this.enforce(tx, shopId, score, actorId, at);
    return score;
  }

  private async enforce(tx: Tx, shopId: number, score: number, actorId: number | null, at: Date): Promise<void> {
    const hold = await q.openHold(tx, shopId);
    if (restricted(score) && !hold) {
      const cart = await this.deps.cart.switchCart(tx, shopId, false);
      const frozen = (await this.deps.payouts.freezePayouts(shopId, `Credit score ${score} (≤ 0, R17)`, actorId, tx)).length === 0;
      await q.insertHold(tx, { shopId, cartTaken: cart === "switched", payoutsFrozen: frozen, since: at });
      this.deps.log.info("shop held at credit ≤ 0", { shopId, score, cartTaken: cart === "switched", payoutsFrozen: frozen });
    } else if (!restricted(score) && hold) {
      if (hold.cartTaken) await this.deps.cart.switchCart(tx, shopId, true);
      if (hold.payoutsFrozen) await this.deps.payouts.releasePayouts(shopId, actorId, tx);
      await q.liftHold(tx, hold.id, actorId, at);
      this.deps.log.info("shop hold lifted, credit above 0", { shopId, score });
    }
  }
}

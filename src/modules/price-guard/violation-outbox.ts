import type { Db, Tx } from "../../db/client.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { AgreedPriceRow, RestrictionRow, ViolationRow } from "../../db/schema/index.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { Clock } from "../../shared/clock.js";
import type { Logger } from "../../shared/logger.js";
import { formatFen } from "../../shared/money.js";
import type { OrderDraft } from "../orders/index.js";
import type { AlertService } from "./alerts.service.js";
import type { LiveRooms } from "./price-guard.ports.js";
import * as q from "./price-guard.queries.js";
import { penaltyFor } from "./price-guard.rules.js";

/**
 * The violation outbox (R14): a violation is written in its order's transaction; once that commits it is claimed
 * (alerted_at), the restriction it started is enforced in the claiming transaction, and its alert goes out after.
 */
export class ViolationOutbox {
  constructor(private readonly deps: { db: Db; clock: Clock; log: Logger; alerts: AlertService; rooms: LiveRooms; listings: ListingNotices }) {}

  /**
   * R14, in the order's transaction: records the sale below the floor against the party whose own price parts took
   * it there, with the next step of its penalty ladder unless it is restricted already. The violation exists only if
   * the order commits, and is announced then.
   */
  async record(
    tx: Tx,
    v: { draft: OrderDraft; filing: AgreedPriceRow; kind: ViolationRow["kind"]; party: ViolationRow["party"] },
    now: Date,
  ): Promise<{ restrictionStarted: boolean }> {
    const { draft, filing, kind, party } = v;
    // A promoter-paid violation is the promoter's own shop's; without one (promoterShopId null) it is held
    // against the promoter itself, and the restriction covers its rooms all the same.
    const subject =
      party === "MERCHANT"
        ? { shopId: draft.shopId, promoterId: null, lock: `shop:${draft.shopId}` }
        : { shopId: draft.promoterShopId, promoterId: draft.promoterId!, lock: `promoter:${draft.promoterId}` };
    const subjects: q.Subjects = { shopIds: subject.shopId === null ? [] : [subject.shopId], promoterId: subject.promoterId };
    await q.lockSubject(tx, subject.lock);
    // One incident, one step: violations while the subject is already restricted are recorded, not stepped up.
    let restriction: RestrictionRow | null = null;
    if ((await q.activeRestrictions(tx, subjects, now)).length === 0) {
      const step = (await q.restrictionCount(tx, subjects)) + 1;
      const { penalty, endsAt } = penaltyFor(step, now);
      restriction = await q.insertRestriction(tx, { shopId: subject.shopId, promoterId: subject.promoterId, penalty, step, startsAt: now, endsAt });
      // A restricted shop's cross-border goods leave the selection center (R14).
      afterCommit(tx, () => this.deps.listings.allianceChanged());
    }
    const violation = await q.insertViolation(tx, {
      kind,
      party,
      shopId: subject.shopId,
      promoterId: draft.promoterId,
      productId: draft.productId,
      productShopId: draft.shopId,
      liveSessionId: draft.liveSessionId,
      flashSaleId: draft.flashSaleId,
      agreedPriceId: filing.id,
      quantity: draft.quantity,
      handPriceFen: draft.handPriceFen,
      floorFen: filing.agreedPriceFen,
      unitsPerOrder: filing.unitsPerOrder,
      restrictionId: restriction?.id ?? null,
      occurredAt: now,
    });
    afterCommit(tx, () => this.announceCommitted([violation.id]));
    this.deps.log.warn("price guard violation", { violationId: violation.id, party, productId: draft.productId, handPriceFen: draft.handPriceFen, floorFen: filing.agreedPriceFen });
    return { restrictionStarted: restriction !== null };
  }

  /**
   * After the order's transaction commits: alerts for the violations it recorded, and restrictions enforced. The
   * claim (alerted_at) makes this the durable outbox: a process that dies first leaves them to recover().
   */
  async announceCommitted(violationIds: number[]): Promise<number> {
    return this.announce(violationIds);
  }

  /** At start: violations committed by a process that stopped before announcing them. */
  async recover(): Promise<number> {
    const claimed = await this.announce();
    if (claimed) this.deps.log.warn("announced price-guard violations left unannounced", { violations: claimed });
    return claimed;
  }

  /**
   * Claims the violations (those ids, or every unannounced one) and, in the same transaction, enforces the
   * restrictions they started; the alerts go out once it commits. A process that dies first leaves the claim
   * undone, and the next recover() does it all again.
   */
  private announce(violationIds?: number[]): Promise<number> {
    return transaction(this.deps.db, async (tx) => {
      const violations = await q.claimUnalerted(tx, this.deps.clock.now(), violationIds);
      if (violations.length === 0) return 0;
      const ids = violations.map((v) => v.restrictionId).filter((id): id is number => id !== null);
      const restrictions = new Map((ids.length ? await q.restrictionsByIds(tx, ids) : []).map((r) => [r.id, r]));
      for (const v of violations) {
        const restriction = v.restrictionId === null ? null : (restrictions.get(v.restrictionId) ?? null);
        if (restriction) await this.enforce(tx, restriction);
        afterCommit(tx, () => this.alertViolation(v, restriction));
      }
      return violations.length;
    });
  }

  private async alertViolation(v: ViolationRow, restriction: RestrictionRow | null): Promise<void> {
    const who = v.party === "MERCHANT" ? "the merchant's shop" : v.shopId === null ? "the promoter" : "the promoter's shop";
    const penalty = restriction ? ` Penalty: ${restriction.penalty.replaceAll("_", " ").toLowerCase()}.` : "";
    const what =
      v.kind === "BELOW_FLOOR"
        ? `a sale at ${formatFen(v.handPriceFen)} per unit, below the agreed price ${formatFen(v.floorFen)}`
        : `a sale of ${v.quantity} units, off the filed spec of ${v.unitsPerOrder} per order`;
    await this.deps.alerts.publish(
      {
        kind: "PRICE_GUARD_ALERT",
        alertId: `violation-${v.id}`,
        at: v.occurredAt.toISOString(),
        level: "VIOLATION",
        offer: "ORDER",
        productRowId: v.productId,
        productShopRowId: v.productShopId,
        liveSessionRowId: v.liveSessionId,
        handPriceFen: v.handPriceFen,
        floorFen: v.floorFen,
        unitsPerOrder: v.unitsPerOrder,
        message: `Price guard recorded ${what}, against ${who}.${penalty}`,
        violationRowId: v.id,
        violatingShopRowId: v.shopId,
        party: v.party,
        penalty: restriction?.penalty ?? null,
      },
      { shopIds: [v.shopId, v.productShopId], rooms: [v.liveSessionId] },
    );
  }

  /**
   * R14: a new restriction takes the subject's cross-border goods out of live rooms in the announcing transaction:
   * its open flash sales end (units back to stock) and its pins are removed (subscribers see ENDED and unpinned).
   */
  private async enforce(tx: Tx, restriction: RestrictionRow): Promise<void> {
    await this.deps.rooms.withdraw(tx, { shopId: restriction.shopId, promoterId: restriction.promoterId, crossBorderOnly: true }, "RESTRICTED");
  }
}

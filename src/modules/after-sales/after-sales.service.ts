import type { Context } from "../../shared/context.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import type { AfterSalesCaseRow } from "../../db/schema/index.js";
import { afterCommit, Rollback, transaction } from "../../db/transaction.js";
import type { EventBus } from "../../realtime/bus.js";
import type { AccessRevoked } from "../../realtime/guarded-stream.js";
import { ownerStream } from "../../realtime/owner-stream.js";
import { inBackground } from "../../shared/background.js";
import { Role, type Viewer } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { badInput, forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { formatFen, parseAmount } from "../../shared/money.js";
import { connectionOf, decodeCursor, pageSize } from "../../shared/pagination.js";
import { userError } from "../../shared/user-errors.js";
import { activeViewer } from "../accounts/index.js";
import { shopIdsOwnedBy } from "../catalog/index.js";
import { refundedFen, type Refunder, type TransitionResult } from "../fulfilment/index.js";
import { ordersByIds } from "../orders/index.js";
import type { AfterSalesCaseFilter, AnswerAfterSalesCaseInput, ArbitrateAfterSalesCaseInput, AfterSalesCaseStepInput, OpenAfterSalesCaseInput } from "./after-sales.inputs.js";
import * as q from "./after-sales.queries.js";
import {
  AfterSalesErrorCode,
  answerOnTime,
  deadlines,
  decidedForBuyer,
  MAX_IMAGES,
  mayOpenOn,
  mayStep,
  paysByCompensation,
  type AfterSalesUserError,
  type CaseAction,
  type CaseOutcome,
  type CaseReason,
  type CaseStatus,
  type CaseTerms,
} from "./after-sales.rules.js";
import { toAfterSalesCase, type AfterSalesCase } from "./after-sales.type.js";

export interface CasePayload {
  afterSalesCase: AfterSalesCase | null;
  userErrors: AfterSalesUserError[];
}

/** Port: refunds through the order-to-money path (fulfilment), as the platform, inside the case's transaction. */
export interface CaseRefunds {
  refund(refunder: Refunder, orderId: number, amount: string | null, reason: string, db: DbOrTx): Promise<TransitionResult>;
}

/** A case as it closed, for governance (credit deductions per outcome, 先行赔付). */
export interface ClosedCase {
  caseId: number;
  orderId: number;
  shopId: number;
  buyerId: number;
  reason: CaseReason;
  outcome: CaseOutcome;
  payment: "NONE" | "REFUND" | "COMPENSATION";
  paidFen: number;
  at: Date;
}

/** Port: what a closing means for the shop, inside the closing transaction (governance). */
export interface CaseConsequences {
  caseClosed(tx: Tx, closed: ClosedCase): Promise<void>;
}

type Actor = { userId: number; role: Role } | null;
type StepResult = { row: AfterSalesCaseRow } | { errors: AfterSalesUserError[] };

const SNAPSHOT_SIZE = 50;
const SWEEP_BATCH = 200;
const MESSAGE_IDS = 100;

const refusal = (code: AfterSalesErrorCode, message: string, field?: string): StepResult => ({ errors: [userError(code, message, field)] });

/**
 * After-sales cases (R17, seed 003): a buyer opens, the merchant answers by its deadline, the buyer may escalate a
 * rejection, an admin arbitrates; a case is closed within 15 days of opening. Every step runs under the case's row
 * lock (a double accept or arbitration pays once), writes an event row, and tells the buyer and the shop after commit.
 */
export class AfterSalesService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      clock: Clock;
      log: Logger;
      terms: CaseTerms;
      refunds: CaseRefunds;
      consequences: CaseConsequences;
      sweepIntervalMs: number;
    },
  ) {}

  get terms(): CaseTerms {
    return this.deps.terms;
  }

  async openCase(ctx: Context, input: OpenAfterSalesCaseInput): Promise<CasePayload> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.BUYER) throw forbidden("opening after-sales cases");
    const orderId = idOf("Order", input.orderId, "orderId");
    const images = (input.images ?? []).map((i) => i.trim());
    const now = this.deps.clock.now();
    const outcome = await transaction(this.deps.db, async (tx): Promise<StepResult> => {
      const [order] = await ordersByIds(tx, [orderId]);
      if (!order) throw notFound("Order");
      if (order.buyerId !== viewer.userId) throw forbidden("opening a case on another buyer's order");
      if (images.length > MAX_IMAGES) return refusal(AfterSalesErrorCode.TOO_MANY_IMAGES, `At most ${MAX_IMAGES} images.`, "images");
      const eligible = mayOpenOn(order, now, this.deps.terms);
      if (eligible === "status") return refusal(AfterSalesErrorCode.ORDER_NOT_ELIGIBLE, `A ${order.status} order has nothing to take to after-sales.`, "orderId");
      if (eligible === "window") {
        return refusal(AfterSalesErrorCode.WINDOW_CLOSED, `Cases are opened within ${this.deps.terms.windowDays} days of receipt.`, "orderId");
      }
      const remaining = await this.refundableFen(tx, order.id, order.totalFen);
      if (remaining <= 0) return refusal(AfterSalesErrorCode.NOTHING_REFUNDABLE, "Everything paid for this order was given back already.", "orderId");
      const requested = input.amount == null ? remaining : parseAmount(input.amount);
      if (requested === null || requested <= 0) return refusal(AfterSalesErrorCode.INVALID_AMOUNT, 'The amount must be a decimal above 0.00, e.g. "12.50".', "amount");
      if (requested > remaining) return refusal(AfterSalesErrorCode.EXCEEDS_REFUNDABLE, `At most ${formatFen(remaining)} may be asked back.`, "amount");
      const row = await q.insertCase(tx, {
        orderId: order.id,
        buyerId: order.buyerId,
        shopId: order.shopId,
        reason: input.reason,
        kind: input.kind,
        status: "AWAITING_MERCHANT",
        requestedFen: requested,
        description: input.description.trim(),
        images,
        openedAt: now,
        ...deadlines(now, this.deps.terms),
      });
      if (!row) return refusal(AfterSalesErrorCode.CASE_ALREADY_OPEN, "The order has an open case already.", "orderId");
      await q.insertEvents(tx, [{ caseId: row.id, kind: "OPENED", toStatus: row.status, actorId: viewer.userId, actorRole: viewer.role, amountFen: requested, note: row.description, at: now }]);
      afterCommit(tx, () => this.publish([row]));
      return { row };
    });
    if ("errors" in outcome) return { afterSalesCase: null, userErrors: outcome.errors };
    ctx.log.info("after-sales case opened", { caseId: outcome.row.id, orderId, reason: input.reason, by: viewer.userId });
    return { afterSalesCase: toAfterSalesCase(outcome.row), userErrors: [] };
  }

  /** The shop's merchant: accept (the buyer is paid what it asked), reject with a reason, or offer part. */
  async answerCase(ctx: Context, input: AnswerAfterSalesCaseInput): Promise<CasePayload> {
    const viewer = this.viewerOf(ctx);
    return this.step(ctx, input.caseId, "ANSWER", (tx, row) => this.assertShopOwner(tx, row, viewer), async (tx, row, now) => {
      if (!answerOnTime(row.answerDueAt, now)) {
        return refusal(AfterSalesErrorCode.ANSWER_DEADLINE_PASSED, `The answer was due by ${row.answerDueAt.toISOString()}: the case goes to passive handling.`);
      }
      const note = input.note?.trim() || null;
      const answered = { answeredAt: now, merchantNote: note };
      if (input.answer === "ACCEPT") {
        return this.close(tx, row, "MERCHANT_ACCEPTED", row.requestedFen, actorOf(viewer), note, "ACCEPTED", answered);
      }
      if (input.answer === "REJECT") {
        if (!note) return refusal(AfterSalesErrorCode.NOTE_REQUIRED, "Give the buyer the reason of the rejection.", "note");
        return this.move(tx, row, "REJECTED", "REJECTED", actorOf(viewer), { ...answered }, null, note);
      }
      const offered = input.amount == null ? null : parseAmount(input.amount);
      if (offered === null || offered <= 0 || offered >= row.requestedFen) {
        return refusal(AfterSalesErrorCode.INVALID_AMOUNT, `Offer a decimal above 0.00 and below the ${formatFen(row.requestedFen)} asked.`, "amount");
      }
      return this.move(tx, row, "PARTIAL_OFFERED", "PARTIAL_OFFERED", actorOf(viewer), { ...answered, offeredFen: offered }, offered, note);
    });
  }

  async acceptOffer(ctx: Context, input: AfterSalesCaseStepInput): Promise<CasePayload> {
    const viewer = this.viewerOf(ctx);
    return this.step(ctx, input.caseId, "ACCEPT_OFFER", async (_tx, row) => this.assertBuyer(row, viewer), (tx, row) =>
      this.close(tx, row, "PARTIAL_AGREED", row.offeredFen!, actorOf(viewer), input.note?.trim() || null, "OFFER_ACCEPTED"),
    );
  }

  async escalateCase(ctx: Context, input: AfterSalesCaseStepInput): Promise<CasePayload> {
    const viewer = this.viewerOf(ctx);
    return this.step(ctx, input.caseId, "ESCALATE", async (_tx, row) => this.assertBuyer(row, viewer), (tx, row, now) =>
      this.move(tx, row, "ESCALATED", "ESCALATED", actorOf(viewer), { escalatedAt: now }, null, input.note?.trim() || null),
    );
  }

  async withdrawCase(ctx: Context, input: AfterSalesCaseStepInput): Promise<CasePayload> {
    const viewer = this.viewerOf(ctx);
    return this.step(ctx, input.caseId, "WITHDRAW", async (_tx, row) => this.assertBuyer(row, viewer), (tx, row) =>
      this.close(tx, row, "WITHDRAWN", 0, actorOf(viewer), input.note?.trim() || null, "WITHDRAWN"),
    );
  }

  async arbitrateCase(ctx: Context, input: ArbitrateAfterSalesCaseInput): Promise<CasePayload> {
    const viewer = this.viewerOf(ctx);
    if (viewer.role !== Role.ADMIN) throw forbidden("arbitrating after-sales cases");
    return this.step(ctx, input.caseId, "ARBITRATE", async () => {}, async (tx, row) => {
      const note = input.note.trim();
      if (input.decision === "FOR_MERCHANT") return this.close(tx, row, "ARBITRATED_FOR_MERCHANT", 0, actorOf(viewer), note, "ARBITRATED");
      const amount = input.amount == null ? row.requestedFen : parseAmount(input.amount);
      if (amount === null || amount <= 0) return refusal(AfterSalesErrorCode.INVALID_AMOUNT, 'The amount must be a decimal above 0.00, e.g. "12.50".', "amount");
      return this.close(tx, row, "ARBITRATED_FOR_BUYER", amount, actorOf(viewer), note, "ARBITRATED");
    });
  }

  /**
   * The schedule's work as of `asOf`: cases whose merchant let the answer deadline pass are passive handling
   * (decided for the buyer), and every case still open on day 15 is decided for the buyer. Each case in its own
   * transaction under its row lock, its condition read again there: safe beside any other process or step.
   */
  async sweep(asOf: Date): Promise<{ passive: number; autoClosed: number }> {
    let passive = 0;
    let autoClosed = 0;
    for (const { id } of await q.passiveDue(this.deps.db, asOf, SWEEP_BATCH)) {
      if (await this.decideBySystem(id, (row) => row.status === "AWAITING_MERCHANT" && !answerOnTime(row.answerDueAt, asOf), "PASSIVE_HANDLING", "PASSIVE_HANDLING")) passive++;
    }
    for (const { id } of await q.closeDue(this.deps.db, asOf, SWEEP_BATCH)) {
      if (await this.decideBySystem(id, (row) => row.status !== "CLOSED" && row.closesBy.getTime() <= asOf.getTime(), "AUTO_CLOSED_FOR_BUYER", "AUTO_CLOSED")) autoClosed++;
    }
    if (passive + autoClosed > 0) this.deps.log.info("after-sales sweep", { passive, autoClosed });
    return { passive, autoClosed };
  }

  start(): void {
    if (this.deps.sweepIntervalMs <= 0 || this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = inBackground("after-sales sweep", () => this.sweep(this.deps.clock.now()))
        .catch((error) => this.deps.log.error("after-sales sweep failed", { error }))
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, this.deps.sweepIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One case (node(id:)): its buyer, the shop's merchant, admins and analysts. */
  async afterSalesCase(ctx: Context, id: number): Promise<AfterSalesCase | null> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const row = await ctx.loaders.afterSalesCaseById.load(id);
    if (!row) return null;
    if (viewer.role === Role.ADMIN || viewer.role === Role.ANALYST || row.buyerId === viewer.userId) return toAfterSalesCase(row);
    const shop = await ctx.loaders.shopById.load(row.shopId);
    if (viewer.role === Role.MERCHANT && shop?.ownerId === viewer.userId) return toAfterSalesCase(row);
    throw forbidden("reading this after-sales case");
  }

  /** Cases, newest first: a buyer its own, a merchant its shops' (or one), admins and analysts all (with filters). */
  async cases(ctx: Context, args: { first?: number | null; after?: string | null; filter?: AfterSalesCaseFilter | null }) {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const f = args.filter ?? {};
    const shopId = f.shopId ? idOf("Shop", f.shopId, "filter.shopId") : null;
    const buyerId = f.buyerId ? idOf("User", f.buyerId, "filter.buyerId") : null;
    const filter: q.CaseFilter = {
      statuses: f.statuses ?? undefined,
      reasons: f.reasons ?? undefined,
      openedFrom: f.openedFrom ?? undefined,
      openedTo: f.openedTo ?? undefined,
    };
    if (viewer.role === Role.ADMIN || viewer.role === Role.ANALYST) {
      if (shopId !== null) filter.shopIds = [shopId];
      if (buyerId !== null) filter.buyerId = buyerId;
    } else if (viewer.role === Role.MERCHANT) {
      const owned = await shopIdsOwnedBy(ctx.db, viewer.userId);
      if (shopId !== null && !owned.includes(shopId)) throw forbidden("reading another shop's cases");
      if (buyerId !== null) throw forbidden("filtering cases by buyer");
      filter.shopIds = shopId !== null ? [shopId] : owned;
    } else if (viewer.role === Role.BUYER) {
      if (shopId !== null || (buyerId !== null && buyerId !== viewer.userId)) throw forbidden("reading other buyers' cases");
      filter.buyerId = viewer.userId;
    } else throw forbidden("reading after-sales cases");
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, "afterSalesCases");
    if (after && !Number.isSafeInteger(after.value)) throw badInput("after is not a cursor of this list.", "after");
    const rows = await q.casePage(ctx.db, filter, after ? after.id : null, size);
    for (const row of rows) ctx.loaders.afterSalesCaseById.prime(row.id, row);
    return connectionOf(
      { nodes: rows.slice(0, size).map(toAfterSalesCase), hasNextPage: rows.length > size },
      (c) => ({ key: "afterSalesCases", value: c.rowId, id: c.rowId }),
      after !== null,
    );
  }

  /** afterSalesCaseUpdates: a buyer's own cases, or a merchant's shop's (one, or all it owns). Snapshot first. */
  async watchCases(ctx: Context, shopGlobalId: string | null): Promise<AsyncIterableIterator<{ snapshot: boolean; caseIds: number[] } | AccessRevoked>> {
    return ownerStream<{ snapshot: boolean; caseIds: number[] }>({
      bus: this.deps.bus,
      viewer: ctx.checked,
      refresh: activeViewer(this.deps.db),
      what: "cases",
      wantedShop: () => (shopGlobalId ? idOf("Shop", shopGlobalId, "shopId") : null),
      shopsOwnedBy: (userId) => shopIdsOwnedBy(this.deps.db, userId),
      subscribe: (key, push) => this.deps.bus.subscribe("afterSalesCaseUpdated", key, (e) => push({ snapshot: false, caseIds: e.caseIds })),
      snapshot: async (scope) => ({ snapshot: true, caseIds: (await q.openCases(this.deps.db, scope, SNAPSHOT_SIZE)).map((c) => c.id) }),
    });
  }

  /** The cases of a message, read fresh (a subscription's loaders would be stale). */
  async casesNow(caseIds: number[]): Promise<AfterSalesCase[]> {
    if (caseIds.length === 0) return [];
    const byId = new Map((await q.casesByIds(this.deps.db, caseIds)).map((r) => [r.id, r]));
    return caseIds.map((id) => byId.get(id)).filter((r): r is AfterSalesCaseRow => Boolean(r)).map(toAfterSalesCase);
  }

  private async decideBySystem(id: number, due: (row: AfterSalesCaseRow) => boolean, outcome: CaseOutcome, kind: "PASSIVE_HANDLING" | "AUTO_CLOSED"): Promise<boolean> {
    try {
      return await transaction(this.deps.db, async (tx) => {
        const row = await q.lockCase(tx, id);
        if (!row || !due(row)) return false;
        const note = outcome === "PASSIVE_HANDLING" ? "The merchant did not answer in time (passive handling)." : "Still open on day 15: decided for the buyer.";
        const result = await this.close(tx, row, outcome, row.requestedFen, null, note, kind);
        if ("errors" in result) throw new Rollback(false);
        return true;
      });
    } catch (error) {
      this.deps.log.error("after-sales case could not be decided", { caseId: id, outcome, error });
      return false;
    }
  }

  private viewerOf(ctx: Context): Viewer {
    if (!ctx.viewer) throw unauthenticated();
    return ctx.viewer;
  }

  private assertBuyer(row: AfterSalesCaseRow, viewer: Viewer): void {
    if (row.buyerId !== viewer.userId) throw forbidden("another buyer's case");
  }

  private async assertShopOwner(tx: Tx, row: AfterSalesCaseRow, viewer: Viewer): Promise<void> {
    if (viewer.role !== Role.MERCHANT || !(await shopIdsOwnedBy(tx, viewer.userId)).includes(row.shopId)) throw forbidden("answering another shop's cases");
  }

  /** What may still be asked back of an order: paid, less refunds, less the platform's compensations. */
  private async refundableFen(tx: DbOrTx, orderId: number, totalFen: number): Promise<number> {
    return totalFen - (await refundedFen(tx, orderId)) - (await q.compensatedFen(tx, orderId));
  }

  /**
   * One step under the case's row lock: authorisation first (a stranger learns nothing of the case's state), then
   * whether the status allows the step; `apply` checks its input before it writes anything.
   */
  private async step(
    ctx: Context,
    caseGlobalId: string,
    action: CaseAction,
    authorize: (tx: Tx, row: AfterSalesCaseRow) => Promise<void>,
    apply: (tx: Tx, row: AfterSalesCaseRow, now: Date) => Promise<StepResult>,
  ): Promise<CasePayload> {
    const caseId = idOf("AfterSalesCase", caseGlobalId, "caseId");
    const now = this.deps.clock.now();
    const outcome = await transaction(this.deps.db, async (tx): Promise<StepResult> => {
      const row = await q.lockCase(tx, caseId);
      if (!row) throw notFound("AfterSalesCase");
      await authorize(tx, row);
      if (!mayStep(action, row.status as CaseStatus)) {
        return refusal(AfterSalesErrorCode.ILLEGAL_STEP, `A ${row.status} case does not allow that step${row.outcome ? ` (${row.outcome})` : ""}.`);
      }
      const result = await apply(tx, row, now);
      // A refund refused inside the step leaves the savepoints clean; the transaction ends without a write.
      if ("errors" in result) throw new Rollback(result);
      return result;
    });
    if ("errors" in outcome) return { afterSalesCase: null, userErrors: outcome.errors };
    ctx.loaders.afterSalesCaseById.clear(caseId);
    ctx.log.info("after-sales step", { caseId, action, status: outcome.row.status, outcome: outcome.row.outcome, by: ctx.viewer?.userId });
    return { afterSalesCase: toAfterSalesCase(outcome.row), userErrors: [] };
  }

  /** A step that keeps the case open. */
  private async move(
    tx: Tx,
    row: AfterSalesCaseRow,
    to: CaseStatus,
    kind: "REJECTED" | "PARTIAL_OFFERED" | "ESCALATED",
    actor: Actor,
    values: Partial<AfterSalesCaseRow>,
    amountFen: number | null,
    note: string | null,
  ): Promise<StepResult> {
    const now = this.deps.clock.now();
    const moved = await q.updateCase(tx, row.id, { ...values, status: to });
    await q.insertEvents(tx, [{ caseId: row.id, kind, fromStatus: row.status, toStatus: to, actorId: actor?.userId ?? null, actorRole: actor?.role ?? null, amountFen, note, at: now }]);
    afterCommit(tx, () => this.publish([moved]));
    return { row: moved };
  }

  /**
   * Closes a case with its outcome. Decided for the buyer: `amountFen` (capped at what may still be asked back) is
   * refunded through fulfilment, or — quality or freight on a completed trade — paid by the platform (先行赔付).
   * Governance then books the outcome's credit deductions and the compensation, in this same transaction.
   */
  private async close(
    tx: Tx,
    row: AfterSalesCaseRow,
    outcome: CaseOutcome,
    amountFen: number,
    actor: Actor,
    note: string | null,
    kind: "ACCEPTED" | "OFFER_ACCEPTED" | "PASSIVE_HANDLING" | "ARBITRATED" | "AUTO_CLOSED" | "WITHDRAWN",
    values: Partial<AfterSalesCaseRow> = {},
  ): Promise<StepResult> {
    const now = this.deps.clock.now();
    let payment: ClosedCase["payment"] = "NONE";
    let paidFen = 0;
    if (decidedForBuyer(outcome)) {
      const [order] = await ordersByIds(tx, [row.orderId]);
      const remaining = order && order.status !== "CANCELLED" && order.status !== "REFUNDED" ? await this.refundableFen(tx, order.id, order.totalFen) : 0;
      if (outcome === "ARBITRATED_FOR_BUYER" && amountFen > remaining) {
        return refusal(AfterSalesErrorCode.EXCEEDS_REFUNDABLE, `At most ${formatFen(Math.max(0, remaining))} remains to be paid on this order.`, "amount");
      }
      paidFen = Math.max(0, Math.min(amountFen, remaining));
      if (paidFen > 0 && paysByCompensation(row.reason as CaseReason, order!.status)) {
        payment = "COMPENSATION";
      } else if (paidFen > 0) {
        payment = "REFUND";
        const refunder: Refunder = { userId: actor?.userId ?? null, role: actor?.role ?? null, asPlatform: true };
        const refunded = await this.deps.refunds.refund(refunder, row.orderId, formatFen(paidFen), `After-sales case ${row.id}: ${outcome}`, tx);
        if (refunded.userErrors.length > 0) {
          return refusal(AfterSalesErrorCode.REFUND_REFUSED, `The refund was refused: ${refunded.userErrors.map((e) => e.message).join(" ")}`);
        }
      }
    }
    const closed = await q.updateCase(tx, row.id, { ...values, status: "CLOSED", outcome, payment, paidFen, decisionNote: kind === "ARBITRATED" || !actor ? note : row.decisionNote, closedAt: now });
    const base = { caseId: row.id, actorId: actor?.userId ?? null, actorRole: actor?.role ?? null, at: now };
    const events: Parameters<typeof q.insertEvents>[1] = [{ ...base, kind, fromStatus: row.status, toStatus: "CLOSED", amountFen: decidedForBuyer(outcome) ? amountFen : null, note }];
    if (payment !== "NONE") events.push({ ...base, kind: payment === "REFUND" ? "REFUNDED" : "COMPENSATED", fromStatus: "CLOSED", toStatus: "CLOSED", amountFen: paidFen, note: null });
    await q.insertEvents(tx, events);
    await this.deps.consequences.caseClosed(tx, {
      caseId: row.id,
      orderId: row.orderId,
      shopId: row.shopId,
      buyerId: row.buyerId,
      reason: row.reason as CaseReason,
      outcome,
      payment,
      paidFen,
      at: now,
    });
    afterCommit(tx, () => this.publish([closed]));
    return { row: closed };
  }

  private async publish(rows: AfterSalesCaseRow[]): Promise<void> {
    const channels = new Map<string, number[]>();
    for (const r of rows) {
      for (const key of [`buyer:${r.buyerId}`, `shop:${r.shopId}`]) channels.set(key, [...(channels.get(key) ?? []), r.id]);
    }
    for (const [key, ids] of channels) {
      for (let i = 0; i < ids.length; i += MESSAGE_IDS) {
        await this.deps.bus.publish("afterSalesCaseUpdated", key, { caseIds: ids.slice(i, i + MESSAGE_IDS) }).catch((error) => {
          // Committed already: a lost message only delays the subscriber until its next snapshot.
          this.deps.log.warn("could not publish afterSalesCaseUpdated", { key, error });
        });
      }
    }
  }
}

const actorOf = (viewer: Viewer): Actor => ({ userId: viewer.userId, role: viewer.role });

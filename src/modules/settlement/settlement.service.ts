import type { Context } from "../../shared/context.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { SettlementRow } from "../../db/schema/index.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { badInput, forbidden, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { pageSize } from "../../shared/pagination.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";
import { balances, entriesOf, post, PLATFORM, type LedgerAccountKind } from "../ledger/index.js";
import { shopIdsOwnedBy } from "../catalog/index.js";
import type { OrderChange } from "../fulfilment/index.js";
import * as q from "./settlement.queries.js";
import { reversal, SettlementErrorCode, type SettlementTerms } from "./settlement.rules.js";
import { inBackground } from "../../shared/background.js";

export type SettlementUserError = UserErrorValue<SettlementErrorCode>;

/** Ports the settlement run uses from fulfilment: receipts due by `asOf` first, and telling subscribers after commit. */
export interface FulfilmentPort {
  autoReceive(asOf: Date): Promise<number>;
  publishChanges(changes: OrderChange[]): Promise<void>;
}

export interface RunResult {
  runId: number | null;
  asOf: Date;
  ordersSettled: number;
  amountFen: number;
  autoReceived: number;
}

export type PayoutParty = "SHOP" | "PROMOTER" | "PLATFORM";

const PARTY_ACCOUNTS: Record<PayoutParty, LedgerAccountKind[]> = {
  SHOP: ["MERCHANT"],
  PROMOTER: ["PROMOTER"],
  PLATFORM: ["PLATFORM_PROMOTION_FEE", "PLATFORM_TECHNICAL_FEE"],
};
const STATEMENT_LINES = 200;

/**
 * Stateless money postings a refund needs, inside the refund's transaction: before settlement the money leaves
 * escrow; after it, each party gives back its share per the order's split (reversal entries, never edits).
 */
export async function postRefund(tx: Tx, refund: { refundId: number; orderId: number; amountFen: number; settled: boolean; at: Date }): Promise<void> {
  const base = { orderId: refund.orderId, refundId: refund.refundId, at: refund.at };
  if (!refund.settled) {
    await post(tx, {
      ...base,
      kind: "REFUND",
      lines: [
        { kind: "ESCROW", ownerId: PLATFORM, amountFen: -refund.amountFen },
        { kind: "BUYER_REFUNDS", ownerId: PLATFORM, amountFen: refund.amountFen },
      ],
    });
    return;
  }
  const settled = await q.settlementOf(tx, refund.orderId);
  if (!settled) throw new Error(`order ${refund.orderId} is SETTLED without a settlement row`);
  const before = await q.refundedAfterSettlement(tx, refund.orderId, refund.refundId);
  const back = reversal(settled, before, refund.amountFen);
  // The merchant's share comes back from where its money is now: the held account while payouts are frozen.
  const frozen = (await q.openFreeze(tx, settled.shopId)) !== null;
  await post(tx, {
    ...base,
    kind: "REFUND_REVERSAL",
    lines: [
      { kind: frozen ? "MERCHANT_HELD" : "MERCHANT", ownerId: settled.shopId, amountFen: -back.merchantFen },
      { kind: "PROMOTER", ownerId: settled.promoterId ?? PLATFORM, amountFen: -back.promoterFen },
      { kind: "PLATFORM_PROMOTION_FEE", ownerId: PLATFORM, amountFen: -back.promotionFeeFen },
      { kind: "PLATFORM_TECHNICAL_FEE", ownerId: PLATFORM, amountFen: -back.technicalFeeFen },
      { kind: "BUYER_REFUNDS", ownerId: PLATFORM, amountFen: refund.amountFen },
    ],
  });
}

export class SettlementService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly deps: { db: Db; clock: Clock; log: Logger; terms: SettlementTerms; fulfilment: FulfilmentPort; intervalMs: number },
  ) {}

  /** The schedule: at start and every interval, if no other process is settling, receipts then settlement as of now. */
  start(): void {
    if (this.deps.intervalMs <= 0 || this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = inBackground("settlement schedule", () => this.settle(this.deps.clock.now(), { trigger: "SCHEDULE", by: null, wait: false }))
        .catch((error) => this.deps.log.error("scheduled settlement failed", { error }))
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, this.deps.intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One run: auto-receipts due by `asOf`, then every order received at least 7 days before `asOf`, in one
   * transaction under the advisory lock. `wait: false` (the schedule) skips when another run holds the lock.
   */
  async settle(asOf: Date, options: { trigger: "SCHEDULE" | "ADMIN"; by: number | null; wait: boolean }): Promise<RunResult> {
    const { db, clock, terms, fulfilment, log } = this.deps;
    const autoReceived = await fulfilment.autoReceive(asOf);
    const now = clock.now();
    const outcome = await transaction(db, async (tx) => {
      if (!(await q.lockSettlement(tx, options.wait))) return null;
      const run = await q.insertRun(tx, { asOf, trigger: options.trigger, startedBy: options.by, startedAt: now });
      const settled = await q.settleDue(tx, run.id, asOf, now, terms);
      afterCommit(tx, () => fulfilment.publishChanges(settled.changes));
      return { runId: run.id, ...settled };
    });
    if (!outcome) return { runId: null, asOf, ordersSettled: 0, amountFen: 0, autoReceived };
    if (outcome.ordersSettled > 0) log.info("settled orders", { runId: outcome.runId, orders: outcome.ordersSettled, amountFen: outcome.amountFen });
    return { runId: outcome.runId, asOf, ordersSettled: outcome.ordersSettled, amountFen: outcome.amountFen, autoReceived };
  }

  async runSettlement(ctx: Context, asOf: Date | null): Promise<{ run: RunResult | null; userErrors: SettlementUserError[] }> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.ADMIN) throw forbidden("running settlements");
    const now = this.deps.clock.now();
    const at = asOf ?? now;
    if (at.getTime() > now.getTime()) {
      return { run: null, userErrors: [userError(SettlementErrorCode.AS_OF_IN_FUTURE, "asOf may not lie in the future: orders settle 7 days after receipt, not earlier.", "asOf")] };
    }
    return { run: await this.settle(at, { trigger: "ADMIN", by: viewer.userId, wait: true }), userErrors: [] };
  }

  /** Governance's port: a shop's payouts freeze (new settlements go to its held account). */
  async freezePayouts(shopId: number, reason: string, by: number | null, db: DbOrTx = this.deps.db): Promise<SettlementUserError[]> {
    const row = await q.insertFreeze(db, { shopId, reason, frozenBy: by, frozenAt: this.deps.clock.now() });
    return row ? [] : [userError(SettlementErrorCode.ALREADY_FROZEN, "The shop's payouts are already frozen.", "shopId")];
  }

  /**
   * Governance's port: the freeze lifts and everything held moves to the shop's payable account (one posting); inside
   * the caller's transaction when `db` is one.
   */
  async releasePayouts(shopId: number, by: number | null, db: DbOrTx = this.deps.db): Promise<SettlementUserError[]> {
    const now = this.deps.clock.now();
    const released = await transaction(db, async (tx) => {
      // Serialised with settlement runs: a run never credits the held account of a freeze released meanwhile.
      await q.lockSettlement(tx, true);
      const freeze = await q.openFreeze(tx, shopId, true);
      if (!freeze) return false;
      await q.releaseFreeze(tx, freeze.id, by, now);
      const held = (await balances(tx, ["MERCHANT_HELD"], shopId)).MERCHANT_HELD!;
      await post(tx, {
        kind: "HOLD_RELEASE",
        at: now,
        lines: [
          { kind: "MERCHANT_HELD", ownerId: shopId, amountFen: -held },
          { kind: "MERCHANT", ownerId: shopId, amountFen: held },
        ],
      });
      return true;
    });
    return released ? [] : [userError(SettlementErrorCode.NOT_FROZEN, "The shop's payouts are not frozen.", "shopId")];
  }

  async isFrozen(shopId: number): Promise<boolean> {
    return (await q.openFreeze(this.deps.db, shopId)) !== null;
  }

  async setTechnicalFeeRate(category: string, rateBps: number): Promise<SettlementUserError[]> {
    const name = category.trim();
    if (name.length < 1 || name.length > 100 || /[\u0000-\u001f]/.test(name)) {
      return [userError(SettlementErrorCode.INVALID_CATEGORY, "The category must be 1–100 printable characters.", "category")];
    }
    if (!Number.isInteger(rateBps) || rateBps < 0 || rateBps > 5000) {
      return [userError(SettlementErrorCode.INVALID_RATE, "The rate must be 0–5000 basis points (0–50%).", "rateBps")];
    }
    await q.upsertTechnicalRate(this.deps.db, name, rateBps, this.deps.clock.now());
    return [];
  }

  technicalRates() {
    return q.technicalRates(this.deps.db);
  }

  get defaultTechnicalBps(): number {
    return this.deps.terms.defaultTechnicalBps;
  }

  /** Who may read which settlements: merchants their shops', promoters their own, admins and analysts all. */
  async settlements(ctx: Context, args: { first?: number | null; after?: string | null; shopId?: string | null; promoterId?: string | null; from?: Date | null; to?: Date | null }) {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const filter: { shopIds?: number[]; promoterId?: number; from?: Date; to?: Date } = { from: args.from ?? undefined, to: args.to ?? undefined };
    const shopId = args.shopId ? idOf("Shop", args.shopId, "shopId") : null;
    const promoterId = args.promoterId ? idOf("User", args.promoterId, "promoterId") : null;
    if (viewer.role === Role.ADMIN || viewer.role === Role.ANALYST) {
      if (shopId !== null) filter.shopIds = [shopId];
      if (promoterId !== null) filter.promoterId = promoterId;
    } else if (viewer.role === Role.MERCHANT) {
      const owned = await this.ownedShops(viewer.userId);
      if (shopId !== null && !owned.includes(shopId)) throw forbidden("reading another shop's settlements");
      filter.shopIds = shopId !== null ? [shopId] : owned;
    } else if (viewer.role === Role.PROMOTER) {
      if (promoterId !== null && promoterId !== viewer.userId) throw forbidden("reading another promoter's settlements");
      filter.promoterId = viewer.userId;
    } else throw forbidden("reading settlements");
    const size = pageSize(args.first);
    const after = args.after ? idOf("Order", Buffer.from(args.after, "base64url").toString("utf8"), "after") : null;
    const rows = await q.settlementPage(ctx.db, filter, after, size);
    return { rows: rows.slice(0, size), hasNextPage: rows.length > size, hadCursor: after !== null };
  }

  /** One settlement (node(id:) and Order.settlement): the parties of the order, admins and analysts. */
  async settlement(ctx: Context, orderId: number): Promise<SettlementRow | null> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const row = await ctx.loaders.settlementByOrderId.load(orderId);
    if (!row) return null;
    if (viewer.role === Role.ADMIN || viewer.role === Role.ANALYST || row.promoterId === viewer.userId || row.buyerId === viewer.userId) return row;
    const shop = await ctx.loaders.shopById.load(row.shopId);
    if (shop?.ownerId === viewer.userId) return row;
    throw forbidden("reading this settlement");
  }

  /** A party's statement for [from, to): opening and closing balances of its payable account, its entries, and what is held. */
  async payoutStatement(ctx: Context, args: { party: PayoutParty; shopId?: string | null; promoterId?: string | null; from: Date; to: Date }) {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (args.to <= args.from) throw badInput("`to` must come after `from`.", "to");
    const staff = viewer.role === Role.ADMIN || viewer.role === Role.ANALYST;
    let ownerId: number;
    if (args.party === "SHOP") {
      if (!args.shopId) throw forbidden("a shop statement without shopId");
      ownerId = idOf("Shop", args.shopId, "shopId");
      if (!staff && !(viewer.role === Role.MERCHANT && (await this.ownedShops(viewer.userId)).includes(ownerId))) throw forbidden("reading another shop's statement");
    } else if (args.party === "PROMOTER") {
      if (!args.promoterId && viewer.role !== Role.PROMOTER) throw badInput("Name the promoter (promoterId).", "promoterId");
      ownerId = args.promoterId ? idOf("User", args.promoterId, "promoterId") : viewer.userId;
      if (!staff && !(viewer.role === Role.PROMOTER && ownerId === viewer.userId)) throw forbidden("reading another promoter's statement");
    } else {
      if (!staff) throw forbidden("reading the platform's statement");
      ownerId = PLATFORM;
    }
    const kinds = PARTY_ACCOUNTS[args.party];
    const sum = (b: Record<string, number>) => kinds.reduce((s, k) => s + (b[k] ?? 0), 0);
    const [opening, closing, lines, held] = await Promise.all([
      balances(ctx.db, kinds, ownerId, args.from).then(sum),
      balances(ctx.db, kinds, ownerId, args.to).then(sum),
      entriesOf(ctx.db, kinds, ownerId, args.from, args.to, STATEMENT_LINES + 1),
      args.party === "SHOP" ? balances(ctx.db, ["MERCHANT_HELD"], ownerId, args.to).then((b) => b.MERCHANT_HELD!) : Promise.resolve(0),
    ]);
    const frozen = args.party === "SHOP" ? await this.isFrozen(ownerId) : false;
    return {
        party: args.party,
        ownerId,
        from: args.from,
        to: args.to,
        openingFen: opening,
        closingFen: closing,
        heldFen: held,
        frozen,
        lines: lines.slice(0, STATEMENT_LINES),
        truncated: lines.length > STATEMENT_LINES,
    };
  }

  async reconciliation(ctx: Context, from: Date, to: Date) {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.ADMIN && viewer.role !== Role.ANALYST) throw forbidden("reconciliation");
    if (to <= from) throw badInput("`to` must come after `from`.", "to");
    const r = await q.reconcile(ctx.db, from, to);
    return { ...r, difference: r.payments - (r.merchant + r.promoter + r.platform + r.pending + r.refunded), from, to };
  }

  private ownedShops(userId: number): Promise<number[]> {
    return shopIdsOwnedBy(this.deps.db, userId);
  }
}

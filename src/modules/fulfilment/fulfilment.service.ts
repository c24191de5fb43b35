import type { Context } from "../../shared/context.js";
import { TEXT_LIMITS } from "../../shared/text.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { OrderRow } from "../../db/schema/index.js";
import type { EventBus } from "../../realtime/bus.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { AccessRevoked } from "../../realtime/guarded-stream.js";
import { ownerStream } from "../../realtime/owner-stream.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { parseAmount } from "../../shared/money.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";
import { activeViewer } from "../accounts/index.js";
import { shopIdsOwnedBy } from "../catalog/index.js";
import { toOrder, type Order } from "../orders/index.js";
import type { ConfirmReceiptInput, RefundOrderInput, ShipOrderInput } from "./fulfilment.inputs.js";
import * as q from "./fulfilment.queries.js";
import {
  cleanText,
  illegalMessage,
  MAX_REASON,
  MAX_SHIPMENT_TEXT,
  mayTransition,
  OrderTransitionErrorCode,
  refundable,
  type Transition,
} from "./fulfilment.rules.js";

export type OrderTransitionUserError = UserErrorValue<OrderTransitionErrorCode>;

export interface TransitionResult {
  order: Order | null;
  userErrors: OrderTransitionUserError[];
}

/** An order that moved, for orderUpdates (its buyer's and its shop's channels). */
export interface OrderChange {
  orderId: number;
  buyerId: number;
  shopId: number;
}

/** Port: the money side of a refund, posted inside the refund's transaction (the settlement module's ledger). */
export interface RefundLedger {
  postRefund(tx: Tx, refund: { refundId: number; orderId: number; amountFen: number; settled: boolean; at: Date }): Promise<void>;
}

/** Who refunds: the merchant before shipping, the platform (after-sales decisions) at any stage; no user for the system's. */
export interface Refunder {
  userId: number | null;
  role: Role | null;
  asPlatform: boolean;
}

const MESSAGE_IDS = 100;
const SNAPSHOT_SIZE = 50;

const refuse = (code: OrderTransitionErrorCode, message: string, field?: string): TransitionResult => ({ order: null, userErrors: [userError(code, message, field)] });

export class FulfilmentService {
  constructor(
    private readonly deps: { db: Db; bus: EventBus; clock: Clock; log: Logger; autoReceiveDays: number; refunds: RefundLedger; listings: ListingNotices },
  ) {}

  get autoReceiveDays(): number {
    return this.deps.autoReceiveDays;
  }

  async shipOrder(ctx: Context, input: ShipOrderInput): Promise<TransitionResult> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const orderId = idOf("Order", input.orderId, "orderId");
    const carrier = cleanText(input.carrier, TEXT_LIMITS.shipmentText);
    const tracking = cleanText(input.trackingNumber, TEXT_LIMITS.shipmentText);
    return this.transition(this.deps.db, orderId, "SHIP", (tx, order) => this.assertShopOwner(tx, order, viewer.userId), async (tx, order, now) => {
      if (!carrier) return refuse(OrderTransitionErrorCode.INVALID_SHIPMENT, `The carrier must be 1–${MAX_SHIPMENT_TEXT} printable characters.`, "carrier");
      if (!tracking) return refuse(OrderTransitionErrorCode.INVALID_SHIPMENT, `The tracking number must be 1–${MAX_SHIPMENT_TEXT} printable characters.`, "trackingNumber");
      await q.insertShipment(tx, { orderId: order.id, carrier, trackingNumber: tracking, shippedBy: viewer.userId, shippedAt: now });
      const moved = await q.setStatus(tx, order.id, "SHIPPED");
      await q.insertEvent(tx, { orderId: order.id, kind: "SHIPPED", fromStatus: order.status, toStatus: "SHIPPED", actorId: viewer.userId, actorRole: viewer.role, note: `${carrier} ${tracking}`, at: now });
      return moved;
    });
  }

  async confirmReceipt(ctx: Context, input: ConfirmReceiptInput): Promise<TransitionResult> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const orderId = idOf("Order", input.orderId, "orderId");
    const authorize = async (_tx: Tx, order: OrderRow) => {
      if (order.buyerId !== viewer.userId) throw forbidden("confirming another buyer's order");
    };
    return this.transition(this.deps.db, orderId, "CONFIRM_RECEIPT", authorize, async (tx, order, now) => {
      const moved = await q.setStatus(tx, order.id, "RECEIVED", now);
      await q.insertEvent(tx, { orderId: order.id, kind: "RECEIVED", fromStatus: order.status, toStatus: "RECEIVED", actorId: viewer.userId, actorRole: viewer.role, at: now });
      return moved;
    });
  }

  /** refundOrder: the shop's merchant (before shipping) or an admin (an after-sales decision, at any stage). */
  async refundOrder(ctx: Context, input: RefundOrderInput): Promise<TransitionResult> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.MERCHANT && viewer.role !== Role.ADMIN) throw forbidden("refunding orders");
    return this.refund({ userId: viewer.userId, role: viewer.role, asPlatform: viewer.role === Role.ADMIN }, idOf("Order", input.orderId, "orderId"), input.amount ?? null, input.reason);
  }

  /**
   * A refund of `amount` (null: all that remains). The port other modules (after-sales) call with
   * `asPlatform`, inside their own transaction (`db`) if they like: the refund then commits with it. Under the order's row lock: never more than what remains refundable, whatever runs at once.
   */
  async refund(refunder: Refunder, orderId: number, amount: string | null, reasonText: string, db: DbOrTx = this.deps.db): Promise<TransitionResult> {
    const transition: Transition = refunder.asPlatform ? "REFUND_BY_PLATFORM" : "REFUND_BY_MERCHANT";
    const authorize = async (tx: Tx, order: OrderRow) => {
      if (!refunder.asPlatform) await this.assertShopOwner(tx, order, refunder.userId!);
    };
    return this.transition(db, orderId, transition, authorize, async (tx, order, now) => {
      const reason = cleanText(reasonText, TEXT_LIMITS.adminReason);
      if (!reason) return refuse(OrderTransitionErrorCode.INVALID_REASON, `The reason must be 1–${MAX_REASON} printable characters.`, "reason");
      const remaining = refundable(order.totalFen, await q.refundedFen(tx, order.id));
      const amountFen = amount === null ? remaining : parseAmount(amount);
      if (amountFen === null || amountFen <= 0) return refuse(OrderTransitionErrorCode.INVALID_AMOUNT, "The amount must be a decimal above 0.00, e.g. \"12.50\".", "amount");
      if (amountFen > remaining) {
        return refuse(OrderTransitionErrorCode.EXCEEDS_REFUNDABLE, `At most ${(remaining / 100).toFixed(2)} remains refundable.`, "amount");
      }
      const settled = order.status === "SETTLED";
      const refund = await q.insertRefund(tx, { orderId: order.id, amountFen, afterSettlement: settled, reason, actorId: refunder.userId, at: now });
      await this.deps.refunds.postRefund(tx, { refundId: refund.id, orderId: order.id, amountFen, settled, at: now });
      const to = amountFen === remaining ? "REFUNDED" : order.status;
      const moved = to === order.status ? order : await q.setStatus(tx, order.id, to);
      // A refunded order no longer counts as sold (the selection center's units sold in 30 days).
      if (moved !== order) afterCommit(tx, () => this.deps.listings.salesChanged([order.productId]));
      await q.insertEvent(tx, { orderId: order.id, kind: "REFUNDED", fromStatus: order.status, toStatus: to, actorId: refunder.userId, actorRole: refunder.role, amountFen, note: reason, at: now });
      return moved;
    });
  }

  /** Shipped orders past the auto-receipt delay at `asOf` become RECEIVED (set-based); subscribers are told. */
  async autoReceive(asOf: Date): Promise<number> {
    return transaction(this.deps.db, async (tx) => {
      const moved = await q.autoReceive(tx, asOf, this.deps.autoReceiveDays);
      afterCommit(tx, () => this.publishChanges(moved));
      return moved.length;
    });
  }

  /** After a commit: tells each buyer and each shop which of their orders moved (in messages of at most 100 ids). */
  async publishChanges(changes: OrderChange[]): Promise<void> {
    const channels = new Map<string, number[]>();
    const add = (key: string, id: number) => {
      let ids = channels.get(key);
      if (!ids) channels.set(key, (ids = []));
      ids.push(id);
    };
    for (const c of changes) {
      add(`buyer:${c.buyerId}`, c.orderId);
      add(`shop:${c.shopId}`, c.orderId);
    }
    for (const [key, ids] of channels) {
      for (let i = 0; i < ids.length; i += MESSAGE_IDS) {
        await this.deps.bus.publish("orderUpdated", key, { orderIds: ids.slice(i, i + MESSAGE_IDS) }).catch((error) => {
          // Committed already: a lost message only delays the subscriber until its next snapshot.
          this.deps.log.warn("could not publish orderUpdated", { key, error });
        });
      }
    }
  }

  /** orderUpdates: a buyer's own orders, or a merchant's shop's (one shop, or all it owns). Snapshot first. */
  async watchOrders(ctx: Context, shopGlobalId: string | null): Promise<AsyncIterableIterator<{ snapshot: boolean; orderIds: number[] } | AccessRevoked>> {
    return ownerStream<{ snapshot: boolean; orderIds: number[] }>({
      bus: this.deps.bus,
      viewer: ctx.checked,
      refresh: activeViewer(this.deps.db),
      what: "orders",
      wantedShop: () => (shopGlobalId ? idOf("Shop", shopGlobalId, "shopId") : null),
      shopsOwnedBy: (userId) => shopIdsOwnedBy(this.deps.db, userId),
      subscribe: (key, push) => this.deps.bus.subscribe("orderUpdated", key, (e) => push({ snapshot: false, orderIds: e.orderIds })),
      snapshot: async (scope) => ({ snapshot: true, orderIds: (await q.openOrders(this.deps.db, scope, SNAPSHOT_SIZE)).map((o) => o.id) }),
    });
  }

  /** The orders of a message, read fresh (a subscription's loaders would be stale). */
  async ordersNow(orderIds: number[]): Promise<Order[]> {
    if (orderIds.length === 0) return [];
    const rows = await q.ordersByIds(this.deps.db, orderIds);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return orderIds.map((id) => byId.get(id)).filter((r): r is OrderRow => Boolean(r)).map(toOrder);
  }

  private async assertShopOwner(tx: Tx, order: OrderRow, userId: number): Promise<void> {
    const owned = await shopIdsOwnedBy(tx, userId);
    if (!owned.includes(order.shopId)) throw forbidden("changing another shop's orders");
  }

  /**
   * One transition of one order under its row lock. Authorisation comes first (a stranger learns nothing of the
   * order's state); an illegal transition is a userError and changes nothing.
   */
  private async transition(
    db: DbOrTx,
    orderId: number,
    transition: Transition,
    authorize: (tx: Tx, order: OrderRow) => Promise<void>,
    apply: (tx: Tx, order: OrderRow, now: Date) => Promise<OrderRow | TransitionResult>,
  ): Promise<TransitionResult> {
    const now = this.deps.clock.now();
    const result = await transaction(db, async (tx) => {
      const order = await q.lockOrder(tx, orderId);
      if (!order) throw notFound("Order");
      await authorize(tx, order);
      if (!mayTransition(transition, order.status)) return refuse(OrderTransitionErrorCode.ILLEGAL_TRANSITION, illegalMessage(transition, order.status));
      // apply checks its input before it writes anything: a userError leaves nothing behind.
      const outcome = await apply(tx, order, now);
      if (!("userErrors" in outcome)) afterCommit(tx, () => this.publishChanges([{ orderId: outcome.id, buyerId: outcome.buyerId, shopId: outcome.shopId }]));
      return outcome;
    });
    if ("userErrors" in result) return result;
    return { order: toOrder(result), userErrors: [] };
  }
}

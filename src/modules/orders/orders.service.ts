import { createHash, randomUUID } from "node:crypto";
import type { Context } from "../../shared/context.js";
import type { Db, Tx } from "../../db/client.js";
import { afterCommit, Rollback, transaction } from "../../db/transaction.js";
import type { CouponRow, OrderRow } from "../../db/schema/index.js";
import type { EventBus } from "../../realtime/bus.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { badInput, forbidden, isUnavailable, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { formatFen, parseAmount } from "../../shared/money.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";
import { isOnShelf, promoterShopId, resolveCommissionRates } from "../alliance/index.js";
import * as catalog from "../catalog/index.js";
import * as flash from "../flash-sales/index.js";
import type { AdmissionGate, FlashSaleService } from "../flash-sales/index.js";
import * as live from "../live/index.js";
import { OrderBatcher } from "./order-batcher.js";
import type { CreateCouponInput, PlaceOrderInput } from "./orders.inputs.js";
import * as q from "./orders.queries.js";
import {
  CouponErrorCode,
  couponExceedsPrice,
  couponRefusal,
  discountRefusal,
  IDEMPOTENCY_KEY,
  IDEMPOTENCY_KEY_RULE,
  MAX_COUPON_QUANTITY,
  MAX_ORDER_QUANTITY,
  PlaceOrderErrorCode,
  pointsCapFen,
  priceOrder,
} from "./orders.rules.js";
import { toCoupon, toOrder, type Coupon, type Order } from "./orders.type.js";

export type PlaceOrderUserError = UserErrorValue<PlaceOrderErrorCode>;

export type CouponUserError = UserErrorValue<CouponErrorCode>;

/** The parts of an order a guard (price guard) judges before it is written. */
export interface OrderDraft {
  productId: number;
  shopId: number;
  promoterId: number | null;
  promoterShopId: number | null;
  /** The host sells its own shop's goods (direct selling): every price part, subsidy included, is the shop's. */
  directSale: boolean;
  liveSessionId: number | null;
  flashSaleId: number | null;
  quantity: number;
  unitPriceFen: number;
  listPriceFen: number;
  shopCouponFen: number;
  promoterCouponFen: number;
  pointsFen: number;
  subsidyPerUnitFen: number;
  handPriceFen: number;
}

/** The port orders are given at construction for buying and coupons (the price guard refuses and records violations). */
export interface OrderGuard {
  /** Reads, in `tx`, what `checkOrder` will need for orders of this product by this promoter (so it can go out beside other reads). */
  prepareOrders(tx: Tx, sale: Pick<OrderDraft, "productId" | "promoterId" | "promoterShopId">, now: Date): Promise<void>;
  /** Runs inside the order's transaction (alerts it raises go out once that commits); a refusal code stops that order. */
  checkOrder(tx: Tx, draft: OrderDraft, now: Date): Promise<{ code: PlaceOrderErrorCode; message: string } | null>;
  /** Runs in the coupon's transaction; alerts it raises go out only if that transaction commits. */
  checkCoupon(
    ctx: Context,
    tx: Tx,
    coupon: { productId: number; amountFen: number; minSpendFen: number; issuer: "SHOP" | "PROMOTER"; issuerShopId: number },
  ): Promise<CouponUserError[]>;
}

interface FlashRequest {
  buyerId: number;
  key: string;
  /** R10: digest of what was asked (target, quantity, coupon, points); a key replays only with the same one. */
  hash: string;
  quantity: number;
  couponCode: string | null;
  pointsFen: number;
}

type FlashOutcome =
  | { kind: "ACCEPTED"; order: OrderRow }
  | { kind: "EXISTING"; order: OrderRow }
  | { kind: "REFUSED"; error: PlaceOrderUserError; ledgerDisagrees: boolean }
  /** This order's row could not be written; the other orders of its batch were. */
  | { kind: "FAILED"; error: Error };

interface PlaceOrderResult {
  order: Order | null;
  userErrors: PlaceOrderUserError[];
}

const refuse = (code: PlaceOrderErrorCode, message: string, field?: string): PlaceOrderResult => ({
  order: null,
  userErrors: [userError(code, message, field)],
});

const MESSAGES: Partial<Record<PlaceOrderErrorCode, string>> = {
  SOLD_OUT: "The flash sale is sold out.",
  NOT_ENOUGH_UNITS: "Fewer units are left than you asked for.",
  LIMIT_REACHED: "You have reached this flash sale's per-buyer limit.",
  ENDED: "The flash sale has ended.",
  NOT_STARTED: "The flash sale has not started yet.",
  SHOP_CANNOT_SELL: "The shop cannot sell in live sessions now.",
  IN_PROGRESS: "An order with this idempotency key is still being placed; retry shortly.",
  IDEMPOTENCY_KEY_REUSED: "This idempotency key was used for a different order: use a new key for a new order.",
  COUPON_INVALID: "The coupon does not apply to this product.",
  COUPON_NOT_ACTIVE: "The coupon is not valid now.",
  COUPON_MIN_SPEND: "The order does not reach the coupon's minimum spend.",
  COUPON_EXHAUSTED: "The coupon has been used up.",
  COUPON_LIMIT_REACHED: "You have used this coupon as often as it allows.",
};
const message = (code: PlaceOrderErrorCode) => MESSAGES[code] ?? code;

class DuplicateKey extends Error {}

/** Live sessions whose promoter `sellingContext` keeps at most (ids only; forgotten all at once past this). */
const MAX_KEPT_SESSIONS = 10_000;

/** A batch's one-statement write failed (and its transaction with it): the batch is tried again order by order. */
class BatchWriteFailed extends Error {
  constructor(cause: unknown) {
    super("the batch's orders could not be written in one statement", { cause });
  }
}

/** An order's key within a batch: its buyer and idempotency key. */
const keyOf = (buyerId: number, idempotencyKey: string) => `${buyerId}:${idempotencyKey}`;

type SellingContext = Awaited<ReturnType<OrderService["sellingContext"]>>;

/** The coupons (known codes) a set of orders asks to redeem. */
const couponIdsOf = (requests: { couponCode: string | null }[], context: SellingContext) => [
  ...new Set(requests.flatMap((r) => (r.couponCode && context.coupons.get(r.couponCode) ? [context.coupons.get(r.couponCode)!.id] : []))),
];

/** R10: an order's row and the request being replayed match when the digests agree (rows from before digests: always). */
const sameRequest = (row: OrderRow, req: FlashRequest) => row.requestHash === null || row.requestHash === req.hash;

/** The answer to a replayed key: its order, or IDEMPOTENCY_KEY_REUSED when the request differs. Nothing changes either way. */
function replay(row: OrderRow, req: FlashRequest): PlaceOrderResult {
  if (sameRequest(row, req)) return { order: toOrder(row), userErrors: [] };
  return refuse(PlaceOrderErrorCode.IDEMPOTENCY_KEY_REUSED, message(PlaceOrderErrorCode.IDEMPOTENCY_KEY_REUSED), "idempotencyKey");
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/**
 * The coupons one order transaction redeems, locked (in id order) with their counts and the buyers' uses read under
 * the lock, plus what the transaction's own orders have taken so far: N concurrent orders never redeem more than a
 * coupon's quantity, nor a buyer more than its limit, on any number of gateway processes.
 */
class CouponBook {
  private readonly taken = new Map<number, number>();
  private readonly takenBy = new Map<string, number>();

  private constructor(
    private readonly rows: Map<number, CouponRow>,
    private readonly uses: Map<string, number>,
  ) {}

  static async open(tx: Tx, couponIds: number[], buyerIds: number[]): Promise<CouponBook> {
    if (couponIds.length === 0) return new CouponBook(new Map(), new Map());
    const rows = await q.lockCoupons(tx, couponIds);
    const uses = await q.couponUses(tx, couponIds, buyerIds);
    return new CouponBook(new Map(rows.map((r) => [r.id, r])), new Map(uses.map((u) => [`${u.couponId}:${u.buyerId}`, u.uses])));
  }

  coupon(id: number): CouponRow | undefined {
    return this.rows.get(id);
  }

  refusal(coupon: CouponRow, buyerId: number, productId: number, subtotalFen: number, now: Date): PlaceOrderErrorCode | null {
    const locked = this.rows.get(coupon.id) ?? coupon;
    const key = `${coupon.id}:${buyerId}`;
    return couponRefusal(
      locked,
      {
        totalQuantity: locked.totalQuantity,
        perBuyerLimit: locked.perBuyerLimit,
        redeemed: locked.redeemedCount + (this.taken.get(coupon.id) ?? 0),
        byBuyer: (this.uses.get(key) ?? 0) + (this.takenBy.get(key) ?? 0),
      },
      productId,
      subtotalFen,
      now,
    );
  }

  take(couponId: number, buyerId: number) {
    const key = `${couponId}:${buyerId}`;
    this.taken.set(couponId, (this.taken.get(couponId) ?? 0) + 1);
    this.takenBy.set(key, (this.takenBy.get(key) ?? 0) + 1);
  }
}

export class OrderService {
  private readonly batcher: OrderBatcher<FlashRequest, FlashOutcome>;
  private readonly guard: OrderGuard | null;
  /** The promoter of each live session this process has sold in (a session's promoter never changes). */
  private readonly sessionPromoters = new Map<number, number | null>();

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      gate: AdmissionGate;
      clock: Clock;
      log: Logger;
      flashSales: FlashSaleService;
      maxBatch: number;
      guard: OrderGuard | null;
      /** Read caches hear of the stock an order takes. */
      listings: ListingNotices;
    },
  ) {
    this.guard = deps.guard;
    this.batcher = new OrderBatcher((saleId, batch) => this.commitFlashBatch(saleId, batch), deps.maxBatch, isUnavailable);
  }

  async order(ctx: Context, rowId: number): Promise<Order | null> {
    const row = await ctx.loaders.orderById.load(rowId);
    if (!row) return null;
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const shop = await ctx.loaders.shopById.load(row.shopId);
    const allowed =
      viewer.role === Role.ADMIN ||
      viewer.role === Role.ANALYST ||
      row.buyerId === viewer.userId ||
      row.promoterId === viewer.userId ||
      shop?.ownerId === viewer.userId;
    if (!allowed) throw forbidden("reading this order");
    return toOrder(row);
  }

  async placeOrder(ctx: Context, input: PlaceOrderInput): Promise<PlaceOrderResult> {
    if (!ctx.viewer) throw unauthenticated();
    const key = input.idempotencyKey;
    // A malformed key is a malformed request, refused before anything (a batch included) sees it.
    if (!IDEMPOTENCY_KEY.test(key)) throw badInput(`The idempotency key must be ${IDEMPOTENCY_KEY_RULE}.`, "input.idempotencyKey");
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_ORDER_QUANTITY) {
      return refuse(PlaceOrderErrorCode.INVALID_QUANTITY, `Quantity must be between 1 and ${MAX_ORDER_QUANTITY}.`, "quantity");
    }
    const pointsFen = input.points ?? 0;
    if (!Number.isInteger(pointsFen) || pointsFen < 0) return refuse(PlaceOrderErrorCode.POINTS_OVER_CAP, "Points must be 0 or more.", "points");
    const couponCode = input.couponCode?.trim() || null;
    const flashSaleId = input.flashSaleId ? idOf("FlashSale", input.flashSaleId, "flashSaleId") : null;
    const cart = !flashSaleId && input.liveSessionId && input.productId
      ? { liveSessionId: idOf("LiveSession", input.liveSessionId, "liveSessionId"), productId: idOf("Product", input.productId, "productId") }
      : null;
    const target = flashSaleId ? ["flashSale", flashSaleId] : cart ? ["cart", cart.liveSessionId, cart.productId] : ["none"];
    const hash = createHash("sha256").update(JSON.stringify([target, input.quantity, couponCode, pointsFen])).digest("base64url");
    const request: FlashRequest = { buyerId: ctx.viewer.userId, key, hash, quantity: input.quantity, couponCode, pointsFen };
    if (flashSaleId) return this.buyFlashSale(ctx, flashSaleId, request);
    if (cart) return this.buyFromCart(ctx, cart.liveSessionId, cart.productId, request);
    return refuse(PlaceOrderErrorCode.INVALID_TARGET, "Give a flashSaleId, or a liveSessionId and a productId.", "flashSaleId");
  }

  /** A refusal that only holds for a key not used yet: a used key answers with its order (R10, even after the sale). */
  private async refuseUnlessReplay(ctx: Context, req: FlashRequest, code: PlaceOrderErrorCode, field?: string): Promise<PlaceOrderResult> {
    const existing = await q.orderByKey(ctx.db, req.buyerId, req.key);
    return existing ? replay(existing, req) : refuse(code, message(code), field);
  }

  private async buyFlashSale(ctx: Context, saleId: number, req: FlashRequest): Promise<PlaceOrderResult> {
    const { gate, flashSales, clock } = this.deps;
    const terms = await flashSales.saleTerms(saleId);
    if (!terms) throw notFound("Flash sale");
    const now = clock.now();
    if (now < terms.startsAt) return this.refuseUnlessReplay(ctx, req, PlaceOrderErrorCode.NOT_STARTED);
    if (now >= terms.endsAt) return this.refuseUnlessReplay(ctx, req, PlaceOrderErrorCode.ENDED);
    if (req.quantity > terms.perBuyerLimit) return this.refuseUnlessReplay(ctx, req, PlaceOrderErrorCode.LIMIT_REACHED, "quantity");

    // One lease per attempt: if this process dies before the order settles, survivors take the admission back.
    const lease = randomUUID();
    let verdict = await gate.admit(saleId, req.buyerId, req.key, req.quantity, terms.perBuyerLimit, lease);
    if (verdict === "NO_GATE") {
      const state = await flashSales.ensureGate(saleId);
      if (!state.open) {
        return this.refuseUnlessReplay(ctx, req, state.status === "SOLD_OUT" ? PlaceOrderErrorCode.SOLD_OUT : PlaceOrderErrorCode.ENDED);
      }
      verdict = await gate.admit(saleId, req.buyerId, req.key, req.quantity, terms.perBuyerLimit, lease);
    }
    switch (verdict) {
      case "OK":
        break;
      case "DUPLICATE":
        return this.awaitExisting(ctx, req);
      case "SOLD_OUT":
        return refuse(PlaceOrderErrorCode.SOLD_OUT, message(PlaceOrderErrorCode.SOLD_OUT));
      case "NOT_ENOUGH_UNITS":
        return refuse(PlaceOrderErrorCode.NOT_ENOUGH_UNITS, message(PlaceOrderErrorCode.NOT_ENOUGH_UNITS), "quantity");
      case "LIMIT_REACHED":
        return refuse(PlaceOrderErrorCode.LIMIT_REACHED, message(PlaceOrderErrorCode.LIMIT_REACHED), "quantity");
      default:
        return refuse(PlaceOrderErrorCode.IN_PROGRESS, message(PlaceOrderErrorCode.IN_PROGRESS));
    }

    let outcome: FlashOutcome;
    try {
      outcome = await this.batcher.submit(saleId, req);
    } catch (error) {
      // Not committed: the units and the key go back to the gate.
      await gate.release(saleId, req.buyerId, req.key, req.quantity, true, lease).catch(() => {});
      throw error;
    }
    if (outcome.kind === "ACCEPTED") {
      // Committed: the answer is the order whatever Redis says now (an unsettled lease is checked against the ledger).
      await gate.settle(saleId, req.buyerId, req.key, req.quantity, lease).catch((error) => this.deps.log.warn("could not settle an admission", { saleId, error }));
      return { order: toOrder(outcome.order), userErrors: [] };
    }
    if (outcome.kind === "EXISTING") {
      await gate.release(saleId, req.buyerId, req.key, req.quantity, false, lease);
      return { order: toOrder(outcome.order), userErrors: [] };
    }
    if (outcome.kind === "FAILED") {
      await gate.release(saleId, req.buyerId, req.key, req.quantity, true, lease).catch(() => {});
      throw outcome.error;
    }
    await gate.release(saleId, req.buyerId, req.key, req.quantity, true, lease);
    if (outcome.ledgerDisagrees) void flashSales.ensureGate(saleId).catch(() => {});
    return { order: null, userErrors: [outcome.error] };
  }

  /**
   * Another attempt with the same key is in flight (here or on another instance): answer with its order, or after a
   * second IN_PROGRESS (the client retries; an attempt whose process died frees its key when its lease expires).
   */
  private async awaitExisting(ctx: Context, req: FlashRequest): Promise<PlaceOrderResult> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const existing = await q.orderByKey(ctx.db, req.buyerId, req.key);
      if (existing) return replay(existing, req);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return refuse(PlaceOrderErrorCode.IN_PROGRESS, message(PlaceOrderErrorCode.IN_PROGRESS));
  }

  /**
   * One transaction for a batch of admitted orders of one sale. The sale's row lock orders all batches everywhere.
   * The batch's orders and its counters (sold units, purchases, redemptions) are written in one round trip; if that
   * fails (one bad row fails the statement, and the transaction with it), the batch is tried again with each order
   * in a savepoint of its own, so one bad order never fails the others.
   */
  private async commitFlashBatch(saleId: number, batch: FlashRequest[]): Promise<FlashOutcome[]> {
    try {
      return await this.commitFlashBatchOnce(saleId, batch, false);
    } catch (error) {
      if (!(error instanceof BatchWriteFailed)) throw error;
      this.deps.log.warn("a batch of orders could not be written at once; writing them one by one", { orders: batch.length, error: error.cause });
      return this.commitFlashBatchOnce(saleId, batch, true);
    }
  }

  private async commitFlashBatchOnce(saleId: number, batch: FlashRequest[], isolated: boolean): Promise<FlashOutcome[]> {
    const { db, clock, flashSales } = this.deps;
    const now = clock.now();
    const terms = await flashSales.saleTerms(saleId);
    const outcomes = await transaction(db, async (tx) => {
      // What the batch shares is read before the sale's row is locked, so the lock is held as briefly as possible.
      const context = terms ? await this.sellingContext(tx, terms.liveSessionId, terms.productId, terms.shopId, now, batch) : null;
      const sale = await flash.flashSaleById(tx, saleId, true);
      const refuseAll = (code: PlaceOrderErrorCode): FlashOutcome[] =>
        batch.map(() => ({ kind: "REFUSED", error: userError(code, message(code)), ledgerDisagrees: true }));
      if (!sale || !context || sale.status === "ENDED" || now >= sale.endsAt) return refuseAll(PlaceOrderErrorCode.ENDED);
      if (now < sale.startsAt) return refuseAll(PlaceOrderErrorCode.NOT_STARTED);

      // Everything below is read under the lock, in one round trip.
      const buyerIds = [...new Set(batch.map((r) => r.buyerId))];
      const [existingRows, purchaseRows, book] = await Promise.all([
        q.ordersByKeys(tx, batch.map((r) => ({ buyerId: r.buyerId, key: r.key }))),
        flash.purchasesOf(tx, saleId, buyerIds),
        CouponBook.open(tx, couponIdsOf(batch, context), buyerIds),
        this.guard?.prepareOrders(tx, context, now),
      ]);
      const existing = new Map(existingRows.map((o) => [keyOf(o.buyerId, o.idempotencyKey), o]));
      const purchased = new Map(purchaseRows.map((p) => [p.buyerId, p.quantity]));

      const results: (FlashOutcome | { kind: "PENDING"; draft: number } | { kind: "SAME_AS"; index: number })[] = [];
      const drafts: q.OrderInsert[] = [];
      const firstOfKey = new Map<string, number>();
      const added = new Map<number, number>();
      let sold = sale.soldUnits;
      const refusal = (code: PlaceOrderErrorCode, ledgerDisagrees = false, text = message(code), field?: string): FlashOutcome => ({
        kind: "REFUSED",
        error: userError(code, text, field),
        ledgerDisagrees,
      });
      const reused = () => refusal(PlaceOrderErrorCode.IDEMPOTENCY_KEY_REUSED, false, undefined, "idempotencyKey");
      for (const [i, req] of batch.entries()) {
        const k = keyOf(req.buyerId, req.key);
        const found = existing.get(k);
        if (found) {
          results.push(sameRequest(found, req) ? { kind: "EXISTING", order: found } : reused());
          continue;
        }
        if (firstOfKey.has(k)) {
          const index = firstOfKey.get(k)!;
          results.push(batch[index]!.hash === req.hash ? { kind: "SAME_AS", index } : reused());
          continue;
        }
        if (!context.canSell) {
          results.push(refusal(PlaceOrderErrorCode.SHOP_CANNOT_SELL));
          continue;
        }
        if (sold + req.quantity > sale.allocatedUnits) {
          results.push(refusal(sold >= sale.allocatedUnits ? PlaceOrderErrorCode.SOLD_OUT : PlaceOrderErrorCode.NOT_ENOUGH_UNITS, true));
          continue;
        }
        const bought = (purchased.get(req.buyerId) ?? 0) + (added.get(req.buyerId) ?? 0);
        if (bought + req.quantity > sale.perBuyerLimit) {
          results.push(refusal(PlaceOrderErrorCode.LIMIT_REACHED, true));
          continue;
        }
        const priced = await this.priceDraft(tx, context, req, sale.flashPriceFen, sale.id, now, book);
        if ("code" in priced) {
          results.push(refusal(priced.code, false, priced.message, priced.field));
          continue;
        }
        sold += req.quantity;
        added.set(req.buyerId, (added.get(req.buyerId) ?? 0) + req.quantity);
        firstOfKey.set(k, i);
        results.push({ kind: "PENDING", draft: drafts.length });
        drafts.push(priced.row);
      }
      // Run again after a failed batch write: each order in a savepoint of its own, the failed ones as errors.
      const oneByOne = isolated ? await this.insertOneByOne(tx, drafts) : null;
      const written: { buyerId: number; quantity: number; couponId?: number | null }[] = oneByOne ? oneByOne.filter((r): r is OrderRow => !(r instanceof Error)) : drafts;
      let rows: (OrderRow | Error)[] = oneByOne ?? [];
      if (written.length) {
        const perBuyer = new Map<number, number>();
        const perCoupon = new Map<number, number>();
        for (const row of written) {
          perBuyer.set(row.buyerId, (perBuyer.get(row.buyerId) ?? 0) + row.quantity);
          if (row.couponId != null) perCoupon.set(row.couponId, (perCoupon.get(row.couponId) ?? 0) + 1);
        }
        const units = written.reduce((sum, row) => sum + row.quantity, 0);
        // The orders and the counters go out together, one round trip (all of them or none commit).
        const [orders, purchases, redemptions, sold] = await Promise.allSettled([
          oneByOne ?? q.insertOrders(tx, drafts),
          flash.addPurchases(tx, saleId, perBuyer),
          q.addRedemptions(tx, perCoupon),
          flash.addSold(tx, saleId, units),
        ]);
        if (orders.status === "rejected") throw isUnavailable(orders.reason) ? orders.reason : new BatchWriteFailed(orders.reason);
        if (purchases.status === "rejected") throw purchases.reason;
        if (redemptions.status === "rejected") throw redemptions.reason;
        if (sold.status === "rejected") throw sold.reason;
        rows = orders.value;
        const updated = sold.value;
        afterCommit(tx, async () => {
          this.deps.listings.salesChanged([updated.productId]);
          await flashSales.publishStock(updated);
          if (updated.status === "SOLD_OUT" && sale.status !== "SOLD_OUT") {
            await flashSales.publishEvent(updated.liveSessionId, { kind: "FLASH_SALE_SOLD_OUT", at: now.toISOString(), flashSaleId: saleId });
          }
        });
      }
      const resolved: FlashOutcome[] = results.map((r) => {
        if (r.kind !== "PENDING") return r as FlashOutcome;
        const row = rows[r.draft]!;
        return row instanceof Error ? { kind: "FAILED", error: row } : { kind: "ACCEPTED", order: row };
      });
      return resolved.map((r, i) => {
        const same = results[i] as { kind: string; index?: number };
        if (same.kind !== "SAME_AS") return r;
        const first = resolved[same.index!]!;
        return first.kind === "ACCEPTED" ? ({ kind: "EXISTING", order: first.order } as FlashOutcome) : first;
      });
    });
    return outcomes;
  }

  /** Writes each order on its own, each in a savepoint, so one bad order never fails the others of its batch. */
  private async insertOneByOne(tx: Tx, drafts: q.OrderInsert[]): Promise<(OrderRow | Error)[]> {
    const rows: (OrderRow | Error)[] = [];
    for (const draft of drafts) {
      try {
        rows.push((await transaction(tx, (savepoint) => q.insertOrders(savepoint, [draft])))[0]!);
      } catch (error) {
        this.deps.log.error("an order could not be written", { buyerId: draft.buyerId, error });
        rows.push(asError(error));
      }
    }
    return rows;
  }

  /** What every order of one product in one room shares: promoter, frozen commission, subsidy, shop state, coupons. */
  private async sellingContext(tx: Tx, liveSessionId: number, productId: number, shopId: number, now: Date, batch: { couponCode: string | null }[]) {
    const codes = [...new Set(batch.map((r) => r.couponCode).filter((c): c is string => Boolean(c)))];
    const promoterReads = (promoterId: number | null) =>
      promoterId ? Promise.all([resolveCommissionRates(tx, promoterId, [productId], now), promoterShopId(tx, promoterId)]) : Promise.resolve([new Map(), null] as const);
    // A session's promoter never changes: once known, the promoter's reads go out with the others (one round trip).
    const knownPromoter = this.sessionPromoters.get(liveSessionId);
    const [session, shop, cartItem, product, couponRows, early] = await Promise.all([
      live.liveSessionById(tx, liveSessionId),
      catalog.shopById(tx, shopId),
      live.pinnedCartItem(tx, liveSessionId, productId),
      catalog.productById(tx, productId),
      codes.length ? q.couponsByCodes(tx, codes) : Promise.resolve([] as CouponRow[]),
      knownPromoter === undefined ? null : promoterReads(knownPromoter),
    ]);
    const promoterId = session?.promoterId ?? null;
    if (session) {
      if (this.sessionPromoters.size >= MAX_KEPT_SESSIONS) this.sessionPromoters.clear();
      this.sessionPromoters.set(liveSessionId, promoterId);
    }
    const [rates, ownShopId] = early && knownPromoter === promoterId ? early : await promoterReads(promoterId);
    // Direct selling: the host sells its own shop's goods, and earns no commission from itself.
    const directSale = promoterId !== null && shop?.ownerId === promoterId;
    const rate = directSale ? undefined : rates.get(productId);
    const coupons = new Map(couponRows.map((c) => [c.code, c]));
    return {
      liveSessionId,
      productId,
      shopId,
      promoterId,
      promoterShopId: ownShopId,
      directSale,
      listPriceFen: product!.priceFen,
      canSell: shop ? catalog.shopCanSell(shop) : false,
      subsidyPerUnitFen: cartItem?.subsidyFen ?? 0,
      rateBps: rate?.rateBps ?? 0,
      plan: rate?.plan ?? null,
      coupons,
    };
  }

  private async priceDraft(
    tx: Tx,
    context: SellingContext,
    req: FlashRequest,
    unitPriceFen: number,
    flashSaleId: number | null,
    now: Date,
    book: CouponBook,
  ): Promise<{ row: q.OrderInsert } | { code: PlaceOrderErrorCode; message: string; field?: string }> {
    const subtotal = unitPriceFen * req.quantity;
    let coupon: CouponRow | undefined;
    if (req.couponCode) {
      const known = context.coupons.get(req.couponCode);
      coupon = known && book.coupon(known.id);
      const code = coupon ? book.refusal(coupon, req.buyerId, context.productId, subtotal, now) : PlaceOrderErrorCode.COUPON_INVALID;
      if (code) return { code, message: message(code), field: "couponCode" };
    }
    if (req.pointsFen > pointsCapFen(subtotal)) {
      return { code: PlaceOrderErrorCode.POINTS_OVER_CAP, message: `Points may pay at most ${pointsCapFen(subtotal)} fen of this order.`, field: "points" };
    }
    const shopCouponFen = coupon?.issuer === "SHOP" ? coupon.amountFen : 0;
    const promoterCouponFen = coupon?.issuer === "PROMOTER" ? coupon.amountFen : 0;
    const parts = {
      unitPriceFen,
      quantity: req.quantity,
      subsidyPerUnitFen: context.subsidyPerUnitFen,
      shopCouponFen,
      promoterCouponFen,
      pointsFen: req.pointsFen,
    };
    const tooMuch = discountRefusal(parts);
    if (tooMuch) {
      return {
        code: PlaceOrderErrorCode.DISCOUNT_EXCEEDS_PRICE,
        message: `With the ${tooMuch.part === "points" ? "points" : tooMuch.part === "subsidy" ? "room's subsidy" : "coupon"} a unit would cost less than 0.01: nothing may be sold below 1 fen.`,
        field: tooMuch.field,
      };
    }
    const price = priceOrder(parts);
    if (this.guard) {
      const refusal = await this.guard.checkOrder(
        tx,
        {
          productId: context.productId,
          shopId: context.shopId,
          promoterId: context.promoterId,
          promoterShopId: context.promoterShopId,
          directSale: context.directSale,
          liveSessionId: context.liveSessionId,
          flashSaleId,
          quantity: req.quantity,
          unitPriceFen,
          listPriceFen: context.listPriceFen,
          shopCouponFen,
          promoterCouponFen,
          pointsFen: req.pointsFen,
          subsidyPerUnitFen: context.subsidyPerUnitFen,
          handPriceFen: price.handPriceFen,
        },
        now,
      );
      if (refusal) return refusal;
    }
    if (coupon) book.take(coupon.id, req.buyerId);
    return {
      row: {
        buyerId: req.buyerId,
        shopId: context.shopId,
        productId: context.productId,
        promoterId: context.promoterId,
        liveSessionId: context.liveSessionId,
        flashSaleId,
        quantity: req.quantity,
        unitPriceFen,
        shopCouponFen,
        promoterCouponFen,
        pointsFen: req.pointsFen,
        subsidyFen: price.subsidyFen,
        totalFen: price.totalFen,
        handPriceFen: price.handPriceFen,
        commissionRateBps: context.rateBps,
        commissionPlan: context.plan,
        couponId: coupon?.id ?? null,
        idempotencyKey: req.key,
        requestHash: req.hash,
        createdAt: now,
      },
    };
  }

  /** A cart purchase outside any flash sale: stock is taken from the product in the order's own transaction. */
  private async buyFromCart(ctx: Context, liveSessionId: number, productId: number, req: FlashRequest): Promise<PlaceOrderResult> {
    const now = this.deps.clock.now();
    let result: PlaceOrderResult;
    try {
      result = await transaction(ctx.db, async (tx) => {
        const existing = await q.orderByKey(tx, req.buyerId, req.key);
        if (existing) return replay(existing, req);
        const session = await live.liveSessionById(tx, liveSessionId);
        if (!session) throw notFound("Live session");
        if (session.status !== "LIVE") return refuse(PlaceOrderErrorCode.SESSION_NOT_LIVE, "The live session has ended.", "liveSessionId");
        if (!(await live.pinnedCartItem(tx, liveSessionId, productId))) {
          return refuse(PlaceOrderErrorCode.NOT_ON_CART, "The product is not on this session's cart.", "productId");
        }
        const product = await catalog.productById(tx, productId, true);
        if (!product) throw notFound("Product");
        const context = await this.sellingContext(tx, liveSessionId, productId, product.shopId, now, [req]);
        if (!context.canSell) return refuse(PlaceOrderErrorCode.SHOP_CANNOT_SELL, message(PlaceOrderErrorCode.SHOP_CANNOT_SELL));
        const book = await CouponBook.open(tx, couponIdsOf([req], context), [req.buyerId]);
        const priced = await this.priceDraft(tx, context, req, product.priceFen, null, now, book);
        if ("code" in priced) return refuse(priced.code, priced.message, priced.field);
        const taken = await catalog.takeStock(tx, productId, req.quantity);
        // Rolled back: a violation the guard recorded for this order must not outlive it.
        if (!taken) throw new Rollback(refuse(PlaceOrderErrorCode.OUT_OF_STOCK, `Only ${product.stock} units are in stock.`, "quantity"));
        const inserted = await q.insertOrderOnce(tx, priced.row);
        if (!inserted) throw new DuplicateKey();
        if (inserted.couponId !== null) await q.addRedemptions(tx, new Map([[inserted.couponId, 1]]));
        afterCommit(tx, () => {
          this.deps.listings.productsChanged([productId]);
          return this.publishProduct(productId);
        });
        return { order: toOrder(inserted), userErrors: [] };
      });
    } catch (error) {
      if (!(error instanceof DuplicateKey)) throw error;
      const existing = await q.orderByKey(ctx.db, req.buyerId, req.key);
      return existing ? replay(existing, req) : refuse(PlaceOrderErrorCode.IN_PROGRESS, message(PlaceOrderErrorCode.IN_PROGRESS));
    }
    return result;
  }

  private async publishProduct(productId: number): Promise<void> {
    const product = await catalog.productById(this.deps.db, productId);
    if (product) await this.deps.bus.publish("productUpdated", productId, { productId, version: product.version }).catch(() => {});
  }

  async createCoupon(ctx: Context, input: CreateCouponInput): Promise<{ coupon: Coupon | null; userErrors: CouponUserError[] }> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const productId = idOf("Product", input.productId, "productId");
    const product = await catalog.productById(ctx.db, productId);
    if (!product) throw notFound("Product");
    const errors: CouponUserError[] = [];
    let issuer: "SHOP" | "PROMOTER";
    let issuerShopId: number | null;
    if (viewer.role === Role.MERCHANT) {
      const shop = await catalog.shopById(ctx.db, product.shopId);
      if (shop?.ownerId !== viewer.userId) throw forbidden("coupons for another shop's products");
      issuer = "SHOP";
      issuerShopId = shop.id;
    } else if (viewer.role === Role.PROMOTER) {
      // A promoter issues coupons only for what it promotes: anything else is not its to discount.
      if (!(await isOnShelf(ctx.db, viewer.userId, productId))) throw forbidden("coupons for a product you do not promote");
      issuer = "PROMOTER";
      issuerShopId = await promoterShopId(ctx.db, viewer.userId);
      if (issuerShopId === null) errors.push(userError(CouponErrorCode.PROMOTER_HAS_NO_SHOP, "A promoter pays its coupons from its own shop: open one first."));
    } else throw forbidden("creating coupons");
    const code = input.code.trim();
    if (!/^[A-Za-z0-9_-]{4,32}$/.test(code)) errors.push(userError(CouponErrorCode.INVALID_CODE, "Codes are 4–32 letters, digits, '-' or '_'.", "code"));
    const amountFen = parseAmount(input.amount);
    const minSpendFen = input.minSpend == null ? 0 : parseAmount(input.minSpend);
    if (amountFen === null || amountFen <= 0) errors.push(userError(CouponErrorCode.INVALID_AMOUNT, "The amount must be above 0.00.", "amount"));
    if (minSpendFen === null) errors.push(userError(CouponErrorCode.INVALID_AMOUNT, "The minimum spend must be a decimal amount.", "minSpend"));
    const validFrom = input.validFrom ?? this.deps.clock.now();
    if (input.validUntil <= validFrom) errors.push(userError(CouponErrorCode.INVALID_WINDOW, "validUntil must come after validFrom.", "validUntil"));
    const perBuyerLimit = input.perBuyerLimit ?? 1;
    if (!Number.isInteger(input.totalQuantity) || input.totalQuantity < 1 || input.totalQuantity > MAX_COUPON_QUANTITY) {
      errors.push(userError(CouponErrorCode.INVALID_QUANTITY, `The total quantity must be 1–${MAX_COUPON_QUANTITY}.`, "totalQuantity"));
    } else if (!Number.isInteger(perBuyerLimit) || perBuyerLimit < 1 || perBuyerLimit > input.totalQuantity) {
      errors.push(userError(CouponErrorCode.INVALID_QUANTITY, "The per-buyer limit must be between 1 and the total quantity.", "perBuyerLimit"));
    }
    if (errors.length === 0) {
      // R12: the coupon may not take any order it meets below 1 fen per unit: at the list price (with each room's
      // subsidy) and at every open flash price.
      const [pins, sales] = await Promise.all([live.livePinsOfProduct(ctx.db, productId), flash.openSalesOfProduct(ctx.db, productId)]);
      const channels = [
        { unitPriceFen: product.priceFen, subsidyPerUnitFen: 0, maxQuantity: MAX_ORDER_QUANTITY },
        ...pins.map((p) => ({ unitPriceFen: product.priceFen, subsidyPerUnitFen: p.subsidyFen, maxQuantity: MAX_ORDER_QUANTITY })),
        ...sales.map((s) => ({ unitPriceFen: s.flashPriceFen, subsidyPerUnitFen: s.subsidyFen, maxQuantity: s.perBuyerLimit })),
      ];
      const tight = couponExceedsPrice(amountFen!, minSpendFen!, channels);
      if (tight) {
        errors.push(
          userError(
            CouponErrorCode.DISCOUNT_EXCEEDS_PRICE,
            `The coupon would take an order at ${formatFen(tight.unitPriceFen)} per unit${tight.subsidyPerUnitFen ? ` (subsidy ${formatFen(tight.subsidyPerUnitFen)})` : ""} below 0.01 per unit.`,
            "amount",
          ),
        );
      }
    }
    if (errors.length > 0) return { coupon: null, userErrors: errors };
    return transaction(ctx.db, async (tx) => {
      const refused = this.guard ? await this.guard.checkCoupon(ctx, tx, { productId, amountFen: amountFen!, minSpendFen: minSpendFen!, issuer: issuer!, issuerShopId: issuerShopId! }) : [];
      if (refused.length > 0) return { coupon: null, userErrors: refused };
      const row = await q.insertCoupon(tx, {
        code,
        issuer: issuer!,
        issuerShopId: issuerShopId!,
        createdBy: viewer.userId,
        productId,
        amountFen: amountFen!,
        minSpendFen: minSpendFen!,
        validFrom,
        validUntil: input.validUntil,
        totalQuantity: input.totalQuantity,
        perBuyerLimit,
      });
      // Rolled back: an alert the guard raised for a coupon that was never created is not published.
      if (!row) throw new Rollback({ coupon: null, userErrors: [userError(CouponErrorCode.CODE_TAKEN, "That code is taken.", "code")] });
      return { coupon: toCoupon(row), userErrors: [] };
    });
  }

  /** Waits for queued orders to commit (graceful shutdown). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.batcher.idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}

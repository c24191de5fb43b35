import { randomUUID } from "node:crypto";
import type { Context } from "../../context.js";
import { renewLoaders } from "../../context.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { AgreedPriceRow, RestrictionRow, ViolationRow } from "../../db/schema/index.js";
import type { EventBus } from "../../realtime/bus.js";
import { eventStream } from "../../realtime/event-stream.js";
import { granted, guardedStream, type AccessRevoked } from "../../realtime/guarded-stream.js";
import type { PriceGuardAlertPayload } from "../../realtime/topics.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { badInput, forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { formatFen, parseAmount } from "../../shared/money.js";
import { decodeCursor, newestFirstConnection, pageSize } from "../../shared/pagination.js";
import { userError } from "../../shared/user-errors.js";
import { assertActiveAccount } from "../accounts/accounts.service.js";
import { promoterShopId } from "../alliance/index.js";
import * as catalog from "../catalog/catalog.queries.js";
import { MAX_PRICE_FEN, ProductErrorCode, type ProductUserError } from "../catalog/catalog.rules.js";
import type { ProductGuard } from "../catalog/catalog.service.js";
import { FlashSaleErrorCode, type FlashSaleUserError } from "../flash-sales/flash-sale.rules.js";
import type { FlashSaleGuard, FlashSaleService } from "../flash-sales/flash-sale.service.js";
import * as live from "../live/live.queries.js";
import { LiveErrorCode, type LiveUserError } from "../live/live.rules.js";
import type { CartGuard, LiveService } from "../live/live.service.js";
import { CouponErrorCode, MAX_ORDER_QUANTITY, PlaceOrderErrorCode } from "../orders/orders.rules.js";
import type { CouponUserError, OrderDraft, OrderGuard } from "../orders/orders.service.js";
import type { FileAgreedPriceInput, LiftRestrictionInput, PriceGuardViolationsArgs } from "./price-guard.inputs.js";
import * as q from "./price-guard.queries.js";
import {
  alertLevel,
  describeReach,
  lowestReach,
  MAX_GIFTS,
  MAX_UNITS_PER_ORDER,
  offendingParty,
  penaltyFor,
  PriceGuardErrorCode,
  restrictionActive,
  sellerHandPriceFen,
  specMatches,
  type Channel,
  type CouponOffer,
  type PriceGuardUserError,
} from "./price-guard.rules.js";
import {
  toAgreedPrice,
  toRestriction,
  toViolation,
  type AgreedPrice,
  type PriceGuardAlertRoot,
  type PriceGuardRestriction,
  type PriceGuardViolation,
} from "./price-guard.type.js";

const MAX_ALERT_QUEUE = 64;

interface ProductFacts {
  shopId: number;
  crossBorder: boolean;
}

/** What one order transaction learned about a product sold by a promoter: read once per batch, not per order. */
interface SaleState {
  filing: AgreedPriceRow | null;
  restriction: RestrictionRow | null;
}

/** Who hears an alert: shops' feeds and rooms (each room's feed and its liveSessionEvents). */
interface Targets {
  shopIds: (number | null)[];
  rooms: (number | null)[];
}

/**
 * The price guard (R12–R15): agreed prices, the lowest reachable hand price of every offer when it is configured,
 * the actual hand price of every order, violations, the penalty ladder and the alerts. It plugs into the flash-sale,
 * live-cart and order services through their guard hooks.
 */
export class PriceGuardService implements FlashSaleGuard, CartGuard, OrderGuard, ProductGuard {
  private readonly saleStates = new WeakMap<Tx, Map<string, SaleState>>();
  /** A product's shop and cross-border mark never change: cached for the order hot path. */
  private readonly facts = new Map<number, ProductFacts>();
  /** Alert subscriptions of this process whose bus subscription is in place. */
  alertSubscribers = 0;

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      clock: Clock;
      log: Logger;
      flashSales: FlashSaleService;
      live: LiveService;
      warningBps: number;
    },
  ) {}

  async fileAgreedPrice(ctx: Context, input: FileAgreedPriceInput): Promise<{ agreedPrice: AgreedPrice | null; userErrors: PriceGuardUserError[] }> {
    if (!ctx.viewer) throw unauthenticated();
    const productId = idOf("Product", input.productId, "productId");
    const product = await catalog.productById(ctx.db, productId);
    if (!product) throw notFound("Product");
    const shop = await catalog.shopById(ctx.db, product.shopId);
    const owner = ctx.viewer.role === Role.MERCHANT && shop?.ownerId === ctx.viewer.userId;
    if (!owner && ctx.viewer.role !== Role.ADMIN) throw forbidden("filing agreed prices for this product");

    const errors: PriceGuardUserError[] = [];
    const priceFen = parseAmount(input.agreedPrice);
    if (priceFen === null || priceFen <= 0 || priceFen > MAX_PRICE_FEN) {
      errors.push(userError(PriceGuardErrorCode.INVALID_PRICE, "The agreed price must be a decimal amount above 0.00.", "agreedPrice"));
    }
    const unitsPerOrder = input.unitsPerOrder ?? 1;
    if (!Number.isInteger(unitsPerOrder) || unitsPerOrder < 1 || unitsPerOrder > MAX_UNITS_PER_ORDER) {
      errors.push(userError(PriceGuardErrorCode.INVALID_UNITS, `Units per order must be a whole number from 1 to ${MAX_UNITS_PER_ORDER}.`, "unitsPerOrder"));
    }
    const gifts = (input.gifts ?? []).map((g) => g.trim());
    if (gifts.length > MAX_GIFTS || gifts.some((g) => g.length < 1)) {
      errors.push(userError(PriceGuardErrorCode.INVALID_GIFTS, `At most ${MAX_GIFTS} gifts, each 1–100 characters.`, "gifts"));
    }
    if (errors.length > 0) return { agreedPrice: null, userErrors: errors };
    const row = await q.insertAgreedPrice(ctx.db, {
      productId,
      agreedPriceFen: priceFen!,
      unitsPerOrder,
      gifts,
      filedBy: ctx.viewer.userId,
      filedAt: this.deps.clock.now(),
    });
    ctx.log.info("agreed price filed", { productId, agreedPriceFen: row.agreedPriceFen, unitsPerOrder, userId: ctx.viewer.userId });
    return { agreedPrice: toAgreedPrice(row), userErrors: [] };
  }

  async checkFlashSale(
    ctx: Context,
    tx: Tx,
    sale: { productId: number; liveSessionId: number; promoterId: number; flashPriceFen: number; perBuyerLimit: number },
  ): Promise<FlashSaleUserError[]> {
    const product = await this.productFacts(tx, sale.productId);
    const promoterShop = await promoterShopId(tx, sale.promoterId);
    const restriction = await this.restrictionOf(tx, product, [promoterShop], sale.promoterId);
    if (restriction) return [userError(FlashSaleErrorCode.RESTRICTED, restrictedMessage(restriction), "productId")];
    const pin = await live.pinnedCartItem(tx, sale.liveSessionId, sale.productId);
    const blocked = await this.assess(ctx, tx, {
      offer: "FLASH_SALE",
      productId: sale.productId,
      product,
      channels: [{ basePriceFen: sale.flashPriceFen, subsidyPerUnitFen: pin?.subsidyFen ?? 0, maxQuantity: sale.perBuyerLimit }],
      extraCoupon: null,
      targets: { shopIds: [product.shopId, promoterShop], rooms: [sale.liveSessionId] },
    });
    return blocked ? [userError(FlashSaleErrorCode.PRICE_GUARD, blocked, "flashPrice")] : [];
  }

  async checkPin(ctx: Context, tx: Tx, pin: { productId: number; liveSessionId: number; promoterId: number; subsidyFen: number }): Promise<LiveUserError[]> {
    const product = await this.productFacts(tx, pin.productId);
    const promoterShop = await promoterShopId(tx, pin.promoterId);
    const restriction = await this.restrictionOf(tx, product, [promoterShop], pin.promoterId);
    if (restriction) return [userError(LiveErrorCode.RESTRICTED, restrictedMessage(restriction), "productId")];
    const listPriceFen = (await catalog.productById(tx, pin.productId))!.priceFen;
    // The room's subsidy also lowers the hand price of the room's flash sales of the product.
    const sales = await q.openFlashSales(tx, pin.productId, pin.liveSessionId);
    const blocked = await this.assess(ctx, tx, {
      offer: "CART_SUBSIDY",
      productId: pin.productId,
      product,
      channels: [
        { basePriceFen: listPriceFen, subsidyPerUnitFen: pin.subsidyFen, maxQuantity: MAX_ORDER_QUANTITY },
        ...sales.map((s) => ({ basePriceFen: s.flashPriceFen, subsidyPerUnitFen: pin.subsidyFen, maxQuantity: s.perBuyerLimit })),
      ],
      extraCoupon: null,
      targets: { shopIds: [product.shopId, promoterShop], rooms: [pin.liveSessionId] },
    });
    return blocked ? [userError(LiveErrorCode.PRICE_GUARD, blocked, "subsidy")] : [];
  }

  async checkCoupon(
    ctx: Context,
    tx: Tx,
    coupon: { productId: number; amountFen: number; minSpendFen: number; issuer: "SHOP" | "PROMOTER"; issuerShopId: number },
  ): Promise<CouponUserError[]> {
    const product = await this.productFacts(tx, coupon.productId);
    const promoterId = coupon.issuer === "PROMOTER" ? (ctx.viewer?.userId ?? null) : null;
    const restriction = await this.restrictionOf(tx, product, [coupon.issuerShopId], promoterId);
    if (restriction) return [userError(CouponErrorCode.RESTRICTED, restrictedMessage(restriction), "productId")];
    const listPriceFen = (await catalog.productById(tx, coupon.productId))!.priceFen;
    const [pins, sales] = await Promise.all([q.livePins(tx, coupon.productId), q.openFlashSales(tx, coupon.productId)]);
    // A coupon is good in every room: every way of buying the product now counts, and the bare list price.
    const blocked = await this.assess(ctx, tx, {
      offer: coupon.issuer === "SHOP" ? "SHOP_COUPON" : "PROMOTER_COUPON",
      productId: coupon.productId,
      product,
      channels: [
        { basePriceFen: listPriceFen, subsidyPerUnitFen: 0, maxQuantity: MAX_ORDER_QUANTITY },
        ...pins.map((p) => ({ basePriceFen: listPriceFen, subsidyPerUnitFen: p.subsidyFen, maxQuantity: MAX_ORDER_QUANTITY })),
        ...sales.map((s) => ({ basePriceFen: s.flashPriceFen, subsidyPerUnitFen: s.subsidyFen, maxQuantity: s.perBuyerLimit })),
      ],
      extraCoupon: { issuer: coupon.issuer, amountFen: coupon.amountFen, minSpendFen: coupon.minSpendFen },
      targets: { shopIds: [product.shopId, coupon.issuerShopId], rooms: pins.map((p) => p.liveSessionId) },
    });
    return blocked ? [userError(CouponErrorCode.PRICE_GUARD, blocked, "amount")] : [];
  }

  /** R13: a new list price reaches buyers bare and through every room's cart subsidy (flash sales keep their own price). */
  async checkListPrice(ctx: Context, tx: Tx, change: { productId: number; listPriceFen: number }): Promise<ProductUserError[]> {
    const product = await this.productFacts(tx, change.productId);
    const pins = await q.livePins(tx, change.productId);
    const blocked = await this.assess(ctx, tx, {
      offer: "LIST_PRICE",
      productId: change.productId,
      product,
      channels: [
        { basePriceFen: change.listPriceFen, subsidyPerUnitFen: 0, maxQuantity: MAX_ORDER_QUANTITY },
        ...pins.map((p) => ({ basePriceFen: change.listPriceFen, subsidyPerUnitFen: p.subsidyFen, maxQuantity: MAX_ORDER_QUANTITY })),
      ],
      extraCoupon: null,
      targets: { shopIds: [product.shopId], rooms: pins.map((p) => p.liveSessionId) },
    });
    return blocked ? [userError(ProductErrorCode.PRICE_GUARD, blocked, "price")] : [];
  }

  /**
   * Raises the alert an offer deserves, published once the offer's transaction commits (a refused offer's
   * transaction commits with nothing written, so its BLOCKED alert goes out; one rolled back says nothing).
   * Returns the refusal message when it is BLOCKED.
   */
  private async assess(
    ctx: Context,
    tx: Tx,
    o: {
      offer: PriceGuardAlertPayload["offer"];
      productId: number;
      product: ProductFacts;
      channels: Channel[];
      extraCoupon: CouponOffer | null;
      targets: Targets;
    },
  ): Promise<string | null> {
    const filing = await q.currentAgreedPrice(tx, o.productId);
    if (!filing) return null;
    const now = this.deps.clock.now();
    const coupons: CouponOffer[] = [...(await q.liveCoupons(tx, o.productId, now)), ...(o.extraCoupon ? [o.extraCoupon] : [])];
    const reach = lowestReach(o.channels, coupons, filing.unitsPerOrder);
    if (!reach) return null;
    const level = alertLevel(reach.handPriceFen, filing.agreedPriceFen, this.deps.warningBps);
    if (!level) return null;
    const reachable = formatFen(reach.handPriceFen);
    const floor = formatFen(filing.agreedPriceFen);
    const message =
      level === "BLOCKED"
        ? `Price guard: a buyer could pay ${reachable} per unit (${describeReach(reach)}), below the agreed price ${floor}.`
        : `Price guard: a buyer could pay ${reachable} per unit (${describeReach(reach)}), within ${this.deps.warningBps / 100}% of the agreed price ${floor}.`;
    const alert = () =>
      this.publishAlert(
      {
        kind: "PRICE_GUARD_ALERT",
        alertId: randomUUID(),
        at: now.toISOString(),
        level,
        offer: o.offer,
        productRowId: o.productId,
        productShopRowId: o.product.shopId,
        liveSessionRowId: o.targets.rooms.length === 1 ? o.targets.rooms[0]! : null,
        handPriceFen: reach.handPriceFen,
        floorFen: filing.agreedPriceFen,
        unitsPerOrder: filing.unitsPerOrder,
        message,
        violationRowId: null,
        violatingShopRowId: null,
        party: null,
        penalty: null,
      },
      o.targets,
    );
    afterCommit(tx, async () => {
      await alert();
      ctx.log.info("price guard alert", { alertLevel: level, offer: o.offer, productId: o.productId, reachableFen: reach.handPriceFen, floorFen: filing.agreedPriceFen });
    });
    return level === "BLOCKED" ? message : null;
  }

  /**
   * Runs inside the order's transaction (once per order of a flash-sale batch). R14: only a committed sale is a
   * violation. A buyer's own choice (points taking the hand price below the floor, a quantity off the filed spec)
   * refuses the order and is logged as an attempt, nobody's violation. When the shop's or promoter's own price parts
   * are below the floor the sale goes through and is recorded, with its penalty, in the same transaction: it exists
   * only if the order commits, and its alert goes out only then.
   */
  async checkOrder(tx: Tx, draft: OrderDraft, now: Date): Promise<{ code: PlaceOrderErrorCode; message: string } | null> {
    const state = await this.saleState(tx, draft, now);
    if (state.restriction) return { code: PlaceOrderErrorCode.RESTRICTED, message: restrictedMessage(state.restriction) };
    const filing = state.filing;
    if (!filing) return null;
    if (!specMatches(draft.quantity, filing.unitsPerOrder)) {
      await this.recordAttempt(tx, draft, filing, "SPEC_MISMATCH", now);
      return {
        code: PlaceOrderErrorCode.SPEC_MISMATCH,
        message: `This product is filed at ${filing.unitsPerOrder} units per order: order a multiple of ${filing.unitsPerOrder}.`,
      };
    }
    if (draft.handPriceFen >= filing.agreedPriceFen) return null;
    const parts = {
      unitPriceFen: draft.unitPriceFen,
      quantity: draft.quantity,
      subsidyPerUnitFen: draft.subsidyPerUnitFen,
      shopCouponFen: draft.shopCouponFen,
      promoterCouponFen: draft.promoterCouponFen,
    };
    if (sellerHandPriceFen(parts) >= filing.agreedPriceFen) {
      await this.recordAttempt(tx, draft, filing, "POINTS_BELOW_FLOOR", now);
      return {
        code: PlaceOrderErrorCode.PRICE_GUARD,
        message: `With these points the hand price would be ${formatFen(draft.handPriceFen)} per unit, below the agreed price ${formatFen(filing.agreedPriceFen)}; use fewer points.`,
      };
    }

    const kind = "BELOW_FLOOR";
    const party = offendingParty(
      { ...parts, pointsFen: 0, flashSale: draft.flashSaleId !== null, hasPromoter: draft.promoterId !== null && !draft.directSale },
      filing.agreedPriceFen,
      kind,
    );
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
      this.saleStates.delete(tx);
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
    return null;
  }

  /** A refused order, logged (table and log line) as an attempt: not a sale, so nobody is penalised. */
  private async recordAttempt(tx: Tx, draft: OrderDraft, filing: AgreedPriceRow, reason: "POINTS_BELOW_FLOOR" | "SPEC_MISMATCH", now: Date) {
    const attempt = await q.insertAttempt(tx, {
      reason,
      productId: draft.productId,
      productShopId: draft.shopId,
      promoterId: draft.promoterId,
      liveSessionId: draft.liveSessionId,
      flashSaleId: draft.flashSaleId,
      agreedPriceId: filing.id,
      quantity: draft.quantity,
      pointsFen: draft.pointsFen,
      handPriceFen: draft.handPriceFen,
      floorFen: filing.agreedPriceFen,
      occurredAt: now,
    });
    this.deps.log.info("price guard attempt refused", { attemptId: attempt.id, reason, productId: draft.productId, handPriceFen: draft.handPriceFen, floorFen: filing.agreedPriceFen });
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
    await this.publishAlert(
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
    await this.deps.live.withdraw(tx, { shopId: restriction.shopId, promoterId: restriction.promoterId, crossBorderOnly: true }, "RESTRICTED");
  }

  private async saleState(tx: Tx, draft: OrderDraft, now: Date): Promise<SaleState> {
    let states = this.saleStates.get(tx);
    if (!states) this.saleStates.set(tx, (states = new Map()));
    const key = `${draft.productId}:${draft.promoterId}`;
    let state = states.get(key);
    if (!state) {
      const product = await this.productFacts(tx, draft.productId);
      const [filing, restriction] = await Promise.all([
        q.currentAgreedPrice(tx, draft.productId),
        this.restrictionOf(tx, product, [draft.promoterShopId], draft.promoterId, now),
      ]);
      states.set(key, (state = { filing, restriction }));
    }
    return state;
  }

  /** R14/R15: the restriction in force on selling this product, if it is cross-border and its shop, or the promoter, is restricted. */
  private async restrictionOf(db: DbOrTx, product: ProductFacts, promoterShops: (number | null)[], promoterId: number | null, now = this.deps.clock.now()) {
    if (!product.crossBorder) return null;
    const shopIds = [product.shopId, ...promoterShops].filter((id): id is number => id !== null);
    const [restriction] = await q.activeRestrictions(db, { shopIds, promoterId }, now);
    return restriction ?? null;
  }

  private async productFacts(db: DbOrTx, productId: number): Promise<ProductFacts> {
    const cached = this.facts.get(productId);
    if (cached) return cached;
    const row = await q.crossBorderOf(db, productId);
    if (!row) throw notFound("Product");
    if (this.facts.size >= 10_000) this.facts.clear();
    this.facts.set(productId, row);
    return row;
  }

  private async publishAlert(payload: PriceGuardAlertPayload, targets: Targets): Promise<void> {
    const keys = new Set<string>(["all"]);
    for (const id of targets.shopIds) if (id !== null) keys.add(`shop:${id}`);
    const rooms = new Set(targets.rooms.filter((id): id is number => id !== null));
    for (const id of rooms) keys.add(`room:${id}`);
    const { bus, log } = this.deps;
    await Promise.all([
      ...[...keys].map((key) => bus.publish("priceGuardAlert", key, payload).catch((error) => log.warn("could not publish a price-guard alert", { key, error }))),
      ...[...rooms].map((room) => this.deps.live.publish(room, payload)),
    ]);
  }

  /**
   * priceGuardAlerts: a merchant watches its own shop, a promoter (and its overlay, signed in as the promoter) its
   * room, an admin anything (no arguments: every alert). Everyone else is refused here, before any event flows.
   */
  async watchAlerts(
    ctx: Context,
    shopGlobalId: string | null | undefined,
    sessionGlobalId: string | null | undefined,
  ): Promise<AsyncIterableIterator<PriceGuardAlertPayload | AccessRevoked>> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const admin = viewer.role === Role.ADMIN;
    const shopId = shopGlobalId ? idOf("Shop", shopGlobalId, "shopId") : null;
    const sessionId = sessionGlobalId ? idOf("LiveSession", sessionGlobalId, "liveSessionId") : null;
    if (shopId === null && sessionId === null && !admin) throw badInput("Give a shopId or a liveSessionId.", "shopId");
    // Read fresh rows every time: this runs again whenever the viewer's rights change (accessChanged), and a
    // merchant whose shop changed hands must stop receiving its alerts.
    const authorize = async () => {
      await assertActiveAccount(ctx);
      // The viewer's role as it is now: an admin demoted since subscribing loses the feed.
      let allowed = viewer.role === Role.ADMIN;
      if (shopId !== null) {
        const shop = await catalog.shopById(ctx.db, shopId);
        if (!shop) throw notFound("Shop");
        allowed ||= shop.ownerId === viewer.userId || (viewer.role === Role.PROMOTER && (await promoterShopId(ctx.db, viewer.userId)) === shopId);
      }
      if (sessionId !== null) {
        const session = await live.liveSessionById(ctx.db, sessionId);
        if (!session) throw notFound("Live session");
        allowed ||= viewer.role === Role.PROMOTER && session.promoterId === viewer.userId;
      }
      if (!allowed) throw forbidden("watching these price-guard alerts");
    };
    const key = sessionId !== null ? `room:${sessionId}` : shopId !== null ? `shop:${shopId}` : "all";
    const wanted = (a: PriceGuardAlertPayload) =>
      sessionId === null || shopId === null || a.productShopRowId === shopId || a.violatingShopRowId === shopId;
    return guardedStream({
      bus: this.deps.bus,
      viewer,
      authorize,
      open: async () =>
        eventStream<PriceGuardAlertPayload>({
          start: async (push) => {
            const unsubscribe = await this.deps.bus.subscribe("priceGuardAlert", key, (alert) => wanted(alert) && push(alert));
            this.alertSubscribers++;
            return async () => {
              this.alertSubscribers--;
              await unsubscribe();
            };
          },
          maxQueue: MAX_ALERT_QUEUE,
          onDrop: () => this.deps.log.warn("a slow price-guard alert subscriber lost its oldest alert", { key }),
        }),
    });
  }

  alertForEvent(ctx: Context, event: PriceGuardAlertPayload | AccessRevoked): PriceGuardAlertRoot {
    const payload = granted(event);
    renewLoaders(ctx);
    return { ...payload, at: new Date(payload.at) };
  }

  async violations(ctx: Context, args: PriceGuardViolationsArgs) {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const limit = pageSize(args.first);
    const after = decodeCursor(args.after, "priceGuardViolations");
    let visibleTo: q.ViolationListQuery["visibleTo"];
    if (viewer.role === Role.MERCHANT || viewer.role === Role.PROMOTER) {
      const shopIds = await q.shopIdsOwnedBy(ctx.db, viewer.userId);
      const own = viewer.role === Role.PROMOTER ? await promoterShopId(ctx.db, viewer.userId) : null;
      visibleTo = { shopIds: own === null ? shopIds : [...shopIds, own], promoterId: viewer.role === Role.PROMOTER ? viewer.userId : null };
    } else if (viewer.role !== Role.ADMIN && viewer.role !== Role.ANALYST) throw forbidden("reading price-guard violations");
    const rows = await q.listViolations(ctx.db, {
      shopId: args.shopId ? idOf("Shop", args.shopId, "shopId") : undefined,
      productId: args.productId ? idOf("Product", args.productId, "productId") : undefined,
      liveSessionId: args.liveSessionId ? idOf("LiveSession", args.liveSessionId, "liveSessionId") : undefined,
      promoterId: args.promoterId ? idOf("User", args.promoterId, "promoterId") : undefined,
      visibleTo,
      beforeId: after?.id,
      limit,
    });
    for (const row of rows) ctx.loaders.violationById.prime(row.id, row);
    return newestFirstConnection(rows, limit, "priceGuardViolations", toViolation, Boolean(after));
  }

  async violation(ctx: Context, rowId: number): Promise<PriceGuardViolation | null> {
    const row = await ctx.loaders.violationById.load(rowId);
    if (!row) return null;
    await this.assertMaySee(ctx, [row.shopId, row.productShopId], row.promoterId, "this violation");
    return toViolation(row);
  }

  async restriction(ctx: Context, rowId: number): Promise<PriceGuardRestriction | null> {
    const row = await ctx.loaders.restrictionById.load(rowId);
    if (!row) return null;
    await this.assertMaySee(ctx, [row.shopId], row.promoterId, "this restriction");
    return toRestriction(row);
  }

  /** `shop { restrictions }`: its merchant, admins and analysts. */
  async shopRestrictions(ctx: Context, shopRowId: number, activeOnly: boolean): Promise<PriceGuardRestriction[]> {
    await this.assertMaySee(ctx, [shopRowId], null, "this shop's restrictions");
    const now = ctx.clock.now();
    const rows = await ctx.loaders.restrictionsByShop.load(shopRowId);
    return rows.filter((r) => !activeOnly || restrictionActive(r, now)).map(toRestriction);
  }

  isActive(ctx: Context, restriction: PriceGuardRestriction): boolean {
    return restrictionActive(restriction, ctx.clock.now());
  }

  /** The filing in force: for signed-in merchants, promoters, admins and analysts (not buyers). */
  async currentAgreedPrice(ctx: Context, productRowId: number): Promise<AgreedPrice | null> {
    if (!ctx.viewer || ctx.viewer.role === Role.BUYER) return null;
    const row = await ctx.loaders.currentAgreedPriceByProduct.load(productRowId);
    return row ? toAgreedPrice(row) : null;
  }

  async agreedPriceHistory(ctx: Context, productRowId: number, shopRowId: number): Promise<AgreedPrice[]> {
    await this.assertMaySee(ctx, [shopRowId], null, "this product's filings");
    return (await ctx.loaders.agreedPricesByProduct.load(productRowId)).map(toAgreedPrice);
  }

  async agreedPrice(ctx: Context, rowId: number): Promise<AgreedPrice | null> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role === Role.BUYER) throw forbidden("reading agreed prices");
    const row = await ctx.loaders.agreedPriceById.load(rowId);
    return row ? toAgreedPrice(row) : null;
  }

  async liftRestriction(ctx: Context, input: LiftRestrictionInput): Promise<{ restriction: PriceGuardRestriction | null; userErrors: PriceGuardUserError[] }> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.ADMIN) throw forbidden("lifting restrictions");
    const id = idOf("PriceGuardRestriction", input.restrictionId, "restrictionId");
    const reason = input.reason.trim();
    const now = this.deps.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const row = await q.restrictionById(tx, id, true);
      if (!row) throw notFound("Restriction");
      if (!restrictionActive(row, now)) return null;
      return q.liftRestrictionRow(tx, id, viewer.userId, reason, now);
    });
    if (!outcome) {
      return { restriction: null, userErrors: [userError(PriceGuardErrorCode.NOT_ACTIVE, "The restriction is not in force (expired or already lifted).", "restrictionId")] };
    }
    ctx.log.info("price-guard restriction lifted", { restrictionId: id, userId: viewer.userId });
    return { restriction: toRestriction(outcome), userErrors: [] };
  }

  /** Admins and analysts see everything; others only what concerns their own shops, or themselves as a promoter. */
  private async assertMaySee(ctx: Context, shopIds: (number | null)[], promoterId: number | null, what: string): Promise<void> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (viewer.role === Role.ADMIN || viewer.role === Role.ANALYST) return;
    if (viewer.role === Role.PROMOTER && promoterId === viewer.userId) return;
    if (viewer.role === Role.MERCHANT || viewer.role === Role.PROMOTER) {
      for (const id of shopIds) {
        if (id !== null && (await ctx.loaders.shopById.load(id))?.ownerId === viewer.userId) return;
      }
    }
    throw forbidden(`reading ${what}`);
  }
}

function restrictedMessage(r: RestrictionRow): string {
  const until = r.endsAt ? `until ${r.endsAt.toISOString()}` : "until an admin lifts the suspension";
  return `Cross-border sales are restricted by a price-guard penalty (${r.penalty}) ${until}.`;
}


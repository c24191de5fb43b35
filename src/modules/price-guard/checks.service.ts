import { randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Context } from "../../shared/context.js";
import type { DbOrTx, Tx } from "../../db/client.js";
import { afterCommit } from "../../db/transaction.js";
import type { AgreedPriceRow, RestrictionRow } from "../../db/schema/index.js";
import type { PriceGuardAlertPayload } from "../../realtime/topics.js";
import type { Clock } from "../../shared/clock.js";
import { notFound } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { formatFen } from "../../shared/money.js";
import { userError } from "../../shared/user-errors.js";
import { promoterShopId } from "../alliance/index.js";
import { productById, ProductErrorCode, type ProductGuard, type ProductUserError } from "../catalog/index.js";
import { FlashSaleErrorCode, openSalesOfProduct, type FlashSaleGuard, type FlashSaleUserError } from "../flash-sales/index.js";
import { LiveErrorCode, livePinsOfProduct, pinnedCartItem, type CartGuard, type LiveUserError } from "../live/index.js";
import { CouponErrorCode, MAX_ORDER_QUANTITY, PlaceOrderErrorCode, usableCouponsOfProduct, type CouponUserError, type OrderDraft, type OrderGuard } from "../orders/index.js";
import type { AlertService, AlertTargets } from "./alerts.service.js";
import * as q from "./price-guard.queries.js";
import {
  alertLevel,
  describeReach,
  lowestReach,
  offendingParty,
  restrictedMessage,
  sellerHandPriceFen,
  specMatches,
  type Channel,
  type CouponOffer,
} from "./price-guard.rules.js";
import type { ViolationOutbox } from "./violation-outbox.js";

interface ProductFacts {
  shopId: number;
  crossBorder: boolean;
}

/** What one order transaction learned about a product sold by a promoter: read once per batch, not per order. */
interface SaleState {
  filing: AgreedPriceRow | null;
  restriction: RestrictionRow | null;
}

/**
 * The price guard's checks (R12–R15), given to the flash-sale, live-cart, order and catalog services at
 * construction through the ports each of them declares: the lowest reachable hand price of every offer when it is
 * configured, and the actual hand price of every order, with the violations and penalties it records.
 */
export class PriceChecks implements FlashSaleGuard, CartGuard, OrderGuard, ProductGuard {
  private readonly saleStates = new WeakMap<Tx, Map<string, SaleState>>();
  /** A product's shop and cross-border mark never change: cached for the order hot path. */
  private readonly facts = new LRUCache<number, ProductFacts>({ max: 10_000 });

  constructor(private readonly deps: { clock: Clock; log: Logger; warningBps: number; alerts: AlertService; outbox: ViolationOutbox }) {}

  async checkFlashSale(
    ctx: Context,
    tx: Tx,
    sale: { productId: number; liveSessionId: number; promoterId: number; flashPriceFen: number; perBuyerLimit: number },
  ): Promise<FlashSaleUserError[]> {
    const product = await this.productFacts(tx, sale.productId);
    const promoterShop = await promoterShopId(tx, sale.promoterId);
    const restriction = await this.restrictionOf(tx, product, [promoterShop], sale.promoterId);
    if (restriction) return [userError(FlashSaleErrorCode.RESTRICTED, restrictedMessage(restriction), "productId")];
    const pin = await pinnedCartItem(tx, sale.liveSessionId, sale.productId);
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
    const listPriceFen = (await productById(tx, pin.productId))!.priceFen;
    // The room's subsidy also lowers the hand price of the room's flash sales of the product.
    const sales = await openSalesOfProduct(tx, pin.productId, pin.liveSessionId);
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
    const listPriceFen = (await productById(tx, coupon.productId))!.priceFen;
    const [pins, sales] = await Promise.all([livePinsOfProduct(tx, coupon.productId), openSalesOfProduct(tx, coupon.productId)]);
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
    const pins = await livePinsOfProduct(tx, change.productId);
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
      targets: AlertTargets;
    },
  ): Promise<string | null> {
    const filing = await q.currentAgreedPrice(tx, o.productId);
    if (!filing) return null;
    const now = this.deps.clock.now();
    const coupons: CouponOffer[] = [...(await usableCouponsOfProduct(tx, o.productId, now)), ...(o.extraCoupon ? [o.extraCoupon] : [])];
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
      this.deps.alerts.publish(
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
  async prepareOrders(tx: Tx, sale: Pick<OrderDraft, "productId" | "promoterId" | "promoterShopId">, now: Date): Promise<void> {
    await this.saleState(tx, sale, now);
  }

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
    const { restrictionStarted } = await this.deps.outbox.record(tx, { draft, filing, kind, party }, now);
    // A restriction started: this transaction's later orders of the batch must see it.
    if (restrictionStarted) this.saleStates.delete(tx);
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

  private async saleState(tx: Tx, draft: Pick<OrderDraft, "productId" | "promoterId" | "promoterShopId">, now: Date): Promise<SaleState> {
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
    const row = await productById(db, productId);
    if (!row) throw notFound("Product");
    const facts = { shopId: row.shopId, crossBorder: row.crossBorder };
    this.facts.set(productId, facts);
    return facts;
  }
}

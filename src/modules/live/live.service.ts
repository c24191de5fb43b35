import type { Context } from "../../shared/context.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import type { CartItemRow, LiveSessionRow } from "../../db/schema/index.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { EventBus } from "../../realtime/bus.js";
import type { RoomSpec, RoomTicket } from "../../realtime/fanout.js";
import type { LiveSessionEventPayload } from "../../realtime/topics.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { badInput, forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf, parseGlobalId, toGlobalId } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { formatFen, parseAmount } from "../../shared/money.js";
import { decodeCursor, newestFirstConnection, pageSize } from "../../shared/pagination.js";
import { userError } from "../../shared/user-errors.js";
import { isOnShelf } from "../alliance/index.js";
import { productById, shopById, shopCanSell } from "../catalog/index.js";
import { LIVE_EVENT_TYPES, liveEventMember, type LiveEventRoot } from "./live-events.type.js";
import type { LiveSessionsArgs, PinToCartInput, StartLiveSessionInput, UnpinFromCartInput } from "./live.inputs.js";
import * as q from "./live.queries.js";
import { liveRoom } from "./live.rooms.js";
import { LiveErrorCode, type LiveUserError } from "./live.rules.js";
import { toCartItem, toLiveSession, type CartItem, type LiveSession } from "./live.type.js";
import type { ViewerCounter } from "./viewer-counter.js";

/** The port live rooms are given at construction (the price guard implements it) to judge a pin's subsidy. */
export interface CartGuard {
  /** Runs in the pin's transaction; alerts it raises go out only if that transaction commits. */
  checkPin(ctx: Context, tx: Tx, pin: { productId: number; liveSessionId: number; promoterId: number; subsidyFen: number }): Promise<LiveUserError[]>;
}

/**
 * What a live room needs of its flash sales. The flash-sale service provides it, given at construction: flash sales
 * run in live rooms (that module depends on this one), so this module names what it needs instead of importing it.
 */
export interface RoomSales {
  /** Ends the sessions' open sales inside `db`'s transaction. */
  endSalesOfSessions(sessionIds: readonly number[], reason: string, db: DbOrTx): Promise<void>;
  /** Ends the open sales a withdrawal stops inside `db`'s transaction; returns how many. */
  endSalesWhere(w: q.Withdrawal, reason: string, db: DbOrTx): Promise<number>;
  /** Flash prices of the product's sales not yet ended in the session. */
  openFlashPrices(db: DbOrTx, liveSessionId: number, productId: number): Promise<number[]>;
}

interface EventsState {
  viewers: number;
}

export class LiveService {
  readonly eventsSpec: RoomSpec<EventsState, LiveSessionEventPayload>;
  private readonly guard: CartGuard | null;
  private readonly viewers: ViewerCounter | null;

  constructor(
    private readonly deps: { db: Db; bus: EventBus; clock: Clock; log: Logger; flashSales: RoomSales; guard: CartGuard | null; viewers: ViewerCounter | null },
  ) {
    this.guard = deps.guard;
    this.viewers = deps.viewers;
    this.eventsSpec = {
      name: "liveSessionEvents",
      topic: "liveSessionEvent",
      load: async (sessionId) => ({ viewers: (await this.viewers?.total(sessionId)) ?? 0 }),
      apply: (state, event) => (event.kind === "VIEWER_COUNT_CHANGED" ? { viewers: event.viewers } : state),
      snapshot: (state, sessionId): LiveEventRoot => ({ kind: "SNAPSHOT", liveSessionId: sessionId, at: this.deps.clock.now().toISOString(), viewers: state.viewers }),
      onEvent: (event, _state, sessionId): LiveEventRoot => ({ ...event, liveSessionId: sessionId }),
    };
  }

  async liveSession(ctx: Context, rowId: number): Promise<LiveSession | null> {
    const row = await ctx.loaders.liveSessionById.load(rowId);
    return row ? toLiveSession(row) : null;
  }

  async liveSessions(ctx: Context, args: LiveSessionsArgs) {
    const limit = pageSize(args.first);
    const after = decodeCursor(args.after, "liveSessions");
    const rows = await q.listLiveSessions(ctx.db, {
      status: args.status ?? undefined,
      promoterId: args.promoterId ? idOf("User", args.promoterId, "promoterId") : undefined,
      beforeId: after?.id,
      limit,
    });
    for (const row of rows) ctx.loaders.liveSessionById.prime(row.id, row);
    return newestFirstConnection(rows, limit, "liveSessions", toLiveSession, Boolean(after));
  }

  async cart(ctx: Context, sessionRowId: number): Promise<CartItem[]> {
    return (await ctx.loaders.cartItemsBySession.load(sessionRowId)).map(toCartItem);
  }

  async viewerCount(sessionRowId: number): Promise<number> {
    return (await this.viewers?.total(sessionRowId)) ?? 0;
  }

  async startLiveSession(ctx: Context, input: StartLiveSessionInput): Promise<{ liveSession: LiveSession | null; userErrors: LiveUserError[] }> {
    const viewer = this.promoter(ctx);
    const title = input.title;
    const row = await q.insertLiveSession(ctx.db, { promoterId: viewer, title, startedAt: this.deps.clock.now() });
    ctx.log.info("live session started", { liveSessionId: row.id, promoterId: viewer });
    return { liveSession: toLiveSession(row), userErrors: [] };
  }

  async endLiveSession(ctx: Context, globalId: string): Promise<{ liveSession: LiveSession | null; userErrors: LiveUserError[] }> {
    const session = await this.ownSession(ctx, globalId);
    const now = this.deps.clock.now();
    // One transaction: the session row stays locked until its sales have ended, so createFlashSale (which
    // share-locks it) cannot slip a RUNNING sale into the session between the two.
    const ended = await transaction(ctx.db, async (tx) => {
      const row = await q.endLiveSessionRow(tx, session.id, now);
      if (!row) return null;
      await this.deps.flashSales.endSalesOfSessions([session.id], "SESSION_ENDED", tx);
      afterCommit(tx, () => this.publish(session.id, { kind: "LIVE_SESSION_ENDED", at: now.toISOString() }));
      return row;
    });
    if (!ended) return { liveSession: null, userErrors: [userError(LiveErrorCode.SESSION_NOT_LIVE, "The session has already ended.", "id")] };
    return { liveSession: toLiveSession(ended), userErrors: [] };
  }

  async pinToCart(ctx: Context, input: PinToCartInput): Promise<{ cartItem: CartItem | null; userErrors: LiveUserError[] }> {
    const session = await this.ownSession(ctx, input.liveSessionId);
    const productId = idOf("Product", input.productId, "productId");
    const product = await productById(ctx.db, productId);
    if (!product) throw notFound("Product");
    const errors: LiveUserError[] = [];
    if (session.status !== "LIVE") errors.push(userError(LiveErrorCode.SESSION_NOT_LIVE, "The session has ended.", "liveSessionId"));
    const shop = await shopById(ctx.db, product.shopId);
    // Direct selling: a host sells its own shop's goods without the alliance (no commission); others come from its shelf.
    const ownGoods = shop?.ownerId === session.promoterId;
    if (!ownGoods && !(await isOnShelf(ctx.db, session.promoterId, productId))) {
      errors.push(userError(LiveErrorCode.NOT_ON_SHELF, "Only your own shop's goods and products on your shelf can be pinned.", "productId"));
    }
    if (!shop || !shopCanSell(shop)) errors.push(userError(LiveErrorCode.SHOP_CANNOT_SELL, "The product's shop cannot use the live cart now.", "productId"));
    const subsidyFen = input.subsidy == null ? 0 : parseAmount(input.subsidy);
    if (subsidyFen === null) {
      errors.push(userError(LiveErrorCode.INVALID_SUBSIDY, "The subsidy must be a decimal amount, e.g. \"5.00\".", "subsidy"));
    } else {
      // R12: a unit's hand price stays at least 1 fen, at the list price and at every open flash price of the room.
      const lowestFen = Math.min(product.priceFen, ...(await this.deps.flashSales.openFlashPrices(ctx.db, session.id, productId)));
      if (subsidyFen >= lowestFen) {
        errors.push(
          userError(LiveErrorCode.DISCOUNT_EXCEEDS_PRICE, `The subsidy must be below the lowest price it applies to (${formatFen(lowestFen)}).`, "subsidy"),
        );
      }
    }
    if (errors.length > 0) return { cartItem: null, userErrors: errors };
    const now = this.deps.clock.now();
    const outcome = await transaction(ctx.db, async (tx): Promise<{ row: CartItemRow | null; errors: LiveUserError[] }> => {
      const locked = await q.liveSessionById(tx, session.id, "share");
      if (locked?.status !== "LIVE") return { row: null, errors: [userError(LiveErrorCode.SESSION_NOT_LIVE, "The session has ended.", "liveSessionId")] };
      if (this.guard) {
        const refused = await this.guard.checkPin(ctx, tx, { productId, liveSessionId: session.id, promoterId: session.promoterId, subsidyFen: subsidyFen! });
        if (refused.length > 0) return { row: null, errors: refused };
      }
      const row = await q.pinCartItem(tx, session.id, productId, subsidyFen!, now);
      afterCommit(tx, () => this.publish(session.id, { kind: "CART_ITEM_PINNED", at: now.toISOString(), productId, cartItemId: row.id }));
      return { row, errors: [] };
    });
    if (!outcome.row) return { cartItem: null, userErrors: outcome.errors };
    return { cartItem: toCartItem(outcome.row), userErrors: [] };
  }

  async unpinFromCart(ctx: Context, input: UnpinFromCartInput): Promise<{ cartItem: CartItem | null; userErrors: LiveUserError[] }> {
    const session = await this.ownSession(ctx, input.liveSessionId);
    const productId = idOf("Product", input.productId, "productId");
    const item = await q.pinnedCartItem(ctx.db, session.id, productId);
    if (!item) return { cartItem: null, userErrors: [userError(LiveErrorCode.NOT_ON_CART, "The product is not on the cart.", "productId")] };
    const now = this.deps.clock.now();
    const row = await q.unpinCartItem(ctx.db, item.id, now);
    if (!row) return { cartItem: null, userErrors: [userError(LiveErrorCode.NOT_ON_CART, "The product is not on the cart.", "productId")] };
    await this.publish(session.id, { kind: "CART_ITEM_UNPINNED", at: now.toISOString(), productId, cartItemId: row.id });
    return { cartItem: toCartItem(row), userErrors: [] };
  }

  /**
   * Takes goods out of every live room in one transaction (joining `db`'s when it is one): their open flash sales
   * end, units back to stock, and their pins are removed. Rooms hear FLASH_SALE_ENDED and CART_ITEM_UNPINNED once
   * it commits. Used when a shop loses the cart (R17) and when a price-guard restriction starts (R14).
   */
  async withdraw(db: DbOrTx, w: q.Withdrawal, reason: string): Promise<{ sales: number; pins: number }> {
    const now = this.deps.clock.now();
    return transaction(db, async (tx) => {
      const sales = await this.deps.flashSales.endSalesWhere(w, reason, tx);
      let pins = 0;
      for (const pin of await q.pinsToWithdraw(tx, w)) {
        const row = await q.unpinCartItem(tx, pin.id, now);
        if (!row) continue;
        pins++;
        afterCommit(tx, () => this.publish(pin.liveSessionId, { kind: "CART_ITEM_UNPINNED", at: now.toISOString(), productId: pin.productId, cartItemId: pin.id }));
      }
      afterCommit(tx, () => this.deps.log.info("goods withdrawn from live rooms", { ...w, reason, sales, pins }));
      return { sales, pins };
    });
  }

  watchEvents(ctx: Context, liveSessionGlobalId: string): Promise<RoomTicket> {
    return liveRoom(ctx, liveSessionGlobalId, this.eventsSpec);
  }

  /** Turns a room message into the union member GraphQL shows. */
  async toEvent(ctx: Context, root: LiveEventRoot): Promise<object> {
    const at = new Date(root.at);
    switch (root.kind) {
      case "SNAPSHOT": {
        const session = await this.liveSession(ctx, root.liveSessionId);
        if (!session) throw notFound("Live session");
        return { __typename: "LiveSessionSnapshot", at, liveSession: session, viewers: root.viewers };
      }
      case "VIEWER_COUNT_CHANGED":
        return { __typename: "ViewerCountChanged", at, viewers: root.viewers };
      case "CART_ITEM_PINNED":
      case "CART_ITEM_UNPINNED":
        return { __typename: LIVE_EVENT_TYPES[root.kind].name, at, productId: toGlobalId("Product", root.productId), productRowId: root.productId };
      case "FLASH_SALE_STARTED":
      case "FLASH_SALE_SOLD_OUT":
        return { __typename: LIVE_EVENT_TYPES[root.kind].name, at, flashSaleId: toGlobalId("FlashSale", root.flashSaleId), saleRowId: root.flashSaleId };
      case "FLASH_SALE_ENDED":
        return { __typename: "FlashSaleEnded", at, flashSaleId: toGlobalId("FlashSale", root.flashSaleId), saleRowId: root.flashSaleId, returnedUnits: root.returnedUnits, reason: root.reason };
      case "LIVE_SESSION_ENDED":
        return { __typename: "LiveSessionEnded", at };
      default: {
        const type = liveEventMember((root as { kind: string }).kind);
        if (!type) throw new Error(`unknown live event ${(root as { kind: string }).kind}`);
        return { __typename: type.name, ...(root as object), at };
      }
    }
  }

  async publish(sessionId: number, event: LiveSessionEventPayload): Promise<void> {
    await this.deps.bus.publish("liveSessionEvent", sessionId, event).catch((error) => this.deps.log.warn("could not publish", { sessionId, error }));
  }

  /** The host of live sessions: a promoter, or a merchant streaming its own shop (店播: its own goods only). */
  private promoter(ctx: Context): number {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.PROMOTER && ctx.viewer.role !== Role.MERCHANT) throw forbidden("running live sessions");
    return ctx.viewer.userId;
  }

  private async ownSession(ctx: Context, globalId: string): Promise<LiveSessionRow> {
    const promoterId = this.promoter(ctx);
    const parsed = parseGlobalId(globalId);
    if (!parsed || parsed.type !== "LiveSession") throw badInput("liveSessionId is not a valid LiveSession ID.", "liveSessionId");
    const session = await q.liveSessionById(ctx.db, parsed.id);
    if (!session) throw notFound("Live session");
    if (session.promoterId !== promoterId) throw forbidden("changes to another promoter's live session");
    return session;
  }
}

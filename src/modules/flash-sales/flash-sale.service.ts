import { LRUCache } from "lru-cache";
import type { Context } from "../../shared/context.js";
import type { Db, DbOrTx, Tx } from "../../db/client.js";
import { afterCommit, Rollback, transaction } from "../../db/transaction.js";
import type { FlashSaleRow } from "../../db/schema/index.js";
import type { EventBus } from "../../realtime/bus.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { RoomSpec, RoomTicket } from "../../realtime/fanout.js";
import type { FlashSaleStockEvent } from "../../realtime/topics.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { DAY_MS } from "../../shared/clock.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf, toGlobalId } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { userError } from "../../shared/user-errors.js";
import { formatFen } from "../../shared/money.js";
import { productById, returnStock, shopById, shopCanSell, takeStock } from "../catalog/index.js";
import { liveRoom, liveSessionById, pinnedCartItem } from "../live/index.js";
import type { AdmissionGate } from "./flash-sale.gate.js";
import { keyField } from "./flash-sale.gate.js";
import type { CreateFlashSaleInput } from "./flash-sale.inputs.js";
import * as q from "./flash-sale.queries.js";
import { checkFlashSaleDraft, FlashSaleErrorCode, type FlashSaleUserError } from "./flash-sale.rules.js";
import { FlashSaleStatus, stockOf, toFlashSale, toFlashSaleStock, type FlashSale, type FlashSaleInventory } from "./flash-sale.type.js";


/** The port flash sales are given at construction (the price guard implements it) to judge a sale's price. */
export interface FlashSaleGuard {
  /** Runs in the sale's transaction; alerts it raises go out only if that transaction commits. */
  checkFlashSale(
    ctx: Context,
    tx: Tx,
    sale: { productId: number; liveSessionId: number; promoterId: number; flashPriceFen: number; perBuyerLimit: number },
  ): Promise<FlashSaleUserError[]>;
}

export type InventoryState = Map<number, FlashSaleStockEvent>;

export class FlashSaleService {
  readonly inventorySpec: RoomSpec<InventoryState, FlashSaleStockEvent>;
  private readonly ensuring = new Map<number, Promise<{ open: boolean; status: string }>>();
  private readonly saleCache = new LRUCache<number, FlashSaleRow>({ max: 10_000 });
  private sweeping: Promise<void> | null = null;
  private nextSweep: Promise<void> | null = null;
  private readonly guard: FlashSaleGuard | null;

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      gate: AdmissionGate;
      clock: Clock;
      log: Logger;
      coalesceMs: number;
      guard: FlashSaleGuard | null;
      /** Governance's check (R17): what a shop lacks of its required deposit (0: in order). */
      deposits?: { shortfallFen(shopId: number): Promise<number> };
      /** Read caches hear of the stock a sale takes and gives back. */
      listings: ListingNotices;
    },
  ) {
    this.guard = deps.guard;
    this.inventorySpec = {
      name: "flashSaleInventory",
      topic: "flashSaleInventory",
      load: async (sessionId) => new Map((await q.flashSalesOfSessions(deps.db, [sessionId])).map((row) => [row.id, stockOf(row)])),
      apply: (state, event) => {
        const known = state.get(event.flashSaleId);
        if (!known || known.version < event.version) state.set(event.flashSaleId, event);
        return state;
      },
      snapshot: (state, sessionId): FlashSaleInventory => {
        const sales = [...state.values()].sort((a, b) => a.flashSaleId - b.flashSaleId);
        return {
          liveSessionId: toGlobalId("LiveSession", sessionId),
          // Each sale's version only grows, so their sum is a version of the room that only grows.
          version: sales.reduce((sum, s) => sum + s.version, 0),
          sales: sales.map(toFlashSaleStock),
        };
      },
      onEvent: "coalesce",
      coalesceMs: deps.coalesceMs,
    };
  }

  async flashSale(ctx: Context, rowId: number): Promise<FlashSale | null> {
    const row = await ctx.loaders.flashSaleById.load(rowId);
    return row ? toFlashSale(row) : null;
  }

  async createFlashSale(ctx: Context, input: CreateFlashSaleInput): Promise<{ flashSale: FlashSale | null; userErrors: FlashSaleUserError[] }> {
    const sessionId = idOf("LiveSession", input.liveSessionId, "liveSessionId");
    const productId = idOf("Product", input.productId, "productId");
    const now = this.deps.clock.now();
    const session = await liveSessionById(ctx.db, sessionId);
    if (!ctx.viewer) throw unauthenticated();
    if (!session) throw notFound("Live session");
    const host = ctx.viewer.role === Role.PROMOTER || ctx.viewer.role === Role.MERCHANT;
    if (!host || session.promoterId !== ctx.viewer.userId) throw forbidden("flash sales in this live session");
    const product = await productById(ctx.db, productId);
    if (!product) throw notFound("Product");
    const errors: FlashSaleUserError[] = [];
    if (session.status !== "LIVE") errors.push(userError(FlashSaleErrorCode.SESSION_NOT_LIVE, "The live session has ended.", "liveSessionId"));
    const pin = await pinnedCartItem(ctx.db, sessionId, productId);
    if (!pin) errors.push(userError(FlashSaleErrorCode.NOT_ON_CART, "Pin the product to the session's cart first.", "productId"));
    const shop = await shopById(ctx.db, product.shopId);
    if (!shopCanSell(shop!)) errors.push(userError(FlashSaleErrorCode.SHOP_CANNOT_SELL, "The product's shop cannot sell in live sessions now.", "productId"));
    const shortfall = (await this.deps.deposits?.shortfallFen(product.shopId)) ?? 0;
    if (shortfall > 0) {
      errors.push(userError(FlashSaleErrorCode.DEPOSIT_SHORTFALL, `The product's shop is ${formatFen(shortfall)} yuan short of its required deposit: no new flash sales until it tops up.`, "productId"));
    }
    const draft = checkFlashSaleDraft(
      { ...input, startsAt: input.startsAt ?? null },
      { now, stock: product.stock, listPriceFen: product.priceFen, subsidyPerUnitFen: pin?.subsidyFen ?? 0 },
    );
    const startsAt = draft.startsAt;
    errors.push(...draft.errors);
    if (errors.length > 0) return { flashSale: null, userErrors: errors };

    type Outcome = { row: FlashSaleRow | null; errors: FlashSaleUserError[] };
    const outcome = await transaction(ctx.db, async (tx): Promise<Outcome> => {
      // The session row is share-locked: endLiveSession (which updates it and ends the session's sales in the same
      // transaction) runs wholly before or wholly after this one, so no sale survives in an ENDED session.
      const locked = await liveSessionById(tx, sessionId, "share");
      if (locked?.status !== "LIVE") return { row: null, errors: [userError(FlashSaleErrorCode.SESSION_NOT_LIVE, "The live session has ended.", "liveSessionId")] };
      if (this.guard) {
        const refused = await this.guard.checkFlashSale(ctx, tx, { productId, liveSessionId: sessionId, promoterId: session.promoterId, flashPriceFen: draft.priceFen!, perBuyerLimit: input.perBuyerLimit });
        if (refused.length > 0) return { row: null, errors: refused };
      }
      // Not enough stock: roll back, so that nothing the guard scheduled (a WARNING for this offer) is published.
      const stockError = { row: null, errors: [userError(FlashSaleErrorCode.INSUFFICIENT_STOCK, "The stock changed: not enough units left.", "allocatedUnits")] };
      if (!(await takeStock(tx, productId, input.allocatedUnits))) throw new Rollback(stockError);
      const row = await q.insertFlashSale(tx, {
        liveSessionId: sessionId,
        productId,
        shopId: product.shopId,
        flashPriceFen: draft.priceFen!,
        allocatedUnits: input.allocatedUnits,
        perBuyerLimit: input.perBuyerLimit,
        startsAt,
        endsAt: input.endsAt,
        status: startsAt.getTime() <= now.getTime() ? "RUNNING" : "SCHEDULED",
      });
      afterCommit(tx, () => this.deps.listings.productsChanged([productId]));
      afterCommit(tx, () => this.loadGate(row, new Map(), new Set()));
      afterCommit(tx, () => this.publishStock(row));
      if (row.status === "RUNNING") afterCommit(tx, () => this.publishEvent(row.liveSessionId, { kind: "FLASH_SALE_STARTED", at: now.toISOString(), flashSaleId: row.id }));
      return { row, errors: [] };
    });
    if (!outcome.row) return { flashSale: null, userErrors: outcome.errors };
    ctx.log.info("flash sale created", { flashSaleId: outcome.row.id, liveSessionId: sessionId, units: outcome.row.allocatedUnits });
    return { flashSale: toFlashSale(outcome.row), userErrors: [] };
  }

  watchInventory(ctx: Context, liveSessionGlobalId: string): Promise<RoomTicket> {
    return liveRoom(ctx, liveSessionGlobalId, this.inventorySpec);
  }

  /** The immutable terms of a sale (price, product, window, limit), cached: the order hot path reads them per attempt. */
  async saleTerms(saleId: number): Promise<FlashSaleRow | null> {
    const cached = this.saleCache.get(saleId);
    if (cached) return cached;
    const row = await q.flashSaleById(this.deps.db, saleId);
    if (row) this.saleCache.set(saleId, row);
    return row;
  }

  /** Makes sure the gate of a sale exists, rebuilding it from the ledger (once per sale at a time). */
  ensureGate(saleId: number): Promise<{ open: boolean; status: string }> {
    let pending = this.ensuring.get(saleId);
    if (!pending) {
      pending = this.rebuildGate(saleId).finally(() => this.ensuring.delete(saleId));
      this.ensuring.set(saleId, pending);
    }
    return pending;
  }

  private async rebuildGate(saleId: number): Promise<{ open: boolean; status: string }> {
    const row = await q.flashSaleById(this.deps.db, saleId);
    if (!row) return { open: false, status: "ENDED" };
    if (row.status === "ENDED") {
      await this.deps.gate.drop(saleId);
      return { open: false, status: row.status };
    }
    const ledger = await q.gateLedger(this.deps.db, saleId);
    await this.loadGate(
      row,
      new Map(ledger.buyers.map((b) => [b.buyerId, b.quantity])),
      new Set(ledger.keys.map((k) => keyField(k.buyerId, k.key))),
    );
    return { open: row.status !== "SOLD_OUT", status: row.status };
  }

  private loadGate(row: FlashSaleRow, buyers: Map<number, number>, keys: Set<string>) {
    return this.deps.gate.load(row.id, {
      remaining: row.allocatedUnits - row.soldUnits,
      buyers,
      keys,
      expiresAt: new Date(row.endsAt.getTime() + DAY_MS),
    });
  }

  /** On start and after Redis comes back: every open sale's gate is rebuilt from the ledger. */
  async rebuildAllGates(): Promise<number> {
    const open = await q.openSales(this.deps.db);
    for (const row of open) await this.ensureGate(row.id);
    if (open.length) this.deps.log.info("rebuilt flash sale gates from the ledger", { sales: open.length });
    return open.length;
  }

  /**
   * Starts sales whose time has come and ends those whose time is up (units go back to stock). Safe on every instance.
   * A call while a sweep runs gets the next sweep, not the running one (which read the clock before the call); calls
   * meanwhile share that one follow-up, so a slow sweep never piles up timer ticks.
   */
  sweep(): Promise<void> {
    if (!this.sweeping) return this.startSweep();
    this.nextSweep ??= this.sweeping
      .catch(() => undefined)
      .then(() => {
        this.nextSweep = null;
        return this.startSweep();
      });
    return this.nextSweep;
  }

  private startSweep(): Promise<void> {
    this.sweeping = (async () => {
      const now = this.deps.clock.now();
      for (const row of await q.salesToStart(this.deps.db, now)) {
        await this.publishStock(row);
        await this.publishEvent(row.liveSessionId, { kind: "FLASH_SALE_STARTED", at: now.toISOString(), flashSaleId: row.id });
      }
      for (const { id } of await q.salesDueToEnd(this.deps.db, now)) await this.endSale(id, "TIME_UP");
      await this.reclaimLeases();
    })().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  /**
   * Admissions whose lease has run out (their process died, or stalled past GATE_LEASE_MS): units and key go back
   * to the gate, unless the ledger shows the order committed. Returns how many were taken back.
   */
  async reclaimLeases(): Promise<number> {
    let taken = 0;
    for (const row of await q.openSales(this.deps.db)) {
      const expired = await this.deps.gate.expired(row.id);
      if (expired.length === 0) continue;
      const ledger = await q.gateLedger(this.deps.db, row.id);
      const committed = new Set(ledger.keys.map((k) => keyField(k.buyerId, k.key)));
      for (const lease of expired) await this.deps.gate.expire(row.id, lease, committed.has(keyField(lease.buyerId, lease.idempotencyKey)));
      taken += expired.length;
      this.deps.log.warn("took back admissions whose lease expired", { flashSaleId: row.id, leases: expired.length });
    }
    return taken;
  }

  /** Ends a sale at once: unsold units return to the product's stock in the same transaction. */
  /**
   * Ends a sale: unsold units return to the product's stock in the same transaction. Given a transaction, it joins
   * it, and the gate is dropped and subscribers hear ENDED only once that transaction commits.
   */
  async endSale(saleId: number, reason: string, db: DbOrTx = this.deps.db): Promise<FlashSaleRow | null> {
    const now = this.deps.clock.now();
    return transaction(db, async (tx) => {
      const ended = await q.endSaleRow(tx, saleId, now, reason);
      if (!ended) return null;
      await returnStock(tx, ended.productId, ended.returnedUnits);
      afterCommit(tx, async () => {
        if (ended.returnedUnits > 0) this.deps.listings.productsChanged([ended.productId]);
        await this.deps.gate.drop(saleId).catch((error) => this.deps.log.warn("could not drop a gate", { saleId, error }));
        await this.publishStock(ended);
        await this.publishEvent(ended.liveSessionId, {
          kind: "FLASH_SALE_ENDED",
          at: now.toISOString(),
          flashSaleId: ended.id,
          returnedUnits: ended.returnedUnits,
          reason,
        });
        this.deps.log.info("flash sale ended", { flashSaleId: saleId, reason, sold: ended.soldUnits, returned: ended.returnedUnits });
      });
      return ended;
    });
  }

  /** Ends the open sales a withdrawal stops, inside `db`'s transaction when it is one. */
  async endSalesWhere(w: { shopId: number | null; promoterId: number | null; crossBorderOnly: boolean }, reason: string, db: DbOrTx = this.deps.db): Promise<number> {
    const sales = await q.salesToWithdraw(db, w);
    for (const { id } of sales) await this.endSale(id, reason, db);
    return sales.length;
  }

  /** Ends every open sale of the sessions, inside `db`'s transaction when it is one. */
  async endSalesOfSessions(sessionIds: readonly number[], reason: string, db: DbOrTx = this.deps.db): Promise<void> {
    if (sessionIds.length === 0) return;
    for (const row of await q.flashSalesOfSessions(db, sessionIds)) {
      if (row.status !== FlashSaleStatus.ENDED) await this.endSale(row.id, reason, db);
    }
  }

  /** Flash prices of the product's sales not yet ended in the session (a room's subsidy stays below each, R12). */
  async openFlashPrices(db: DbOrTx, liveSessionId: number, productId: number): Promise<number[]> {
    const sales = await q.flashSalesOfSessions(db, [liveSessionId]);
    return sales.filter((s) => s.productId === productId && s.status !== FlashSaleStatus.ENDED).map((s) => s.flashPriceFen);
  }

  async publishStock(row: FlashSaleRow): Promise<void> {
    await this.deps.bus
      .publish("flashSaleInventory", row.liveSessionId, stockOf(row))
      .catch((error) => this.deps.log.warn("could not publish flash sale stock", { flashSaleId: row.id, error }));
  }

  async publishEvent(sessionId: number, event: import("../../realtime/topics.js").LiveSessionEventPayload): Promise<void> {
    await this.deps.bus
      .publish("liveSessionEvent", sessionId, event)
      .catch((error) => this.deps.log.warn("could not publish a live session event", { sessionId, kind: event.kind, error }));
  }
}

import type { Context } from "../../shared/context.js";
import type { Db, Tx } from "../../db/client.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { EventBus, Unsubscribe } from "../../realtime/bus.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import { eventStream } from "../../realtime/event-stream.js";
import { guardedStream, type AccessRevoked } from "../../realtime/guarded-stream.js";
import { activeViewer } from "../accounts/index.js";
import { Role } from "../../shared/auth.js";
import { badInput, forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { amountFilter } from "../../shared/money.js";
import { connectionOf, decodeCursor, pageSize, type PageArgs } from "../../shared/pagination.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";
import type { ShopRow } from "../../db/schema/index.js";
import type { CreateProductInput, OpenShopInput, ProductFilter, ProductOrder, ReviewShopInput, SetShopCartInput, TransferShopInput, UpdateProductInput } from "./catalog.inputs.js";
import * as q from "./catalog.queries.js";
import { KeptShops } from "./kept-shops.js";
import {
  checkCrossBorder,
  checkProductDraft,
  checkShopDraft,
  initialShopStatus,
  MAX_MERCHANT_SHOPS,
  ProductErrorCode,
  ShopErrorCode,
  type ProductUserError,
  type ShopUserError,
} from "./catalog.rules.js";
import { IndustryBelt, ShopKind, toProduct, toShop, type Product, type Shop, type ShopStatus } from "./catalog.type.js";


export interface ProductPayloadValue {
  product: Product | null;
  userErrors: ProductUserError[];
}

/** The port the catalog is given at construction (the price guard implements it) for list-price changes (the list price is an offer like any other, R13). */
export interface ProductGuard {
  /** Runs in the change's transaction; alerts it raises go out only if that transaction commits. */
  checkListPrice(ctx: Context, tx: Tx, change: { productId: number; listPriceFen: number }): Promise<ProductUserError[]>;
}

export class CatalogService {
  private readonly guard: ProductGuard | null;
  private readonly keptShops = new KeptShops();
  private unsubscribe: Unsubscribe | null = null;

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      log: Logger;
      guard: ProductGuard | null;
      /** Accounts' port: a user whose rights changed has its live subscriptions re-checked. */
      access: { accessChanged(ctx: Context, userId: number): Promise<void> };
      /** The live rooms' port: takes a shop's goods out of live rooms inside the given transaction. */
      cartLost: (tx: Tx, shopId: number) => Promise<unknown>;
      /** Read caches hear of every product change. */
      listings: ListingNotices;
    },
  ) {
    this.guard = deps.guard;
  }

  /** Kept shops follow the listings' changes from here on. */
  async start(): Promise<void> {
    this.unsubscribe = await this.deps.listings.listen((change) => this.keptShops.changed(change));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Changes may have been missed (the bus was away): nothing kept is trusted. */
  forgetKept(): void {
    this.keptShops.clear();
  }

  async products(ctx: Context, page: PageArgs, filter: ProductFilter | null | undefined, order: ProductOrder | null | undefined) {
    const limit = pageSize(page.first);
    const sort = order?.field ?? "ID";
    const descending = order?.direction === "DESC";
    const cursorKey = `products:${sort}:${descending ? "d" : "a"}`;
    const after = decodeCursor(page.after, cursorKey);
    // A forged cursor must not reach SQL with a value of the wrong type for its sort column.
    if (after && (sort === "TITLE" ? typeof after.value !== "string" : !Number.isSafeInteger(after.value))) {
      throw badInput("after is not a cursor of this list and order.", "after");
    }
    const result = await q.listProducts(ctx.db, {
      shopId: filter?.shopId ? idOf("Shop", filter.shopId, "filter.shopId") : undefined,
      category: filter?.category ?? undefined,
      industryBelt: filter?.industryBelt ?? undefined,
      crossBorder: filter?.crossBorder ?? undefined,
      minPriceFen: amountFilter(filter?.minPrice, "minPrice"),
      maxPriceFen: amountFilter(filter?.maxPrice, "maxPrice"),
      sort,
      descending,
      after,
      limit,
    });
    for (const row of result.nodes) ctx.loaders.productById.prime(row.id, row);
    const sortValue = { ID: (p: Product) => p.rowId, PRICE: (p: Product) => p.priceFen, STOCK: (p: Product) => p.stock, TITLE: (p: Product) => p.title }[sort];
    return connectionOf(
      { nodes: result.nodes.map(toProduct), hasNextPage: result.hasNextPage },
      (p) => ({ key: cursorKey, value: sortValue(p), id: p.rowId }),
      Boolean(after),
    );
  }

  async product(ctx: Context, rowId: number): Promise<Product | null> {
    const row = await ctx.loaders.productById.load(rowId);
    return row ? toProduct(row) : null;
  }

  /** A shop as shown in a response (kept in the process; see KeptShops). */
  async shop(ctx: Context, rowId: number): Promise<Shop | null> {
    return this.keptShops.read(rowId, async (id) => {
      const row = await ctx.loaders.shopById.load(id);
      return row ? toShop(row) : null;
    });
  }

  async createProduct(ctx: Context, input: CreateProductInput): Promise<ProductPayloadValue> {
    const shop = await this.ownShop(ctx, idOf("Shop", input.shopId, "shopId"));
    const { errors, priceFen } = checkProductDraft(input);
    const crossBorder = input.crossBorder ?? false;
    const bondedWarehouse = input.bondedWarehouse?.trim() || (crossBorder ? shop.bondedWarehouse : null);
    errors.push(...checkCrossBorder(shop.kind, crossBorder, bondedWarehouse));
    if (shop.status === "CLOSED" || shop.status === "REJECTED") errors.push(userError(ProductErrorCode.SHOP_CLOSED, "The shop is closed.", "shopId"));
    if (errors.length > 0) return { product: null, userErrors: errors };
    const now = ctx.clock.now();
    const row = await q.insertProduct(ctx.db, {
      shopId: shop.id,
      title: input.title.trim(),
      description: input.description ?? "",
      category: input.category,
      originBelt: input.originBelt ?? shop.industryBelt,
      priceFen: priceFen!,
      stock: input.stock,
      crossBorder,
      bondedWarehouse,
      createdAt: now,
      updatedAt: now,
    });
    ctx.log.info("product created", { productId: row.id, shopId: shop.id, userId: ctx.viewer?.userId });
    return { product: toProduct(row), userErrors: [] };
  }

  async updateProduct(ctx: Context, input: UpdateProductInput): Promise<ProductPayloadValue> {
    const productId = idOf("Product", input.productId, "productId");
    const outcome = await transaction(ctx.db, async (tx) => {
      const current = await q.productById(tx, productId, true);
      if (!current) throw notFound("Product");
      const shop = await q.shopById(tx, current.shopId);
      this.assertOwner(ctx, shop);
      const { errors, priceFen } = checkProductDraft(input);
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.push(
          userError(ProductErrorCode.VERSION_CONFLICT, `The product is at version ${current.version}, not ${input.expectedVersion}.`, "expectedVersion"),
        );
      }
      if (input.bondedWarehouse != null) errors.push(...checkCrossBorder(shop!.kind, current.crossBorder, input.bondedWarehouse.trim() || null));
      if (errors.length > 0) return { row: null, errors };
      if (this.guard && priceFen !== undefined && priceFen !== current.priceFen) {
        const refused = await this.guard.checkListPrice(ctx, tx, { productId, listPriceFen: priceFen });
        if (refused.length > 0) return { row: null, errors: refused };
      }
      const row = await q.updateProductRow(
        tx,
        productId,
        {
          ...(input.title != null && { title: input.title.trim() }),
          ...(input.description != null && { description: input.description }),
          ...(input.category != null && { category: input.category }),
          ...(priceFen !== undefined && { priceFen }),
          ...(input.stock != null && { stock: input.stock }),
          ...(input.bondedWarehouse != null && { bondedWarehouse: input.bondedWarehouse.trim() }),
        },
        ctx.clock.now(),
      );
      afterCommit(tx, () => {
        this.deps.listings.productsChanged([row.id]);
        return this.publish(row.id, row.version);
      });
      return { row, errors };
    });
    if (!outcome.row) return { product: null, userErrors: outcome.errors };
    return { product: toProduct(outcome.row), userErrors: [] };
  }

  /**
   * Admin: a shop changes hands. The previous owner loses the shop's private views at once: its live subscriptions
   * (price-guard alerts of the shop) are re-checked through accessChanged and end.
   */
  async transferShop(ctx: Context, input: TransferShopInput): Promise<{ shop: Shop | null; userErrors: UserErrorValue<ShopErrorCode>[] }> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.ADMIN) throw forbidden("transferring shops");
    const shopId = idOf("Shop", input.shopId, "shopId");
    const newOwnerId = idOf("User", input.newOwnerId, "newOwnerId");
    const [shop, owner] = await Promise.all([q.shopById(ctx.db, shopId), ctx.loaders.userById.load(newOwnerId)]);
    if (!shop) throw notFound("Shop");
    if (!owner) throw notFound("User");
    if (owner.role !== Role.MERCHANT && owner.role !== Role.PROMOTER) {
      return { shop: null, userErrors: [userError(ShopErrorCode.NEW_OWNER_ROLE, "A shop belongs to a MERCHANT, or to a PROMOTER as its own shop.", "newOwnerId")] };
    }
    if (shop.ownerId === newOwnerId) return { shop: null, userErrors: [userError(ShopErrorCode.SAME_OWNER, "The user already owns the shop.", "newOwnerId")] };
    const row = await q.setShopOwner(ctx.db, shopId, newOwnerId);
    this.deps.listings.shopChanged(shopId);
    for (const userId of [shop.ownerId, newOwnerId]) await this.deps.access.accessChanged(ctx, userId);
    ctx.log.info("shop transferred", { shopId, from: shop.ownerId, to: newOwnerId, by: ctx.viewer.userId });
    return { shop: toShop(row!), userErrors: [] };
  }

  async setShopCart(ctx: Context, input: SetShopCartInput): Promise<{ shop: Shop | null; userErrors: UserErrorValue<ShopErrorCode>[] }> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.ADMIN) throw forbidden("switching a shop's cart");
    const shopId = idOf("Shop", input.shopId, "shopId");
    const reason = input.reason;
    const outcome = await transaction(ctx.db, async (tx) => {
      const shop = await q.lockShop(tx, shopId);
      if (!shop) throw notFound("Shop");
      if (shop.status !== "NORMAL" && shop.status !== "CART_DISABLED") {
        return { row: null, errors: [userError(ShopErrorCode.SHOP_NOT_OPEN, `The shop is ${shop.status}: it has no cart to switch.`, "shopId")] };
      }
      const row = await q.setShopStatus(tx, shopId, input.enabled ? "NORMAL" : "CART_DISABLED");
      if (!input.enabled && shop.status === "NORMAL") await this.deps.cartLost(tx, shopId);
      afterCommit(tx, () => this.deps.listings.shopChanged(shopId));
      return { row, errors: [] };
    });
    if (!outcome.row) return { shop: null, userErrors: outcome.errors };
    ctx.loaders.shopById.clear(shopId);
    ctx.log.info(input.enabled ? "shop cart enabled" : "shop cart disabled", { shopId, reason, by: ctx.viewer.userId });
    return { shop: toShop(outcome.row), userErrors: [] };
  }

  /**
   * Governance's port (R17, credit ≤ 0): the cart goes off (the shop's goods leave live rooms) or back on, inside the
   * caller's transaction. "unchanged" when it already was so; "not-open" for a shop that has no cart (closed, in review).
   */
  async switchCart(tx: Tx, shopId: number, enabled: boolean): Promise<"switched" | "unchanged" | "not-open"> {
    const shop = await q.lockShop(tx, shopId);
    if (!shop) throw notFound("Shop");
    if (shop.status !== "NORMAL" && shop.status !== "CART_DISABLED") return "not-open";
    if ((shop.status === "NORMAL") === enabled) return "unchanged";
    await q.setShopStatus(tx, shopId, enabled ? "NORMAL" : "CART_DISABLED");
    if (!enabled) await this.deps.cartLost(tx, shopId);
    afterCommit(tx, () => this.deps.listings.shopChanged(shopId));
    return "switched";
  }

  /** A merchant opens a shop, or a promoter its own one (R6). Cross-border shops wait for an admin's review. */
  async openShop(ctx: Context, input: OpenShopInput): Promise<{ shop: Shop | null; userErrors: ShopUserError[] }> {
    if (!ctx.viewer) throw unauthenticated();
    const { role, userId } = ctx.viewer;
    if (role !== Role.MERCHANT && role !== Role.PROMOTER) throw forbidden("opening shops");
    const kind = input.kind ?? ShopKind.REGULAR;
    const errors = checkShopDraft({ name: input.name, kind, bondedWarehouse: input.bondedWarehouse ?? null });
    if (errors.length > 0) return { shop: null, userErrors: errors };
    const now = ctx.clock.now();
    const outcome = await ctx.db.transaction(async (tx) => {
      const count = await q.liveShopCountForUpdate(tx, userId);
      if (role === Role.PROMOTER && count >= 1) {
        return { row: null, error: userError(ShopErrorCode.PROMOTER_HAS_SHOP, "A promoter has one shop of its own (小店), and this one already has it.") };
      }
      if (count >= MAX_MERCHANT_SHOPS) return { row: null, error: userError(ShopErrorCode.TOO_MANY_SHOPS, `A merchant runs at most ${MAX_MERCHANT_SHOPS} shops.`) };
      const row = await q.insertShop(tx, {
        ownerId: userId,
        name: input.name.trim(),
        kind,
        status: initialShopStatus(kind),
        industryBelt: input.industryBelt ?? IndustryBelt.OTHER,
        bondedWarehouse: input.bondedWarehouse?.trim() || null,
        createdAt: now,
      });
      return { row, error: null };
    });
    if (!outcome.row) return { shop: null, userErrors: [outcome.error!] };
    ctx.log.info("shop opened", { shopId: outcome.row.id, ownerId: userId, kind, status: outcome.row.status });
    return { shop: toShop(outcome.row), userErrors: [] };
  }

  /** Admin: a cross-border shop's review (its bonded warehouse); approved it is NORMAL and may sell. */
  async reviewShop(ctx: Context, input: ReviewShopInput): Promise<{ shop: Shop | null; userErrors: ShopUserError[] }> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.ADMIN) throw forbidden("reviewing shops");
    const shopId = idOf("Shop", input.shopId, "shopId");
    const note = input.note?.trim() || null;
    const row = await q.decideShopReview(ctx.db, shopId, {
      status: input.approve ? "NORMAL" : "REJECTED",
      reviewerId: ctx.viewer.userId,
      reviewedAt: ctx.clock.now(),
      reviewNote: note,
    });
    if (!row) {
      const shop = await q.shopById(ctx.db, shopId);
      if (!shop) throw notFound("Shop");
      return { shop: null, userErrors: [userError(ShopErrorCode.NOT_UNDER_REVIEW, `The shop is ${shop.status}, not UNDER_REVIEW.`, "shopId")] };
    }
    this.deps.listings.shopChanged(shopId);
    ctx.log.info("shop reviewed", { shopId, status: row.status, adminId: ctx.viewer.userId });
    return { shop: toShop(row), userErrors: [] };
  }

  /** Staff see every shop (e.g. those UNDER_REVIEW); a merchant or promoter sees its own. */
  async shops(ctx: Context, page: PageArgs, status: ShopStatus | null | undefined) {
    if (!ctx.viewer) throw unauthenticated();
    const staff = ctx.viewer.role === Role.ADMIN || ctx.viewer.role === Role.ANALYST;
    const limit = pageSize(page.first);
    const key = `shops:${status ?? "ALL"}`;
    const after = decodeCursor(page.after, key);
    const rows = await q.shopsPage(ctx.db, { status: status ?? undefined, ownerId: staff ? undefined : ctx.viewer.userId, afterId: after?.id, limit });
    for (const row of rows.slice(0, limit)) ctx.loaders.shopById.prime(row.id, row);
    return connectionOf(
      { nodes: rows.slice(0, limit).map(toShop), hasNextPage: rows.length > limit },
      (shop) => ({ key, value: shop.rowId, id: shop.rowId }),
      Boolean(after),
    );
  }

  /** Snapshot first, then one message per change (the newest state wins if a subscriber falls behind). */
  async watchProduct(ctx: Context, productGlobalId: string): Promise<AsyncIterableIterator<{ productId: number } | AccessRevoked>> {
    const productId = idOf("Product", productGlobalId, "productId");
    return guardedStream({
      bus: this.deps.bus,
      viewer: ctx.checked,
      refresh: activeViewer(ctx.db),
      open: async () => {
        if (!(await this.product(ctx, productId))) throw notFound("Product");
        return eventStream({
          start: (push) => this.deps.bus.subscribe("productUpdated", productId, (event) => push({ productId: event.productId })),
          first: async () => ({ productId }),
          maxQueue: 16,
        });
      },
    });
  }

  async productForEvent(ctx: Context, productId: number): Promise<Product> {
    const product = await this.product(ctx, productId);
    if (!product) throw notFound("Product");
    return product;
  }

  private async publish(productId: number, version: number) {
    try {
      await this.deps.bus.publish("productUpdated", productId, { productId, version });
    } catch (error) {
      // The change is committed; a lost event only delays subscribers until their next snapshot.
      this.deps.log.warn("could not publish productUpdated", { productId, error });
    }
  }

  private async ownShop(ctx: Context, shopId: number): Promise<ShopRow> {
    const shop = await ctx.loaders.shopById.load(shopId);
    this.assertOwner(ctx, shop);
    return shop!;
  }

  private assertOwner(ctx: Context, shop: ShopRow | null | undefined): void {
    if (!ctx.viewer) throw unauthenticated();
    if (!shop) throw notFound("Shop");
    // A merchant's shops, or a promoter's own shop (whose goods it sells directly, without the alliance).
    const seller = ctx.viewer.role === Role.MERCHANT || ctx.viewer.role === Role.PROMOTER;
    if (!seller || shop.ownerId !== ctx.viewer.userId) throw forbidden("changes to this shop's products");
  }
}

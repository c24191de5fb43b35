import type { ShopRow } from "../../db/schema/index.js";
import { afterCommit, transaction } from "../../db/transaction.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { userError } from "../../shared/user-errors.js";
import { requireRole } from "./alliance.access.js";
import type { AddToShelfInput, RemoveFromShelfInput, ReorderShelfInput } from "./alliance.inputs.js";
import * as q from "./alliance.queries.js";
import { isPermutation, MAX_SHELF_ITEMS, onboardingErrors, onboardingFactsOf, PromoterErrorCode, type PromoterUserError } from "./alliance.rules.js";
import { toShelfItem, type ShelfItem } from "./alliance.type.js";
import type { PublicShelves } from "./public-shelves.js";

export interface ShelfPayloadValue {
  shelf: ShelfItem[] | null;
  userErrors: PromoterUserError[];
}

/** A promoter's shelf: the alliance products it sells, in its order (R7). */
export class ShelfService {
  constructor(private readonly deps: { listings: ListingNotices; publicShelves: PublicShelves }) {}

  /**
   * Anyone may see a shelf; what the promoter earns on it (targeted rates are private deals) only it, admins and
   * analysts. What everybody else sees is the same for all of them and is kept in the process (PublicShelves).
   */
  async shelf(ctx: Context, promoterId: number): Promise<ShelfItem[]> {
    const privileged = ctx.viewer?.userId === promoterId || ctx.viewer?.role === Role.ADMIN || ctx.viewer?.role === Role.ANALYST;
    if (privileged) {
      const rows = await q.shelfOf(ctx.db, promoterId, ctx.clock.now());
      for (const r of rows) ctx.loaders.productById.prime(r.product.id, r.product);
      return rows.map(toShelfItem);
    }
    const shelf = await this.deps.publicShelves.read(promoterId, async () => {
      const rows = await q.shelfOf(ctx.db, promoterId, ctx.clock.now());
      const shops = await ctx.loaders.shopById.loadMany([...new Set(rows.map((r) => r.product.shopId))]);
      return {
        items: rows.map((r) => toShelfItem({ ...r, kind: null, rateBps: null })),
        products: rows.map((r) => r.product),
        shops: shops.filter((s): s is ShopRow => s !== null && !(s instanceof Error)),
      };
    });
    // What the items' fields load (their shops, above all) is then answered from the shelf too.
    for (const product of shelf.products) ctx.loaders.productById.prime(product.id, product);
    for (const shop of shelf.shops) ctx.loaders.shopById.prime(shop.id, shop);
    return shelf.items;
  }

  async addToShelf(ctx: Context, input: AddToShelfInput): Promise<ShelfPayloadValue> {
    requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productId = idOf("Product", input.productId, "productId");
    const product = await ctx.loaders.productById.load(productId);
    if (!product) throw notFound("Product");
    const shop = await ctx.loaders.shopById.load(product.shopId);
    const now = ctx.clock.now();
    const errors = await transaction(ctx.db, async (tx): Promise<PromoterUserError[]> => {
      const profile = await q.lockProfile(tx, me);
      const facts = onboardingFactsOf(profile, (await q.promoterShopId(tx, me)) !== null);
      const missing = onboardingErrors<PromoterErrorCode>(facts);
      if (missing.length > 0) return missing;
      const rates = await q.resolveCommissionRates(tx, me, [productId], now);
      if (!rates.has(productId) || shop?.status === "CLOSED") {
        return [userError(PromoterErrorCode.NOT_IN_ALLIANCE, "The product is not in the alliance library.", "productId")];
      }
      const shelf = await q.shelfProductIds(tx, me);
      if (shelf.includes(productId)) return [];
      if (shelf.length >= MAX_SHELF_ITEMS) {
        return [userError(PromoterErrorCode.SHELF_FULL, `A shelf holds at most ${MAX_SHELF_ITEMS} products.`, "productId")];
      }
      await q.appendToShelf(tx, me, productId, now);
      afterCommit(tx, () => this.deps.listings.shelfChanged(me));
      return [];
    });
    if (errors.length > 0) return { shelf: null, userErrors: errors };
    return { shelf: await this.shelf(ctx, me), userErrors: [] };
  }

  async removeFromShelf(ctx: Context, input: RemoveFromShelfInput): Promise<ShelfPayloadValue> {
    requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productId = idOf("Product", input.productId, "productId");
    const removed = await transaction(ctx.db, async (tx) => {
      await q.lockProfile(tx, me);
      const deleted = await q.deleteFromShelf(tx, me, productId);
      if (deleted) afterCommit(tx, () => this.deps.listings.shelfChanged(me));
      return deleted;
    });
    if (!removed) return { shelf: null, userErrors: [userError(PromoterErrorCode.NOT_ON_SHELF, "The product is not on your shelf.", "productId")] };
    return { shelf: await this.shelf(ctx, me), userErrors: [] };
  }

  async reorderShelf(ctx: Context, input: ReorderShelfInput): Promise<ShelfPayloadValue> {
    requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const productIds = input.productIds.map((id, i) => idOf("Product", id, `productIds.${i}`));
    const ok = await transaction(ctx.db, async (tx) => {
      await q.lockProfile(tx, me);
      if (!isPermutation(await q.shelfProductIds(tx, me), productIds)) return false;
      await q.setShelfOrder(tx, me, productIds);
      afterCommit(tx, () => this.deps.listings.shelfChanged(me));
      return true;
    });
    if (!ok) {
      return {
        shelf: null,
        userErrors: [userError(PromoterErrorCode.SHELF_MISMATCH, "List every product on your shelf exactly once.", "productIds")],
      };
    }
    return { shelf: await this.shelf(ctx, me), userErrors: [] };
  }
}

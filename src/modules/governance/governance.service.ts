import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf, toGlobalId } from "../../shared/ids.js";
import { userError } from "../../shared/user-errors.js";
import { productById, shopById } from "../catalog/index.js";
import { ordersByIds } from "../orders/index.js";
import type { RateShopInput, RecordQualityViolationInput, SetShopSettlementInput } from "./governance.inputs.js";
import * as q from "./governance.queries.js";
import { checkScores, checkViolationDraft, GovernanceErrorCode, RATEABLE_ORDER_STATUSES, type GovernanceUserError } from "./governance.rules.js";
import { toQualityViolation, toShopRating, type QualityViolation, type ShopRating, type ShopSettlement } from "./governance.type.js";

/**
 * The record R1 reads about a shop: buyers' DSR ratings, admins' quality violations, and the settlement setting.
 * Buyers rate orders they confirmed received (order-to-money flow); admins may record ratings too (migrations,
 * disputes, platform surveys).
 */
export class GovernanceService {
  async rateShop(ctx: Context, input: RateShopInput): Promise<{ rating: ShopRating | null; userErrors: GovernanceUserError[] }> {
    if (!ctx.viewer) throw unauthenticated();
    const admin = ctx.viewer.role === Role.ADMIN;
    const errors = checkScores(input);
    if (!input.orderId && !(admin && input.shopId)) {
      errors.push(userError(GovernanceErrorCode.TARGET_REQUIRED, admin ? "Name the order or the shop rated." : "Name the order you received.", "orderId"));
    }
    if (errors.length > 0) return { rating: null, userErrors: errors };
    let shopId = input.shopId ? idOf("Shop", input.shopId, "shopId") : null;
    let orderId: number | null = null;
    if (input.orderId) {
      orderId = idOf("Order", input.orderId, "orderId");
      const [order] = await ordersByIds(ctx.db, [orderId]);
      if (!order) throw notFound("Order");
      if (!admin && order.buyerId !== ctx.viewer.userId) throw forbidden("rating another buyer's order");
      if (shopId !== null && order.shopId !== shopId) errors.push(userError(GovernanceErrorCode.ORDER_NOT_OF_SHOP, "The order is not of that shop.", "shopId"));
      if (!RATEABLE_ORDER_STATUSES.has(order.status)) {
        errors.push(userError(GovernanceErrorCode.ORDER_NOT_RECEIVED, `An order is rated once received; this one is ${order.status}.`, "orderId"));
      }
      shopId = order.shopId;
    }
    if (!(await shopById(ctx.db, shopId!))) throw notFound("Shop");
    if (errors.length > 0) return { rating: null, userErrors: errors };
    const row = await q.insertRating(ctx.db, {
      shopId: shopId!,
      orderId,
      ratedBy: ctx.viewer.userId,
      descriptionScore: input.description,
      serviceScore: input.service,
      logisticsScore: input.logistics,
      createdAt: ctx.clock.now(),
    });
    if (!row) return { rating: null, userErrors: [userError(GovernanceErrorCode.ALREADY_RATED, "The order is rated already.", "orderId")] };
    ctx.log.info("shop rated", { ratingId: row.id, shopId: row.shopId, orderId, by: ctx.viewer.userId });
    return { rating: toShopRating(row), userErrors: [] };
  }

  async recordQualityViolation(ctx: Context, input: RecordQualityViolationInput): Promise<{ violation: QualityViolation | null; userErrors: GovernanceUserError[] }> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.ADMIN) throw forbidden("recording quality violations");
    const shopId = idOf("Shop", input.shopId, "shopId");
    const productId = input.productId ? idOf("Product", input.productId, "productId") : null;
    const now = ctx.clock.now();
    const occurredAt = input.occurredAt ?? now;
    const errors = checkViolationDraft({ reason: input.reason, evidence: input.evidence, occurredAt }, now);
    if (!(await shopById(ctx.db, shopId))) throw notFound("Shop");
    if (productId !== null) {
      const product = await productById(ctx.db, productId);
      if (!product) throw notFound("Product");
      if (product.shopId !== shopId) errors.push(userError(GovernanceErrorCode.PRODUCT_NOT_OF_SHOP, "The product is not of that shop.", "productId"));
    }
    if (errors.length > 0) return { violation: null, userErrors: errors };
    const row = await q.insertQualityViolation(ctx.db, {
      shopId,
      productId,
      serious: input.serious,
      reason: input.reason.trim(),
      evidence: input.evidence.map((e) => e.trim()),
      recordedBy: ctx.viewer.userId,
      occurredAt,
      recordedAt: now,
    });
    ctx.log.info("quality violation recorded", { violationId: row.id, shopId, serious: row.serious, adminId: ctx.viewer.userId });
    return { violation: toQualityViolation(row), userErrors: [] };
  }

  async setShopSettlement(ctx: Context, input: SetShopSettlementInput): Promise<{ settlement: ShopSettlement | null; userErrors: GovernanceUserError[] }> {
    if (!ctx.viewer) throw unauthenticated();
    const shopId = idOf("Shop", input.shopId, "shopId");
    const shop = await shopById(ctx.db, shopId);
    if (!shop) throw notFound("Shop");
    const owner = ctx.viewer.role === Role.MERCHANT && shop.ownerId === ctx.viewer.userId;
    if (!owner && ctx.viewer.role !== Role.ADMIN) throw forbidden("this shop's settlement terms");
    const row = await q.upsertSettlement(ctx.db, shopId, input.shortSettlementEnabled, ctx.clock.now());
    ctx.log.info("shop settlement set", { shopId, shortSettlementEnabled: row.shortSettlementEnabled, by: ctx.viewer.userId });
    return { settlement: { shopId: toGlobalId("Shop", shopId), shortSettlementEnabled: row.shortSettlementEnabled, updatedAt: row.updatedAt }, userErrors: [] };
  }
}

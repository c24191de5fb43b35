import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { parseAmount } from "../../shared/money.js";
import { userError } from "../../shared/user-errors.js";
import { MAX_PRICE_FEN, productById, shopById } from "../catalog/index.js";
import { assertMaySee } from "./price-guard.access.js";
import type { FileAgreedPriceInput } from "./price-guard.inputs.js";
import * as q from "./price-guard.queries.js";
import { MAX_GIFTS, MAX_UNITS_PER_ORDER, PriceGuardErrorCode, type PriceGuardUserError } from "./price-guard.rules.js";
import { toAgreedPrice, type AgreedPrice } from "./price-guard.type.js";

/** Agreed prices (R12): the floor a merchant files for a product, and its history. */
export class AgreedPriceService {
  constructor(private readonly deps: { clock: Clock }) {}

  async fileAgreedPrice(ctx: Context, input: FileAgreedPriceInput): Promise<{ agreedPrice: AgreedPrice | null; userErrors: PriceGuardUserError[] }> {
    if (!ctx.viewer) throw unauthenticated();
    const productId = idOf("Product", input.productId, "productId");
    const product = await productById(ctx.db, productId);
    if (!product) throw notFound("Product");
    const shop = await shopById(ctx.db, product.shopId);
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

  /** The filing in force: for signed-in merchants, promoters, admins and analysts (not buyers). */
  async currentAgreedPrice(ctx: Context, productRowId: number): Promise<AgreedPrice | null> {
    if (!ctx.viewer || ctx.viewer.role === Role.BUYER) return null;
    const row = await ctx.loaders.currentAgreedPriceByProduct.load(productRowId);
    return row ? toAgreedPrice(row) : null;
  }

  async agreedPriceHistory(ctx: Context, productRowId: number, shopRowId: number): Promise<AgreedPrice[]> {
    await assertMaySee(ctx, [shopRowId], null, "this product's filings");
    return (await ctx.loaders.agreedPricesByProduct.load(productRowId)).map(toAgreedPrice);
  }

  async agreedPrice(ctx: Context, rowId: number): Promise<AgreedPrice | null> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role === Role.BUYER) throw forbidden("reading agreed prices");
    const row = await ctx.loaders.agreedPriceById.load(rowId);
    return row ? toAgreedPrice(row) : null;
  }
}

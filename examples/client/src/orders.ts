import type { LiveshelfClient } from "./client.js";
import { BuyFlashSaleDocument, type PlaceOrderErrorCode } from "./generated/graphql.js";

/**
 * What the app does with each refusal. A Record over the generated enum: when the schema gains a code, the next
 * `codegen` makes this file fail to compile until the team decides how to show it. Codes the gateway sends that
 * this build does not know yet fall back to the server's message.
 */
const REFUSALS: Record<PlaceOrderErrorCode, { show: string; retry: "same-key" | "no" }> = {
  SOLD_OUT: { show: "Sold out: every unit is gone.", retry: "no" },
  NOT_ENOUGH_UNITS: { show: "Not that many left: try fewer.", retry: "no" },
  LIMIT_REACHED: { show: "You already bought as many as one buyer may.", retry: "no" },
  NOT_STARTED: { show: "The flash sale has not started yet.", retry: "no" },
  ENDED: { show: "The flash sale has ended.", retry: "no" },
  IN_PROGRESS: { show: "Still placing your order…", retry: "same-key" },
  OUT_OF_STOCK: { show: "Out of stock.", retry: "no" },
  INVALID_QUANTITY: { show: "Choose a quantity of at least 1.", retry: "no" },
  IDEMPOTENCY_KEY_REUSED: { show: "Something went wrong: please tap buy again.", retry: "no" },
  INVALID_TARGET: { show: "This item cannot be bought here.", retry: "no" },
  NOT_ON_CART: { show: "This item is no longer in the room's cart.", retry: "no" },
  SESSION_NOT_LIVE: { show: "The stream has ended.", retry: "no" },
  SHOP_CANNOT_SELL: { show: "This shop cannot sell right now.", retry: "no" },
  RESTRICTED: { show: "This item cannot be sold right now.", retry: "no" },
  PRICE_GUARD: { show: "This price is not available.", retry: "no" },
  SPEC_MISMATCH: { show: "Buy it in the offered pack size.", retry: "no" },
  COUPON_INVALID: { show: "That coupon does not apply.", retry: "no" },
  COUPON_NOT_ACTIVE: { show: "That coupon is not valid now.", retry: "no" },
  COUPON_MIN_SPEND: { show: "Spend a little more to use that coupon.", retry: "no" },
  COUPON_EXHAUSTED: { show: "That coupon has run out.", retry: "no" },
  COUPON_LIMIT_REACHED: { show: "You have already used that coupon.", retry: "no" },
  DISCOUNT_EXCEEDS_PRICE: { show: "These discounts cannot be combined on this item.", retry: "no" },
  POINTS_OVER_CAP: { show: "Too many points for this order.", retry: "no" },
};

export type BuyOutcome =
  | { kind: "ordered"; orderId: string; total: string }
  | { kind: "refused"; code: PlaceOrderErrorCode | string; show: string; retry: "same-key" | "no" };

/**
 * Buys from a flash sale. `idempotencyKey` is made once per tap of "buy" and reused for every retry of that tap,
 * so a lost reply never buys twice (same key, same request: the same order comes back).
 */
export async function buyFlashSale(client: LiveshelfClient, input: { flashSaleId: string; quantity: number; idempotencyKey: string }): Promise<BuyOutcome> {
  const { placeOrder } = await client.mutate(BuyFlashSaleDocument, { input });
  const refusal = placeOrder.userErrors[0];
  if (refusal) {
    const known = REFUSALS[refusal.code as PlaceOrderErrorCode] as (typeof REFUSALS)[PlaceOrderErrorCode] | undefined;
    return { kind: "refused", code: refusal.code, show: known?.show ?? refusal.message, retry: known?.retry ?? "no" };
  }
  const order = placeOrder.order!;
  return { kind: "ordered", orderId: order.id, total: `${order.total.amount} ${order.total.currencyCode}` };
}

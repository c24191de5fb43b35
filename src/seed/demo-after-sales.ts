import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Tx } from "../db/client.js";
import { afterSalesCases, afterSalesEvents, orders, products, shops, users } from "../db/schema/index.js";
import { post, PLATFORM } from "../modules/ledger/index.js";
import { DAY_MS, HOUR_MS } from "../shared/clock.js";


/**
 * After-sales in the demo (R17): an open case awaiting the merchant (the clothing shop, description mismatch), an
 * escalated one awaiting an admin's arbitration (Xu's pendant), and a closed quality case on the jade bangle paid by
 * 先行赔付 from the platform and recovered from the Sihui shop's 2,000.00 deposit. Its orders were received less than
 * 7 days ago: none of them is in the settlement figures of the money demo. Deadlines use the default terms (48 h).
 */
export async function seedDemoAfterSales(tx: Tx, now: Date): Promise<void> {
  const [buyer] = await tx.select().from(users).where(eq(users.name, "Lao Tie (buyer)")).limit(1);
  const [bangle] = await tx.select().from(products).where(eq(products.title, "Sihui jadeite bangle, ice type"));
  const [pendant] = await tx.select().from(products).where(eq(products.title, "Hand-carved jade pendant by Xu"));
  const [coat] = await tx.select().from(products).where(eq(products.title, "Double-faced wool coat"));
  if (!buyer || !bangle || !pendant || !coat) return;
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR_MS);
  const ownerOf = async (shopId: number) => (await tx.select({ id: shops.ownerId }).from(shops).where(eq(shops.id, shopId)))[0]!.id;
  const order = async (product: typeof bangle, receivedHoursAgo: number) => {
    const [row] = await tx
      .insert(orders)
      .values({
        buyerId: buyer.id,
        shopId: product.shopId,
        productId: product.id,
        quantity: 1,
        unitPriceFen: product.priceFen,
        totalFen: product.priceFen,
        handPriceFen: product.priceFen,
        commissionRateBps: 0,
        status: "RECEIVED",
        idempotencyKey: randomUUID(),
        createdAt: at(receivedHoursAgo + 72),
        receivedAt: at(receivedHoursAgo),
      })
      .returning();
    return row!;
  };
  const open = (o: { id: number; shopId: number; totalFen: number }, openedHoursAgo: number) => ({
    orderId: o.id,
    buyerId: buyer.id,
    shopId: o.shopId,
    openedAt: at(openedHoursAgo),
    answerDueAt: at(openedHoursAgo - 48),
    closesBy: at(openedHoursAgo - 15 * 24),
  });

  const coatOrder = await order(coat, 48);
  const [awaiting] = await tx
    .insert(afterSalesCases)
    .values({
      ...open(coatOrder, 3),
      reason: "DESCRIPTION_MISMATCH",
      kind: "RETURN_AND_REFUND",
      status: "AWAITING_MERCHANT",
      requestedFen: coatOrder.totalFen,
      description: "The stream said 100% wool; the label says 60% wool, 40% polyester.",
      images: ["demo/evidence/coat-label.jpg"],
    })
    .returning();
  await tx.insert(afterSalesEvents).values({ caseId: awaiting!.id, kind: "OPENED", toStatus: "AWAITING_MERCHANT", actorId: buyer.id, actorRole: "BUYER", amountFen: coatOrder.totalFen, note: awaiting!.description, at: at(3) });

  const pendantOrder = await order(pendant, 72);
  const xu = await ownerOf(pendant.shopId);
  const rejection = "Natural inclusions, shown in the stream at 21:14; not a crack.";
  const [escalated] = await tx
    .insert(afterSalesCases)
    .values({
      ...open(pendantOrder, 48),
      reason: "DESCRIPTION_MISMATCH",
      kind: "REFUND_ONLY",
      status: "ESCALATED",
      requestedFen: 20_000,
      description: "A crack runs through the carving; the stream showed it flawless.",
      images: ["demo/evidence/pendant-1.jpg", "demo/evidence/pendant-2.jpg"],
      merchantNote: rejection,
      answeredAt: at(30),
      escalatedAt: at(20),
    })
    .returning();
  await tx.insert(afterSalesEvents).values([
    { caseId: escalated!.id, kind: "OPENED", toStatus: "AWAITING_MERCHANT", actorId: buyer.id, actorRole: "BUYER", amountFen: 20_000, note: escalated!.description, at: at(48) },
    { caseId: escalated!.id, kind: "REJECTED", fromStatus: "AWAITING_MERCHANT", toStatus: "REJECTED", actorId: xu, actorRole: "MERCHANT", note: rejection, at: at(30) },
    { caseId: escalated!.id, kind: "ESCALATED", fromStatus: "REJECTED", toStatus: "ESCALATED", actorId: buyer.id, actorRole: "BUYER", note: "The crack is visible in daylight.", at: at(20) },
  ]);

  // The Sihui shop's deposit, paid in a month ago; then 先行赔付 of a quality case on a received (completed) trade.
  const sihui = bangle.shopId;
  const sihuiOwner = await ownerOf(sihui);
  await post(tx, {
    kind: "DEPOSIT_TOP_UP",
    at: new Date(now.getTime() - 30 * DAY_MS),
    lines: [
      { kind: "DEPOSIT_FUNDS", ownerId: PLATFORM, amountFen: -200_000 },
      { kind: "MERCHANT_DEPOSIT", ownerId: sihui, amountFen: 200_000 },
    ],
  });
  const bangleOrder = await order(bangle, 96);
  const paid = 20_000;
  const [compensated] = await tx
    .insert(afterSalesCases)
    .values({
      ...open(bangleOrder, 72),
      reason: "QUALITY",
      kind: "REFUND_ONLY",
      status: "CLOSED",
      outcome: "MERCHANT_ACCEPTED",
      payment: "COMPENSATION",
      requestedFen: paid,
      paidFen: paid,
      description: "The bangle arrived chipped at the rim.",
      images: ["demo/evidence/bangle-chip.jpg"],
      merchantNote: "Sorry: the courier's box was crushed.",
      answeredAt: at(50),
      closedAt: at(50),
    })
    .returning();
  await tx.insert(afterSalesEvents).values([
    { caseId: compensated!.id, kind: "OPENED", toStatus: "AWAITING_MERCHANT", actorId: buyer.id, actorRole: "BUYER", amountFen: paid, note: compensated!.description, at: at(72) },
    { caseId: compensated!.id, kind: "ACCEPTED", fromStatus: "AWAITING_MERCHANT", toStatus: "CLOSED", actorId: sihuiOwner, actorRole: "MERCHANT", amountFen: paid, note: compensated!.merchantNote, at: at(50) },
    { caseId: compensated!.id, kind: "COMPENSATED", fromStatus: "CLOSED", toStatus: "CLOSED", actorId: sihuiOwner, actorRole: "MERCHANT", amountFen: paid, at: at(50) },
  ]);
  const base = { orderId: bangleOrder.id, at: at(50) };
  await post(tx, {
    ...base,
    kind: "COMPENSATION",
    lines: [
      { kind: "PLATFORM_GUARANTEE", ownerId: PLATFORM, amountFen: -paid },
      { kind: "BUYER_COMPENSATIONS", ownerId: PLATFORM, amountFen: paid },
    ],
  });
  await post(tx, {
    ...base,
    kind: "COMPENSATION_RECOVERY",
    lines: [
      { kind: "MERCHANT_DEPOSIT", ownerId: sihui, amountFen: -paid },
      { kind: "PLATFORM_GUARANTEE", ownerId: PLATFORM, amountFen: paid },
    ],
  });
}

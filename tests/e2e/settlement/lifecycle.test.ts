import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerAccounts, ledgerEntries, orderEvents, shipments } from "../../../src/db/schema/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { ConfirmReceiptDocument, OrderMoneyDocument, OrderUpdatesDocument, RefundOrderDocument, ShipOrderDocument } from "../../support/generated/graphql.js";
import { DAY, MONEY_ENV, moneyOrder, moneyShop, orderState, party } from "../../support/settlement.js";

describe.each(BACKENDS)("order lifecycle on %s", (backend) => {
  let gw: TestGateway;
  const clock = new ManualClock(new Date("2026-03-02T02:00:00Z"));
  beforeAll(async () => {
    gw = await startTestGateway(backend, { clock, env: MONEY_ENV });
  });
  afterAll(() => gw?.stop());

  const setup = async (status: "ACCEPTED" | "SHIPPED" | "RECEIVED" | "SETTLED" | "REFUNDED" = "ACCEPTED", totalFen = 10_000) => {
    const shop = await moneyShop(gw);
    const buyer = await party(gw, "BUYER");
    const order = await moneyOrder(gw.database.db, { buyerId: buyer.id, shopId: shop.shop.id, productId: shop.product.id, totalFen, status });
    return { ...shop, buyer, order };
  };
  const ship = (s: Awaited<ReturnType<typeof setup>>, token = s.merchant.token) =>
    gw.request(ShipOrderDocument, { input: { orderId: s.order.id, carrier: "SF Express", trackingNumber: "SF1234567890" } }, token);
  const confirm = (s: Awaited<ReturnType<typeof setup>>, token = s.buyer.token) => gw.request(ConfirmReceiptDocument, { input: { orderId: s.order.id } }, token);
  const refund = (s: Awaited<ReturnType<typeof setup>>, token: string, amount?: string) =>
    gw.request(RefundOrderDocument, { input: { orderId: s.order.id, amount, reason: "buyer changed their mind" } }, token);

  it("ships with carrier and tracking, is confirmed by its buyer, and keeps who/when/from/to for each step", async () => {
    const s = await setup();
    const shippedAt = clock.now();
    const shipped = await ship(s);
    expect(shipped.data!.shipOrder.userErrors).toEqual([]);
    expect(shipped.data!.shipOrder.order).toMatchObject({
      status: "SHIPPED",
      shipment: { carrier: "SF Express", trackingNumber: "SF1234567890", shippedAt: shippedAt.toISOString(), autoReceiptAt: new Date(shippedAt.getTime() + 10 * DAY).toISOString() },
    });
    clock.advance(2 * DAY);
    const confirmed = await confirm(s);
    expect(confirmed.data!.confirmReceipt.userErrors).toEqual([]);
    expect(confirmed.data!.confirmReceipt.order).toMatchObject({ status: "RECEIVED", receivedAt: clock.now().toISOString() });
    const events = confirmed.data!.confirmReceipt.order!.events;
    expect(events.map((e) => [e.kind, e.from, e.to, e.actorRole, e.at])).toEqual([
      ["SHIPPED", "ACCEPTED", "SHIPPED", "MERCHANT", shippedAt.toISOString()],
      ["RECEIVED", "SHIPPED", "RECEIVED", "BUYER", clock.now().toISOString()],
    ]);
    const rows = await gw.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, s.order.row.id));
    expect(rows.map((r) => r.actorId)).toEqual([s.merchant.id, s.buyer.id]);
    expect(await gw.database.db.select().from(shipments).where(eq(shipments.orderId, s.order.row.id))).toHaveLength(1);
    expect((await orderState(gw.database.db, s.order.row.id)).status).toBe("RECEIVED");
  });

  it("keeps event rows append-only in the database", async () => {
    const s = await setup();
    await ship(s);
    const refusal = (p: Promise<unknown>) => p.then(() => "changed", (e: Error & { cause?: Error }) => (e.cause ?? e).message);
    expect(await refusal(gw.database.db.update(orderEvents).set({ note: "edited" }).where(eq(orderEvents.orderId, s.order.row.id)))).toMatch(/append-only/);
    expect(await refusal(gw.database.db.delete(orderEvents).where(eq(orderEvents.orderId, s.order.row.id)))).toMatch(/append-only/);
    expect((await orderState(gw.database.db, s.order.row.id)).events).toBe(1);
  });

  it("refuses every illegal transition with ILLEGAL_TRANSITION and changes nothing", async () => {
    const admin = await party(gw, "ADMIN");
    const cases: [string, "ACCEPTED" | "SHIPPED" | "RECEIVED" | "SETTLED" | "REFUNDED", (s: Awaited<ReturnType<typeof setup>>) => Promise<any>][] = [];
    for (const from of ["SHIPPED", "RECEIVED", "SETTLED", "REFUNDED"] as const) cases.push([`ship ${from}`, from, (s) => ship(s).then((r) => r.data!.shipOrder)]);
    for (const from of ["ACCEPTED", "RECEIVED", "SETTLED", "REFUNDED"] as const) cases.push([`confirm ${from}`, from, (s) => confirm(s).then((r) => r.data!.confirmReceipt)]);
    for (const from of ["SHIPPED", "RECEIVED", "SETTLED", "REFUNDED"] as const) cases.push([`merchant refund ${from}`, from, (s) => refund(s, s.merchant.token, "1.00").then((r) => r.data!.refundOrder)]);
    cases.push(["admin refund REFUNDED", "REFUNDED", (s) => refund(s, admin.token, "1.00").then((r) => r.data!.refundOrder)]);
    for (const [name, from, act] of cases) {
      const s = await setup(from);
      const before = await orderState(gw.database.db, s.order.row.id);
      const payload = await act(s);
      expect(payload.order, name).toBeNull();
      expect(payload.userErrors.map((e: { code: string }) => e.code), name).toEqual(["ILLEGAL_TRANSITION"]);
      expect(await orderState(gw.database.db, s.order.row.id), name).toEqual(before);
    }
  });

  it("lets only the shop's merchant ship and only the buyer confirm", async () => {
    const s = await setup();
    const stranger = await moneyShop(gw);
    const other = await ship(s, stranger.merchant.token);
    expect(other.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await ship(s)).toMatchObject({ data: { shipOrder: { userErrors: [] } } });
    const otherBuyer = await party(gw, "BUYER");
    expect((await confirm(s, otherBuyer.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await orderState(gw.database.db, s.order.row.id)).status).toBe("SHIPPED");
  });

  it("receives a shipped order automatically exactly AUTO_RECEIVE_DAYS after shipping, not a millisecond earlier", async () => {
    const s = await setup();
    const shippedAt = clock.now();
    await ship(s);
    await gw.services.fulfilment.autoReceive(new Date(shippedAt.getTime() + 10 * DAY - 1));
    expect((await orderState(gw.database.db, s.order.row.id)).status).toBe("SHIPPED");
    await gw.services.fulfilment.autoReceive(new Date(shippedAt.getTime() + 10 * DAY));
    const after = await orderState(gw.database.db, s.order.row.id);
    expect(after).toMatchObject({ status: "RECEIVED", receivedAt: new Date(shippedAt.getTime() + 10 * DAY), events: 2 });
    const [, auto] = await gw.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, s.order.row.id)).orderBy(orderEvents.id);
    expect(auto).toMatchObject({ kind: "AUTO_RECEIVED", fromStatus: "SHIPPED", toStatus: "RECEIVED", actorId: null });
  });

  it("refunds part of an accepted order, refuses more than remains, and ends REFUNDED when all is given back", async () => {
    const s = await setup("ACCEPTED", 10_000);
    const first = (await refund(s, s.merchant.token, "30.00")).data!.refundOrder;
    expect(first.userErrors).toEqual([]);
    expect(first.order).toMatchObject({ status: "ACCEPTED", refunded: { amount: "30.00" }, refundable: { amount: "70.00" } });
    const before = await orderState(gw.database.db, s.order.row.id);
    const over = (await refund(s, s.merchant.token, "70.01")).data!.refundOrder;
    expect(over.userErrors.map((e) => e.code)).toEqual(["EXCEEDS_REFUNDABLE"]);
    expect(await orderState(gw.database.db, s.order.row.id)).toEqual(before);
    const zero = (await refund(s, s.merchant.token, "0.00")).data!.refundOrder;
    expect(zero.userErrors.map((e) => e.code)).toEqual(["INVALID_AMOUNT"]);
    const rest = (await refund(s, s.merchant.token)).data!.refundOrder;
    expect(rest.order).toMatchObject({ status: "REFUNDED", refunded: { amount: "100.00" }, refundable: { amount: "0.00" } });
    expect(rest.order!.events.map((e) => [e.kind, e.from, e.to, e.amount?.amount])).toEqual([
      ["REFUNDED", "ACCEPTED", "ACCEPTED", "30.00"],
      ["REFUNDED", "ACCEPTED", "REFUNDED", "70.00"],
    ]);
    // Before settlement the money leaves escrow for the buyer: balanced postings.
    const entries = await gw.database.db
      .select({ kind: ledgerAccounts.kind, fen: ledgerEntries.amountFen })
      .from(ledgerEntries)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
      .where(eq(ledgerEntries.orderId, s.order.row.id));
    expect(entries.filter((e) => e.kind === "BUYER_REFUNDS").reduce((a, e) => a + e.fen, 0)).toBe(10_000);
    expect(entries.reduce((a, e) => a + e.fen, 0)).toBe(0);
  });

  it("never refunds more than was paid under concurrent refunds", async () => {
    const s = await setup("ACCEPTED", 10_000);
    const results = await Promise.all(Array.from({ length: 6 }, () => refund(s, s.merchant.token, "30.00")));
    const ok = results.filter((r) => r.data!.refundOrder.userErrors.length === 0).length;
    expect(ok).toBe(3);
    const read = await gw.request(OrderMoneyDocument, { id: s.order.id }, s.buyer.token);
    expect(read.data!.order).toMatchObject({ refunded: { amount: "90.00" }, refundable: { amount: "10.00" } });
    expect((await orderState(gw.database.db, s.order.row.id)).refunds).toBe(3);
  });

  it("streams orderUpdates to the buyer and the shop, snapshot first; another merchant is refused", async () => {
    const s = await setup();
    const buyerStream = collect(gw.ws(s.buyer.token), OrderUpdatesDocument, {});
    const shopStream = collect(gw.ws(s.merchant.token), OrderUpdatesDocument, {});
    await buyerStream.until(() => buyerStream.messages.length >= 1);
    await shopStream.until(() => shopStream.messages.length >= 1);
    expect(buyerStream.messages[0]!.data!.orderUpdates).toEqual({ snapshot: true, orders: [{ id: s.order.id, status: "ACCEPTED", refunded: { amount: "0.00" } }] });
    expect(shopStream.messages[0]!.data!.orderUpdates.orders.map((o) => o.id)).toEqual([s.order.id]);
    await ship(s);
    await buyerStream.until(() => buyerStream.messages.length >= 2);
    await shopStream.until(() => shopStream.messages.length >= 2);
    expect(buyerStream.messages[1]!.data!.orderUpdates).toEqual({ snapshot: false, orders: [{ id: s.order.id, status: "SHIPPED", refunded: { amount: "0.00" } }] });
    expect(shopStream.messages[1]!.data!.orderUpdates.orders[0]!.status).toBe("SHIPPED");

    const stranger = await moneyShop(gw);
    const { toGlobalId } = await import("../../../src/shared/ids.js");
    const refused = collect(gw.ws(stranger.merchant.token), OrderUpdatesDocument, { shopId: toGlobalId("Shop", s.shop.id) });
    await refused.until(() => refused.error !== null || refused.messages.length > 0);
    const message = refused.messages[0]?.errors?.[0] ?? (refused.error as any)?.[0];
    expect(message?.extensions?.code).toBe("FORBIDDEN");
    buyerStream.dispose();
    shopStream.dispose();
    refused.dispose();
  });
});

import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "../../../../src/db/client.js";
import { orderEvents, orders, payoutFreezes, settlementRuns, settlements, technicalFeeRates } from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../../support/builders.js";
import { moneyOrder } from "../../../support/settlement.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";

async function orderOf(db: Db, status: "ACCEPTED" | "SHIPPED" = "ACCEPTED") {
  const { user, shop } = await buildMerchant(db);
  const product = await buildProduct(db, shop.id);
  const buyer = await buildUser(db, "BUYER");
  const order = await moneyOrder(db, { buyerId: buyer.id, shopId: shop.id, productId: product.id, totalFen: 5_000, status });
  const snapshot = async () => ({
    order: await db.select().from(orders).where(eq(orders.id, order.row.id)),
    events: await db.select().from(orderEvents).where(eq(orderEvents.orderId, order.row.id)),
  });
  return { merchant: user, shop, buyer, order, snapshot };
}

const adminOnly = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" });

export const settlementRows: MatrixRow[] = [
  {
    covers: "Mutation.shipOrder",
    document: `mutation MatrixShip($input: ShipOrderInput!) { shipOrder(input: $input) { order { status } userErrors { code } } }`,
    async setup(db) {
      const o = await orderOf(db);
      return { owner: { id: o.merchant.id, role: "MERCHANT" }, variables: { input: { orderId: o.order.id, carrier: "SF", trackingNumber: "SF1" } }, snapshot: o.snapshot };
    },
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed" }),
    allowed: (data) => expect(data.shipOrder.order.status).toBe("SHIPPED"),
  },
  {
    covers: "Mutation.confirmReceipt",
    document: `mutation MatrixConfirm($input: ConfirmReceiptInput!) { confirmReceipt(input: $input) { order { status } userErrors { code } } }`,
    async setup(db) {
      const o = await orderOf(db, "SHIPPED");
      return { owner: { id: o.buyer.id, role: "BUYER" }, variables: { input: { orderId: o.order.id } }, snapshot: o.snapshot };
    },
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed" }),
    allowed: (data) => expect(data.confirmReceipt.order.status).toBe("RECEIVED"),
  },
  {
    covers: "Mutation.refundOrder",
    document: `mutation MatrixRefund($input: RefundOrderInput!) { refundOrder(input: $input) { order { status } userErrors { code } } }`,
    async setup(db) {
      const o = await orderOf(db);
      return { owner: { id: o.merchant.id, role: "MERCHANT" }, variables: { input: { orderId: o.order.id, amount: "10.00", reason: "matrix" } }, snapshot: o.snapshot };
    },
    // The shop's merchant before shipping; admins decide after-sales refunds.
    expect: adminOnly,
  },
  {
    covers: "Mutation.runSettlement",
    // Far in the past: settles nothing any test made (every cell shares the run's database).
    document: `mutation MatrixRun($input: RunSettlementInput!) { runSettlement(input: $input) { run { ordersSettled } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { asOf: "2000-01-01T00:00:00Z" } },
        snapshot: async () => (await db.select({ id: settlementRuns.id }).from(settlementRuns)).length,
      };
    },
    expect: adminOnly,
    allowed: (data) => expect(data.runSettlement.run.ordersSettled).toBe(0),
  },
  {
    covers: "Mutation.setPayoutsFrozen",
    document: `mutation MatrixFreeze($input: SetPayoutsFrozenInput!) { setPayoutsFrozen(input: $input) { ok userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const { shop } = await buildMerchant(db);
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), frozen: true, reason: "credit at 0" } },
        snapshot: () => db.select().from(payoutFreezes).where(eq(payoutFreezes.shopId, shop.id)),
      };
    },
    expect: adminOnly,
  },
  {
    covers: "Mutation.setTechnicalFeeRate",
    document: `mutation MatrixRate($input: SetTechnicalFeeRateInput!) { setTechnicalFeeRate(input: $input) { ok userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const category = `matrix/${admin.id}`;
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { category, rateBps: 300 } },
        snapshot: () => db.select().from(technicalFeeRates).where(eq(technicalFeeRates.category, category)),
      };
    },
    expect: adminOnly,
  },
  {
    covers: "Node:Settlement",
    document: NODE_QUERY,
    async setup(db) {
      const o = await orderOf(db);
      const [run] = await db.insert(settlementRuns).values({ asOf: new Date(), trigger: "ADMIN", startedAt: new Date() }).returning();
      await db.update(orders).set({ status: "SETTLED" }).where(eq(orders.id, o.order.row.id));
      await db.insert(settlements).values({
        orderId: o.order.row.id,
        runId: run!.id,
        postingId: -o.order.row.id,
        shopId: o.shop.id,
        buyerId: o.buyer.id,
        baseFen: 5_000,
        commissionRateBps: 0,
        commissionFen: 0,
        promotionFeeFen: 0,
        promoterFen: 0,
        technicalRateBps: 500,
        technicalFeeFen: 250,
        merchantFen: 4_750,
        receivedAt: new Date(),
        settledAt: new Date(),
      });
      return { owner: { id: o.merchant.id, role: "MERCHANT" }, variables: { id: toGlobalId("Settlement", o.order.row.id) } };
    },
    // The shop's merchant (owner), admins and analysts; a stranger of any role is refused.
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed", ANALYST: "allowed" }),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "Settlement", id: f.variables.id }),
  },
];

import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "../../../../src/db/client.js";
import { afterSalesCases, afterSalesEvents, creditEntries, ledgerAccounts, ledgerEntries, shops } from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../../support/builders.js";
import { moneyOrder } from "../../../support/settlement.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";

type Status = "AWAITING_MERCHANT" | "PARTIAL_OFFERED" | "REJECTED" | "ESCALATED";

/** A received order of a fresh shop and buyer, with a case in `status` (or none). */
async function caseOf(db: Db, status: Status | null) {
  const { user: merchant, shop } = await buildMerchant(db);
  const product = await buildProduct(db, shop.id);
  const buyer = await buildUser(db, "BUYER");
  const now = new Date();
  const order = await moneyOrder(db, { buyerId: buyer.id, shopId: shop.id, productId: product.id, totalFen: 5_000, status: "RECEIVED", receivedAt: now });
  const [row] = status
    ? await db
        .insert(afterSalesCases)
        .values({
          orderId: order.row.id,
          buyerId: buyer.id,
          shopId: shop.id,
          reason: "QUALITY",
          kind: "REFUND_ONLY",
          status,
          requestedFen: 5_000,
          offeredFen: status === "PARTIAL_OFFERED" ? 1_000 : null,
          description: "Cracked.",
          openedAt: now,
          answerDueAt: new Date(now.getTime() + 86_400_000),
          closesBy: new Date(now.getTime() + 15 * 86_400_000),
        })
        .returning()
    : [];
  const snapshot = async () => ({
    cases: await db.select().from(afterSalesCases).where(eq(afterSalesCases.orderId, order.row.id)),
    events: row ? await db.select().from(afterSalesEvents).where(eq(afterSalesEvents.caseId, row.id)) : [],
  });
  return { merchant, shop, buyer, order, caseId: row ? toGlobalId("AfterSalesCase", row.id) : null, snapshot };
}

const CASE_PAYLOAD = "afterSalesCase { status outcome } userErrors { code }";
const ownerOnly = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed" });
const adminOnly = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" });

export const afterSalesRows: MatrixRow[] = [
  {
    covers: "Mutation.openAfterSalesCase",
    document: `mutation MatrixOpenCase($input: OpenAfterSalesCaseInput!) { openAfterSalesCase(input: $input) { ${CASE_PAYLOAD} } }`,
    async setup(db) {
      const c = await caseOf(db, null);
      return {
        owner: { id: c.buyer.id, role: "BUYER" },
        variables: { input: { orderId: c.order.id, reason: "QUALITY", kind: "REFUND_ONLY", description: "Cracked on arrival." } },
        snapshot: c.snapshot,
      };
    },
    // Its buyer only: another buyer is refused its order, other roles the mutation.
    expect: ownerOnly,
    allowed: (data) => expect(data.openAfterSalesCase.afterSalesCase.status).toBe("AWAITING_MERCHANT"),
  },
  {
    covers: "Mutation.answerAfterSalesCase",
    document: `mutation MatrixAnswerCase($input: AnswerAfterSalesCaseInput!) { answerAfterSalesCase(input: $input) { ${CASE_PAYLOAD} } }`,
    async setup(db) {
      const c = await caseOf(db, "AWAITING_MERCHANT");
      return { owner: { id: c.merchant.id, role: "MERCHANT" }, variables: { input: { caseId: c.caseId, answer: "REJECT", note: "Not cracked when shipped." } }, snapshot: c.snapshot };
    },
    expect: ownerOnly,
    allowed: (data) => expect(data.answerAfterSalesCase.afterSalesCase.status).toBe("REJECTED"),
  },
  {
    covers: "Mutation.acceptAfterSalesOffer",
    document: `mutation MatrixAcceptOffer($input: AfterSalesCaseStepInput!) { acceptAfterSalesOffer(input: $input) { ${CASE_PAYLOAD} } }`,
    async setup(db) {
      const c = await caseOf(db, "PARTIAL_OFFERED");
      return { owner: { id: c.buyer.id, role: "BUYER" }, variables: { input: { caseId: c.caseId } }, snapshot: c.snapshot };
    },
    expect: ownerOnly,
    allowed: (data) => expect(data.acceptAfterSalesOffer.afterSalesCase.outcome).toBe("PARTIAL_AGREED"),
  },
  {
    covers: "Mutation.escalateAfterSalesCase",
    document: `mutation MatrixEscalateCase($input: AfterSalesCaseStepInput!) { escalateAfterSalesCase(input: $input) { ${CASE_PAYLOAD} } }`,
    async setup(db) {
      const c = await caseOf(db, "REJECTED");
      return { owner: { id: c.buyer.id, role: "BUYER" }, variables: { input: { caseId: c.caseId } }, snapshot: c.snapshot };
    },
    expect: ownerOnly,
    allowed: (data) => expect(data.escalateAfterSalesCase.afterSalesCase.status).toBe("ESCALATED"),
  },
  {
    covers: "Mutation.withdrawAfterSalesCase",
    document: `mutation MatrixWithdrawCase($input: AfterSalesCaseStepInput!) { withdrawAfterSalesCase(input: $input) { ${CASE_PAYLOAD} } }`,
    async setup(db) {
      const c = await caseOf(db, "AWAITING_MERCHANT");
      return { owner: { id: c.buyer.id, role: "BUYER" }, variables: { input: { caseId: c.caseId } }, snapshot: c.snapshot };
    },
    expect: ownerOnly,
    allowed: (data) => expect(data.withdrawAfterSalesCase.afterSalesCase.outcome).toBe("WITHDRAWN"),
  },
  {
    covers: "Mutation.arbitrateAfterSalesCase",
    document: `mutation MatrixArbitrateCase($input: ArbitrateAfterSalesCaseInput!) { arbitrateAfterSalesCase(input: $input) { ${CASE_PAYLOAD} } }`,
    async setup(db) {
      const c = await caseOf(db, "ESCALATED");
      const admin = await buildUser(db, "ADMIN");
      return { owner: { id: admin.id, role: "ADMIN" }, variables: { input: { caseId: c.caseId, decision: "FOR_MERCHANT", note: "No evidence of damage." } }, snapshot: c.snapshot };
    },
    expect: adminOnly,
    allowed: (data) => expect(data.arbitrateAfterSalesCase.afterSalesCase.outcome).toBe("ARBITRATED_FOR_MERCHANT"),
  },
  {
    covers: "Mutation.restoreShopCredit",
    document: `mutation MatrixRestoreCredit($input: RestoreShopCreditInput!) { restoreShopCredit(input: $input) { credit { score } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const { shop } = await buildMerchant(db, { creditScore: 0 });
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), points: 10, reason: "Appeal upheld." } },
        snapshot: async () => ({
          shop: await db.select().from(shops).where(eq(shops.id, shop.id)),
          entries: await db.select().from(creditEntries).where(eq(creditEntries.shopId, shop.id)),
        }),
      };
    },
    expect: adminOnly,
    allowed: (data) => expect(data.restoreShopCredit.credit.score).toBe(10),
  },
  {
    covers: "Mutation.topUpShopDeposit",
    document: `mutation MatrixTopUp($input: TopUpShopDepositInput!) { topUpShopDeposit(input: $input) { deposit { balance { amount } } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), amount: "2000.00" } },
        snapshot: () =>
          db
            .select({ fen: ledgerEntries.amountFen })
            .from(ledgerEntries)
            .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
            .where(eq(ledgerAccounts.ownerId, shop.id)),
      };
    },
    // The shop's merchant or an admin.
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" }),
    allowed: (data) => expect(data.topUpShopDeposit.deposit.balance.amount).toBe("2000.00"),
  },
  {
    covers: "Node:AfterSalesCase",
    document: NODE_QUERY,
    async setup(db) {
      const c = await caseOf(db, "AWAITING_MERCHANT");
      return { owner: { id: c.buyer.id, role: "BUYER" }, variables: { id: c.caseId } };
    },
    // Its buyer (and the shop's merchant, tests/e2e/after-sales), admins and analysts; never another buyer.
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed", ANALYST: "allowed" }),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "AfterSalesCase", id: f.variables.id }),
  },
];

import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { qualityViolations, shopRatings, shops, shopSettlementSettings } from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildMerchant, buildOrder, buildProduct, buildUser } from "../../../support/builders.js";
import { outcomes, type MatrixRow } from "./matrix.js";

const ownerOrAdmin = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" });

/** Shops opened through the API, and the writers of R1's inputs (ratings, quality violations, settlement terms). */
export const onboardingRows: MatrixRow[] = [
  {
    covers: "Mutation.openShop",
    document: `mutation MatrixOpenShop($input: OpenShopInput!) { openShop(input: $input) { shop { id status } userErrors { code } } }`,
    async setup(db) {
      const merchant = await buildUser(db, "MERCHANT");
      const name = `matrix-${Math.random().toString(36).slice(2)}`;
      return {
        owner: { id: merchant.id, role: "MERCHANT" },
        variables: { input: { name } },
        snapshot: () => db.select().from(shops).where(eq(shops.name, name)),
      };
    },
    // Merchants open shops; a promoter its own one (a fresh promoter has none yet).
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", MERCHANT: "allowed", PROMOTER: "allowed" }),
    allowed: (data) => expect(data.openShop.shop.status).toBe("NORMAL"),
  },
  {
    covers: "Mutation.reviewShop",
    document: `mutation MatrixReviewShop($input: ReviewShopInput!) { reviewShop(input: $input) { shop { id status } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const { shop } = await buildMerchant(db, { kind: "CROSS_BORDER", status: "UNDER_REVIEW", bondedWarehouse: "宁波保税仓" });
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), approve: true } },
        snapshot: () => db.select().from(shops).where(eq(shops.id, shop.id)),
      };
    },
    expect: ownerOrAdmin,
    allowed: (data) => expect(data.reviewShop.shop.status).toBe("NORMAL"),
  },
  {
    covers: "Mutation.rateShop",
    document: `mutation MatrixRateShop($input: RateShopInput!) { rateShop(input: $input) { rating { id } userErrors { code } } }`,
    async setup(db) {
      const buyer = await buildUser(db, "BUYER");
      const { shop } = await buildMerchant(db);
      const product = await buildProduct(db, shop.id);
      const order = await buildOrder(db, { buyerId: buyer.id, shopId: shop.id, productId: product.id, totalFen: 19_900, status: "RECEIVED" });
      return {
        owner: { id: buyer.id, role: "BUYER" },
        variables: { input: { orderId: toGlobalId("Order", order.id), description: 5, service: 5, logistics: 4 } },
        snapshot: () => db.select().from(shopRatings).where(eq(shopRatings.shopId, shop.id)),
      };
    },
    // The order's buyer rates it; an admin may record a rating; nobody else.
    expect: ownerOrAdmin,
  },
  {
    covers: "Mutation.recordQualityViolation",
    document: `mutation MatrixViolation($input: RecordQualityViolationInput!) { recordQualityViolation(input: $input) { violation { id serious } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const { shop } = await buildMerchant(db);
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), serious: true, reason: "抽检不合格", evidence: ["report QC-2026-001"] } },
        snapshot: () => db.select().from(qualityViolations).where(eq(qualityViolations.shopId, shop.id)),
      };
    },
    expect: ownerOrAdmin,
    allowed: (data) => expect(data.recordQualityViolation.violation.serious).toBe(true),
  },
  {
    covers: "Mutation.setShopSettlement",
    document: `mutation MatrixSettlement($input: SetShopSettlementInput!) { setShopSettlement(input: $input) { settlement { shortSettlementEnabled } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), shortSettlementEnabled: true } },
        snapshot: () => db.select().from(shopSettlementSettings).where(eq(shopSettlementSettings.shopId, shop.id)),
      };
    },
    // The shop's merchant or an admin.
    expect: ownerOrAdmin,
    allowed: (data) => expect(data.setShopSettlement.settlement.shortSettlementEnabled).toBe(true),
  },
];

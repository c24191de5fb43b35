import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "../../../../src/db/client.js";
import { agreedPrices, priceGuardRestrictions, priceGuardViolations } from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../../support/builders.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";
import { DAY_MS } from "../../../../src/shared/clock.js";


/** A cross-border product with an agreed price, and a violation of its shop that restricted it. */
async function violatedShop(db: Db) {
  const { user, shop } = await buildMerchant(db, { kind: "CROSS_BORDER", bondedWarehouse: "Ningbo" });
  const product = await buildProduct(db, shop.id, { crossBorder: true, bondedWarehouse: "Ningbo", priceFen: 10_000 });
  const admin = await buildUser(db, "ADMIN");
  const now = new Date();
  const [filing] = await db.insert(agreedPrices).values({ productId: product.id, agreedPriceFen: 9_000, filedBy: user.id, filedAt: now }).returning();
  const [restriction] = await db
    .insert(priceGuardRestrictions)
    .values({ shopId: shop.id, penalty: "RESTRICTED_15_DAYS", step: 1, startsAt: now, endsAt: new Date(now.getTime() + 15 * DAY_MS) })
    .returning();
  const [violation] = await db
    .insert(priceGuardViolations)
    .values({
      kind: "BELOW_FLOOR",
      party: "MERCHANT",
      shopId: shop.id,
      productId: product.id,
      productShopId: shop.id,
      agreedPriceId: filing!.id,
      quantity: 1,
      handPriceFen: 8_000,
      floorFen: 9_000,
      unitsPerOrder: 1,
      restrictionId: restriction!.id,
      occurredAt: now,
    })
    .returning();
  return { merchant: user, shop, product, admin, filing: filing!, restriction: restriction!, violation: violation! };
}

const staffAndOwner = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed", ANALYST: "allowed" });

export const priceGuardRows: MatrixRow[] = [
  {
    covers: "Mutation.fileAgreedPrice",
    document: `mutation MatrixFile($input: FileAgreedPriceInput!) { fileAgreedPrice(input: $input) { agreedPrice { id } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      const product = await buildProduct(db, shop.id, { priceFen: 10_000 });
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { productId: toGlobalId("Product", product.id), agreedPrice: "80.00" } },
        snapshot: () => db.select().from(agreedPrices).where(eq(agreedPrices.productId, product.id)),
      };
    },
    // The brand's merchant files; an admin may file for it.
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" }),
  },
  {
    covers: "Mutation.liftRestriction",
    document: `mutation MatrixLift($input: LiftRestrictionInput!) { liftRestriction(input: $input) { restriction { id } userErrors { code } } }`,
    async setup(db) {
      const v = await violatedShop(db);
      return {
        owner: { id: v.admin.id, role: "ADMIN" },
        variables: { input: { restrictionId: toGlobalId("PriceGuardRestriction", v.restriction.id), reason: "matrix" } },
        snapshot: () => db.select().from(priceGuardRestrictions).where(eq(priceGuardRestrictions.id, v.restriction.id)),
      };
    },
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" }),
  },
  {
    // Agreed prices are for the trade (merchants, promoters, staff), not for buyers.
    covers: "Node:AgreedPrice",
    document: NODE_QUERY,
    async setup(db) {
      const v = await violatedShop(db);
      return { owner: { id: v.merchant.id, role: "MERCHANT" }, variables: { id: toGlobalId("AgreedPrice", v.filing.id) } };
    },
    expect: outcomes("allowed", { anonymous: "UNAUTHENTICATED", BUYER: "FORBIDDEN" }),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "AgreedPrice", id: f.variables.id }),
  },
  {
    covers: "Node:PriceGuardViolation",
    document: NODE_QUERY,
    async setup(db) {
      const v = await violatedShop(db);
      return { owner: { id: v.merchant.id, role: "MERCHANT" }, variables: { id: toGlobalId("PriceGuardViolation", v.violation.id) } };
    },
    expect: staffAndOwner,
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "PriceGuardViolation", id: f.variables.id }),
  },
  {
    covers: "Node:PriceGuardRestriction",
    document: NODE_QUERY,
    async setup(db) {
      const v = await violatedShop(db);
      return { owner: { id: v.merchant.id, role: "MERCHANT" }, variables: { id: toGlobalId("PriceGuardRestriction", v.restriction.id) } };
    },
    expect: staffAndOwner,
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "PriceGuardRestriction", id: f.variables.id }),
  },
];

import { expect } from "vitest";
import { eq } from "drizzle-orm";
import { products, shops } from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../../support/builders.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";

/** Only the shop's own merchant changes its products; the catalog itself is public. */
const shopOwnerOnly = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed" });

export const catalogRows: MatrixRow[] = [
  {
    covers: "Mutation.createProduct",
    document: `mutation MatrixCreateProduct($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), title: "Matrix bangle", category: "jade/bangle", price: "10.00", stock: 1 } },
        snapshot: () => db.select().from(products).where(eq(products.shopId, shop.id)),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.createProduct.product.id).toBeTruthy(),
  },
  {
    covers: "Mutation.updateProduct",
    document: `mutation MatrixUpdateProduct($input: UpdateProductInput!) { updateProduct(input: $input) { product { price { amount } } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      const product = await buildProduct(db, shop.id, { priceFen: 50_000 });
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { productId: toGlobalId("Product", product.id), price: "0.01" } },
        snapshot: () => db.select().from(products).where(eq(products.id, product.id)),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.updateProduct.product.price.amount).toBe("0.01"),
  },
  {
    covers: "Mutation.transferShop",
    document: `mutation MatrixTransfer($input: TransferShopInput!) { transferShop(input: $input) { shop { id } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const { shop } = await buildMerchant(db);
      const { user: successor } = await buildMerchant(db);
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), newOwnerId: toGlobalId("User", successor.id) } },
        snapshot: () => db.select().from(shops).where(eq(shops.id, shop.id)),
      };
    },
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" }),
  },
  {
    covers: "Mutation.setShopCart",
    document: `mutation MatrixSetShopCart($input: SetShopCartInput!) { setShopCart(input: $input) { shop { id } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const { shop } = await buildMerchant(db);
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id), enabled: false, reason: "matrix" } },
        snapshot: () => db.select().from(shops).where(eq(shops.id, shop.id)),
      };
    },
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" }),
  },
  {
    covers: "Node:Product",
    document: NODE_QUERY,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      const product = await buildProduct(db, shop.id);
      return { owner: { id: user.id, role: "MERCHANT" }, variables: { id: toGlobalId("Product", product.id) } };
    },
    expect: outcomes("allowed"),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "Product", id: f.variables.id }),
  },
  {
    covers: "Node:Shop",
    document: NODE_QUERY,
    async setup(db) {
      const { user, shop } = await buildMerchant(db);
      return { owner: { id: user.id, role: "MERCHANT" }, variables: { id: toGlobalId("Shop", shop.id) } };
    },
    expect: outcomes("allowed"),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "Shop", id: f.variables.id }),
  },
];

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { products } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateProductDocument,
  NodeDocument,
  ProductDocument,
  ProductsDocument,
  ProductsWithShopsDocument,
  ShopDocument,
  UpdateProductDocument,
  ViewerDocument,
} from "../../support/generated/graphql.js";

describe.each(BACKENDS)("catalog on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  it("lists a shop's products as a cursor connection, filtered and sorted by price", async () => {
    const { shop } = await buildMerchant(gw.database.db, { industryBelt: "JADE_SIHUI" });
    for (const [i, fen] of [30_000, 10_000, 20_000, 10_000, 50_000].entries()) {
      await buildProduct(gw.database.db, shop.id, { priceFen: fen, title: `p${i}`, originBelt: "JADE_SIHUI" });
    }
    const filter = { shopId: toGlobalId("Shop", shop.id), minPrice: "100.00", maxPrice: "300.00" };
    const orderBy = { field: "PRICE" as const, direction: "DESC" as const };
    const first = await gw.request(ProductsDocument, { first: 2, filter, orderBy });
    expect(first.errors).toBeUndefined();
    expect(first.data!.products.edges.map((e) => e.node.price.amount)).toEqual(["300.00", "200.00"]);
    expect(first.data!.products.pageInfo.hasNextPage).toBe(true);
    const second = await gw.request(ProductsDocument, { first: 2, filter, orderBy, after: first.data!.products.pageInfo.endCursor });
    expect(second.data!.products.edges.map((e) => [e.node.title, e.node.price.amount])).toEqual([
      ["p3", "100.00"], // equal prices: the id breaks the tie, in the same direction
      ["p1", "100.00"],
    ]);
    expect(second.data!.products.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("filters by category, industry belt and cross-border", async () => {
    const { shop } = await buildMerchant(gw.database.db, { kind: "CROSS_BORDER", bondedWarehouse: "Ningbo" });
    const category = `test/c${Date.now()}`;
    await buildProduct(gw.database.db, shop.id, { category, crossBorder: true, bondedWarehouse: "Ningbo", originBelt: "JADE_RUILI" });
    await buildProduct(gw.database.db, shop.id, { category, originBelt: "CLOTHING_CHANGSHU" });
    const cross = await gw.request(ProductsDocument, { filter: { category, crossBorder: true } });
    expect(cross.data!.products.edges.map((e) => [e.node.crossBorder, e.node.bondedWarehouse])).toEqual([[true, "Ningbo"]]);
    const belt = await gw.request(ProductsDocument, { filter: { category, industryBelt: "CLOTHING_CHANGSHU" } });
    expect(belt.data!.products.edges.map((e) => e.node.originBelt)).toEqual(["CLOTHING_CHANGSHU"]);
  });

  it("refuses bad page sizes, cursors and prices with BAD_USER_INPUT", async () => {
    for (const variables of [{ first: 0 }, { first: 101 }, { after: "bogus" }, { filter: { minPrice: "1.234" } }]) {
      const result = await gw.request(ProductsDocument, variables);
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
  });

  it("loads 30 products with their shops in two SQL statements (no N+1)", async () => {
    const shops = await Promise.all(Array.from({ length: 6 }, () => buildMerchant(gw.database.db)));
    for (const { shop } of shops) for (let i = 0; i < 5; i++) await buildProduct(gw.database.db, shop.id);
    const result = await gw.request(ProductsWithShopsDocument, { first: 30 });
    expect(result.data!.products.edges).toHaveLength(30);
    expect(result.data!.products.edges.every((e) => e.node.shop.name.length > 0)).toBe(true);
    expect(result.statements).toHaveLength(2);
  });

  it("fetches product, shop and node by global id; users only for themselves", async () => {
    const { user, shop } = await buildMerchant(gw.database.db, { name: "四会玉石" });
    const product = await buildProduct(gw.database.db, shop.id, { title: "Bangle" });
    const p = await gw.request(ProductDocument, { id: toGlobalId("Product", product.id) });
    expect(p.data!.product).toMatchObject({ title: "Bangle", shop: { name: "四会玉石" } });
    const s = await gw.request(ShopDocument, { id: toGlobalId("Shop", shop.id) });
    expect(s.data!.shop!.products.edges).toHaveLength(1);
    const n = await gw.request(NodeDocument, { id: toGlobalId("Product", product.id) });
    expect(n.data!.node).toMatchObject({ __typename: "Product", title: "Bangle" });
    const missing = await gw.request(NodeDocument, { id: toGlobalId("Product", 999_999_999) });
    expect(missing.data!.node).toBeNull();
    const token = await gw.token(user.id, "MERCHANT");
    expect((await gw.request(NodeDocument, { id: toGlobalId("User", user.id) }, token)).data!.node).toMatchObject({ role: "MERCHANT" });
    const other = await buildUser(gw.database.db, "BUYER");
    const refused = await gw.request(NodeDocument, { id: toGlobalId("User", other.id) }, token);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(ViewerDocument, {}, token)).data!.viewer).toMatchObject({ role: "MERCHANT", name: user.name });
    expect((await gw.request(ViewerDocument, {})).data!.viewer).toBeNull();
  });

  it("lets a merchant create and update products of its own shop only", async () => {
    const { user, shop } = await buildMerchant(gw.database.db, { industryBelt: "CLOTHING_HANGZHOU" });
    const stranger = await buildMerchant(gw.database.db);
    const token = await gw.token(user.id, "MERCHANT");
    const created = await gw.request(
      CreateProductDocument,
      { input: { shopId: toGlobalId("Shop", shop.id), title: "Silk shirt", category: "clothing/shirt", price: "239.00", stock: 5 } },
      token,
    );
    expect(created.data!.createProduct.userErrors).toEqual([]);
    const product = created.data!.createProduct.product!;
    expect(product).toMatchObject({ title: "Silk shirt", originBelt: "CLOTHING_HANGZHOU", price: { amount: "239.00" }, version: 1 });

    const updated = await gw.request(UpdateProductDocument, { input: { productId: product.id, price: "199.50", stock: 9 } }, token);
    expect(updated.data!.updateProduct.product).toMatchObject({ price: { amount: "199.50" }, stock: 9, version: 2 });

    const strangerToken = await gw.token(stranger.user.id, "MERCHANT");
    const refused = await gw.request(UpdateProductDocument, { input: { productId: product.id, price: "1.00" } }, strangerToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const buyer = await buildUser(gw.database.db, "BUYER");
    const asBuyer = await gw.request(UpdateProductDocument, { input: { productId: product.id, price: "1.00" } }, await gw.token(buyer.id, "BUYER"));
    expect(asBuyer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await gw.request(UpdateProductDocument, { input: { productId: product.id, price: "1.00" } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const strangerCreate = await gw.request(
      CreateProductDocument,
      { input: { shopId: toGlobalId("Shop", shop.id), title: "x", category: "a", price: "1.00", stock: 1 } },
      strangerToken,
    );
    expect(strangerCreate.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const [row] = await gw.database.db.select().from(products).where(eq(products.shopId, shop.id));
    expect(row).toMatchObject({ priceFen: 19_950, stock: 9, version: 2 });
    expect(await gw.database.db.select().from(products).where(eq(products.shopId, shop.id))).toHaveLength(1);
  });

  it("reports rule failures as userErrors and changes nothing", async () => {
    const { user, shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id, { priceFen: 5_000 });
    const token = await gw.token(user.id, "MERCHANT");
    const bad = await gw.request(
      CreateProductDocument,
      { input: { shopId: toGlobalId("Shop", shop.id), title: "Bangle", category: "x", price: "-1", stock: 1, crossBorder: true } },
      token,
    );
    expect(bad.data!.createProduct.product).toBeNull();
    expect(bad.data!.createProduct.userErrors.map((e) => e.code)).toEqual(["INVALID_PRICE", "CROSS_BORDER_NEEDS_CROSS_BORDER_SHOP"]);
    // Blank text is malformed input (the text validator), refused before any rule runs.
    const blank = await gw.request(CreateProductDocument, { input: { shopId: toGlobalId("Shop", shop.id), title: "", category: "x", price: "1.00", stock: 1 } }, token);
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.title" });
    const conflict = await gw.request(UpdateProductDocument, { input: { productId: toGlobalId("Product", product.id), expectedVersion: 7, price: "1.00" } }, token);
    expect(conflict.data!.updateProduct.userErrors).toEqual([expect.objectContaining({ code: "VERSION_CONFLICT", field: ["expectedVersion"] })]);
    const [row] = await gw.database.db.select().from(products).where(eq(products.id, product.id));
    expect(row).toMatchObject({ priceFen: 5_000, version: 1 });
    expect(await gw.database.db.select().from(products).where(eq(products.shopId, shop.id))).toHaveLength(1);
  });
});

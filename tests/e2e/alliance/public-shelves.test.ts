import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildApprovedMerchant, buildPlan, buildPromoter, buildShelf } from "../../support/alliance-builders.js";
import { buildProduct, buildUser } from "../../support/builders.js";
import { ownBus, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CreateFlashSaleDocument,
  PromoterShelfDocument,
  RemoveFromShelfDocument,
  SetShopCartDocument,
  SetUserRoleDocument,
  UpdateProductDocument,
} from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";

/** The coalescing window of listing notices (INVENTORY_COALESCE_MS) in these gateways. */
const WINDOW_MS = 50;

type Shelf = { title: string; stock: number }[];

async function readShelf(gw: TestGateway, promoterId: number, token?: string) {
  const result = await gw.request(PromoterShelfDocument, { id: toGlobalId("Promoter", promoterId) }, token);
  expect(result.errors).toBeUndefined();
  const shelf: Shelf = result.data!.promoter!.shelf.map((i) => ({ title: i.product.title, stock: i.stock }));
  // Whether this read went to PostgreSQL for the shelf, or was answered from the process's public shelves.
  return { shelf, readTheShelf: result.statements.some((s) => s.sql.includes('from "shelf_items"')) };
}

/** Reads the shelf on `gw` until `seen` holds; returns how long after `since` (the change's reply) that was. */
async function readUntil(gw: TestGateway, promoterId: number, seen: (shelf: Shelf) => boolean, since: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { shelf } = await readShelf(gw, promoterId);
    if (seen(shelf)) return Date.now() - since;
    if (Date.now() > deadline) throw new Error(`the change did not reach the other gateway: ${JSON.stringify(shelf)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The shelf with its shops' status: a shop field the shelf page itself does not ask for, answered from the kept shelf too. */
const ShelfShopsDocument = parse(`query ShelfShops($id: ID!) { promoter(id: $id) { shelf { shop { id status } } } }`) as TypedDocumentNode<
  { promoter: { shelf: { shop: { id: string; status: string } }[] } | null },
  { id: string }
>;

async function shelfScenario(gw: TestGateway) {
  const db = gw.database.db;
  const merchant = await buildApprovedMerchant(db);
  const products = [await buildProduct(db, merchant.shop.id, { title: "Ruili bangle", stock: 40 }), await buildProduct(db, merchant.shop.id, { title: "Sihui pendant", stock: 30 })];
  for (const p of products) await buildPlan(db, { shopId: merchant.shop.id, productId: p.id, kind: "GENERAL", rateBps: 2000 });
  const { user: promoter } = await buildPromoter(db, { onboarded: true });
  await buildShelf(db, promoter.id, products.map((p) => p.id));
  return {
    products,
    shopId: merchant.shop.id,
    promoterId: promoter.id,
    merchantToken: await gw.token(merchant.user.id, "MERCHANT"),
    promoterToken: await gw.token(promoter.id, "PROMOTER"),
  };
}

/**
 * Issue 16: a public shelf (anyone's view, no rates) is kept in the gateway process and dropped by the changes that
 * show on it: its promoter's shelf changes, its products' fields and stock. On two gateway processes sharing
 * PostgreSQL and Redis, a change made through one reaches the other's next reads within the notices' window.
 */
describe("public shelves kept in the process, on two gateways (PostgreSQL + Redis)", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    // A shop's change anywhere drops every kept shelf: these two hear only each other.
    const env = { INVENTORY_COALESCE_MS: String(WINDOW_MS), ...ownBus() };
    [a, b] = await Promise.all([startTestGateway("postgres", { env }), startTestGateway("postgres", { env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("answers repeated anonymous reads without PostgreSQL, and drops the shelf when a product, the stock or the shelf changes on the other gateway", async () => {
    const s = await shelfScenario(a);
    const first = await readShelf(b, s.promoterId);
    expect(first.shelf.map((i) => i.title)).toEqual(["Ruili bangle", "Sihui pendant"]);
    expect(first.readTheShelf).toBe(true);
    expect((await readShelf(b, s.promoterId)).readTheShelf).toBe(false);

    const updated = await a.request(UpdateProductDocument, { input: { productId: toGlobalId("Product", s.products[0]!.id), title: "Ruili bangle, icy", stock: 7 } }, s.merchantToken);
    expect(updated.data!.updateProduct.userErrors).toEqual([]);
    const productMs = await readUntil(b, s.promoterId, (shelf) => shelf[0]?.title === "Ruili bangle, icy" && shelf[0]?.stock === 7, Date.now());
    expect((await readShelf(b, s.promoterId)).readTheShelf).toBe(false);

    const removed = await a.request(RemoveFromShelfDocument, { input: { productId: toGlobalId("Product", s.products[1]!.id) } }, s.promoterToken);
    expect(removed.data!.removeFromShelf.userErrors).toEqual([]);
    const shelfMs = await readUntil(b, s.promoterId, (shelf) => shelf.length === 1, Date.now());
    console.info(`[public shelves] seen on the other gateway after ${productMs} ms (product) and ${shelfMs} ms (shelf); window ${WINDOW_MS} ms`);
  });

  it("drops the shelf when a flash sale takes its product's stock on the other gateway", async () => {
    const sale = await liveSale(a, { units: 0, stock: 100 });
    expect((await readShelf(b, sale.promoter.id)).shelf.map((i) => i.stock)).toEqual([100]);
    expect((await readShelf(b, sale.promoter.id)).readTheShelf).toBe(false);
    const created = await a.request(
      CreateFlashSaleDocument,
      { input: { liveSessionId: sale.liveSessionId, productId: sale.productId, flashPrice: "59.00", allocatedUnits: 40, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3600_000).toISOString() } },
      sale.promoterToken,
    );
    expect(created.data!.createFlashSale.userErrors).toEqual([]);
    await readUntil(b, sale.promoter.id, (shelf) => shelf[0]?.stock === 60, Date.now());
  });

  it("answers a kept shelf's shops without PostgreSQL too, and drops the shelf when a shop changes on the other gateway", async () => {
    const s = await shelfScenario(a);
    const admin = await buildUser(a.database.db, "ADMIN");
    const read = () => b.request(ShelfShopsDocument, { id: toGlobalId("Promoter", s.promoterId) });
    expect((await read()).data!.promoter!.shelf.map((i) => i.shop.status)).toEqual(["NORMAL", "NORMAL"]);
    // Nothing at all: not the shelf, its products or their shops, nor the promoter (promoter(id:)), whom the
    // accounts keep.
    const kept = await read();
    expect(kept.statements.map((st) => st.sql)).toEqual([]);
    const switched = await a.request(SetShopCartDocument, { input: { shopId: toGlobalId("Shop", s.shopId), enabled: false, reason: "test" } }, await a.token(admin.id, "ADMIN"));
    expect(switched.data!.setShopCart.userErrors).toEqual([]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const statuses = (await read()).data!.promoter!.shelf.map((i) => i.shop.status);
      if (statuses.every((status) => status === "CART_DISABLED")) break;
      if (Date.now() > deadline) throw new Error(`the shop's change did not reach the other gateway: ${statuses}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it("names the promoter without PostgreSQL, and stops at once when an admin takes the role away, on both gateways", async () => {
    const s = await shelfScenario(a);
    const admin = await buildUser(a.database.db, "ADMIN");
    await readShelf(a, s.promoterId);
    await readShelf(b, s.promoterId);
    const again = await b.request(PromoterShelfDocument, { id: toGlobalId("Promoter", s.promoterId) });
    expect(again.data!.promoter!.shelf).toHaveLength(2);
    expect(again.statements.filter((st) => st.sql.includes('from "users"'))).toEqual([]);

    const changed = await a.request(SetUserRoleDocument, { input: { userId: toGlobalId("User", s.promoterId), role: "BUYER" } }, await a.token(admin.id, "ADMIN"));
    expect(changed.data!.setUserRole.userErrors).toEqual([]);
    // The process that changed the role knows at once; the other within the bus's delivery.
    expect((await a.request(PromoterShelfDocument, { id: toGlobalId("Promoter", s.promoterId) })).data!.promoter).toBeNull();
    const deadline = Date.now() + 10_000;
    while ((await b.request(PromoterShelfDocument, { id: toGlobalId("Promoter", s.promoterId) })).data!.promoter !== null) {
      if (Date.now() > deadline) throw new Error("the other gateway still names a promoter whose role was taken away");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it("never keeps what the promoter itself sees (its rates): each of its reads goes to PostgreSQL", async () => {
    const s = await shelfScenario(a);
    await readShelf(b, s.promoterId);
    for (let i = 0; i < 2; i++) expect((await readShelf(b, s.promoterId, s.promoterToken)).readTheShelf).toBe(true);
  });
});

describe("public shelves kept in the process, embedded (PGlite, in-process bus)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { env: { INVENTORY_COALESCE_MS: String(WINDOW_MS) } });
  });
  afterAll(() => gw?.stop());

  it("shows a change on the very next read, and keeps the shelf between changes", async () => {
    const s = await shelfScenario(gw);
    expect((await readShelf(gw, s.promoterId)).readTheShelf).toBe(true);
    expect((await readShelf(gw, s.promoterId)).readTheShelf).toBe(false);
    const updated = await gw.request(UpdateProductDocument, { input: { productId: toGlobalId("Product", s.products[1]!.id), stock: 3 } }, s.merchantToken);
    expect(updated.data!.updateProduct.userErrors).toEqual([]);
    const next = await readShelf(gw, s.promoterId);
    expect(next.readTheShelf).toBe(true);
    expect(next.shelf.map((i) => i.stock)).toEqual([40, 3]);
    const removed = await gw.request(RemoveFromShelfDocument, { input: { productId: toGlobalId("Product", s.products[0]!.id) } }, s.promoterToken);
    expect(removed.data!.removeFromShelf.userErrors).toEqual([]);
    expect((await readShelf(gw, s.promoterId)).shelf.map((i) => i.title)).toEqual(["Sihui pendant"]);
  });
});

import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildUser } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";

/** The coalescing window of listing notices (INVENTORY_COALESCE_MS) in these gateways. */
const WINDOW_MS = 50;

type ShopView = { name: string; status: string; creditScore: number };

const ShopDocument = parse(`query KeptShop($id: ID!) { shop(id: $id) { name status creditScore } }`) as TypedDocumentNode<{ shop: ShopView | null }, { id: string }>;
const SetCartDocument = parse(`mutation KeptShopCart($input: SetShopCartInput!) { setShopCart(input: $input) { userErrors { code } } }`) as TypedDocumentNode<
  { setShopCart: { userErrors: { code: string }[] } },
  { input: { shopId: string; enabled: boolean; reason: string } }
>;
const RestoreCreditDocument = parse(`mutation KeptShopCredit($input: RestoreShopCreditInput!) { restoreShopCredit(input: $input) { userErrors { code } } }`) as TypedDocumentNode<
  { restoreShopCredit: { userErrors: { code: string }[] } },
  { input: { shopId: string; points: number; reason: string } }
>;

async function readShop(gw: TestGateway, shopId: number) {
  const result = await gw.request(ShopDocument, { id: toGlobalId("Shop", shopId) });
  expect(result.errors).toBeUndefined();
  return { shop: result.data!.shop!, readTheShop: result.statements.some((s) => s.sql.includes('from "shops"')) };
}

/** Reads the shop on `gw` until `seen` holds (10 s at most). */
async function readUntil(gw: TestGateway, shopId: number, seen: (shop: ShopView) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { shop } = await readShop(gw, shopId);
    if (seen(shop)) return;
    if (Date.now() > deadline) throw new Error(`the shop's change did not reach this gateway: ${JSON.stringify(shop)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Issue 16: a shop shown in a response (a selection-center page names up to 30) is kept in the gateway process and
 * dropped by every write to it, as announced through the listing notices: at once on the process that wrote, within
 * the notices' window on the others.
 */
describe("shops kept in the process, on two gateways (PostgreSQL + Redis)", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = { INVENTORY_COALESCE_MS: String(WINDOW_MS) };
    [a, b] = await Promise.all([startTestGateway("postgres", { env }), startTestGateway("postgres", { env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("answers a shop shown again without PostgreSQL, and shows a cart switch and a credit restoration made on either gateway", async () => {
    const { shop } = await buildMerchant(a.database.db, { creditScore: 50 });
    const adminToken = await a.token((await buildUser(a.database.db, "ADMIN")).id, "ADMIN");
    for (const gw of [a, b]) {
      const first = await readShop(gw, shop.id);
      expect(first).toMatchObject({ shop: { status: "NORMAL", creditScore: 50 }, readTheShop: true });
      expect(await readShop(gw, shop.id)).toMatchObject({ shop: { status: "NORMAL", creditScore: 50 }, readTheShop: false });
    }

    const switched = await a.request(SetCartDocument, { input: { shopId: toGlobalId("Shop", shop.id), enabled: false, reason: "test" } }, adminToken);
    expect(switched.data!.setShopCart.userErrors).toEqual([]);
    // The gateway that wrote shows it on its very next read; the other within the notices' window.
    expect((await readShop(a, shop.id)).shop.status).toBe("CART_DISABLED");
    await readUntil(b, shop.id, (s) => s.status === "CART_DISABLED");

    const restored = await b.request(RestoreCreditDocument, { input: { shopId: toGlobalId("Shop", shop.id), points: 7, reason: "test" } }, adminToken);
    expect(restored.data!.restoreShopCredit.userErrors).toEqual([]);
    expect((await readShop(b, shop.id)).shop.creditScore).toBe(57);
    await readUntil(a, shop.id, (s) => s.creditScore === 57);
    // Kept again once read after the change.
    expect((await readShop(a, shop.id)).readTheShop).toBe(false);
  });
});

describe("shops kept in the process, embedded (PGlite, in-process bus)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { env: { INVENTORY_COALESCE_MS: String(WINDOW_MS) } });
  });
  afterAll(() => gw?.stop());

  it("shows a change on the very next read, and keeps the shop between changes", async () => {
    const { shop } = await buildMerchant(gw.database.db);
    const adminToken = await gw.token((await buildUser(gw.database.db, "ADMIN")).id, "ADMIN");
    expect((await readShop(gw, shop.id)).readTheShop).toBe(true);
    expect((await readShop(gw, shop.id)).readTheShop).toBe(false);
    const switched = await gw.request(SetCartDocument, { input: { shopId: toGlobalId("Shop", shop.id), enabled: false, reason: "test" } }, adminToken);
    expect(switched.data!.setShopCart.userErrors).toEqual([]);
    expect(await readShop(gw, shop.id)).toMatchObject({ shop: { status: "CART_DISABLED" }, readTheShop: true });
    // The window's notice comes back through the bus to the process that sent it: heard already, it drops nothing.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 4));
    expect((await readShop(gw, shop.id)).readTheShop).toBe(false);
  });
});

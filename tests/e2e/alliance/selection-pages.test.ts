import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commissionPlans } from "../../../src/db/schema/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildPlan, buildPromoter } from "../../support/alliance-builders.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { keptOnly, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  AddToShelfDocument,
  PlaceOrderDocument,
  RefundOrderDocument,
  SelectionCenterDocument,
  UpdateCommissionRateDocument,
} from "../../support/generated/graphql.js";
import { liveSale } from "../../support/scenarios.js";

/** The coalescing window of listing notices (INVENTORY_COALESCE_MS) in these gateways. */
const WINDOW_MS = 50;
/** Deep enough that plans other test files add meanwhile cannot push this test's product off the page. */
const FIRST = 100;

interface Shown {
  rate: string;
  onShelf: boolean;
  unitsSold30d: number;
  /** The request sent SQL (false: the page was kept). */
  readTheDatabase: boolean;
}

/** The viewer's default selection-center page (newest first), as it shows `productId`. */
async function readPage(gw: TestGateway, token: string, productId: number): Promise<Shown> {
  const result = await gw.request(SelectionCenterDocument, { first: FIRST }, token);
  expect(result.errors).toBeUndefined();
  const node = result.data!.selectionCenter.edges.find((e) => e.node.product.id === toGlobalId("Product", productId))?.node;
  expect(node, "the product is on the page").toBeDefined();
  return { rate: node!.commissionRate.percent, onShelf: node!.onShelf, unitsSold30d: node!.unitsSold30d, readTheDatabase: result.statements.length > 0 };
}

/** Reads the page on `gw` until `seen` holds (10 s at most). */
async function readUntil(gw: TestGateway, token: string, productId: number, seen: (shown: Shown) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const shown = await readPage(gw, token, productId);
    if (seen(shown)) return;
    if (Date.now() > deadline) throw new Error(`the change did not reach this gateway: ${JSON.stringify(shown)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Issue 16: a promoter's selection-center pages are kept in the gateway process and dropped by every write that
 * changes what they show (a plan's rate, the promoter's shelf, a sale, a refund), at once on the process that wrote
 * and within the notices' window on the others; and by the clock at the alliance's next scheduled boundary.
 */
describe("selection-center pages kept in the process, on two gateways (PostgreSQL + Redis)", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = { INVENTORY_COALESCE_MS: String(WINDOW_MS), ...keptOnly() };
    [a, b] = await Promise.all([startTestGateway("postgres", { env }), startTestGateway("postgres", { env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("answers a page again without PostgreSQL, and shows a rate change, a shelf change, a flash-sale order and its refund made on either gateway", async () => {
    const sale = await liveSale(a, { units: 10 });
    const plan = await buildPlan(a.database.db, { shopId: sale.merchant.shop.id, productId: sale.product.id, kind: "GENERAL", rateBps: 1_500 });
    const viewer = await buildPromoter(a.database.db, { onboarded: true });
    const token = await a.token(viewer.user.id, "PROMOTER");
    const merchantToken = await a.token(sale.merchant.user.id, "MERCHANT");
    const productId = sale.product.id;
    for (const gw of [a, b]) {
      expect(await readPage(gw, token, productId)).toEqual({ rate: "15.00", onShelf: false, unitsSold30d: 0, readTheDatabase: true });
      expect(await readPage(gw, token, productId)).toEqual({ rate: "15.00", onShelf: false, unitsSold30d: 0, readTheDatabase: false });
    }

    // A rate increase applies at once (R4): the writer shows it on its very next read, the other within the window.
    const raised = await a.request(UpdateCommissionRateDocument, { input: { planId: toGlobalId("CommissionPlan", plan.id), ratePercent: "20" } }, merchantToken);
    expect(raised.data!.updateCommissionRate.userErrors).toEqual([]);
    expect(await readPage(a, token, productId)).toMatchObject({ rate: "20.00", readTheDatabase: true });
    await readUntil(b, token, productId, (s) => s.rate === "20.00");

    const added = await b.request(AddToShelfDocument, { input: { productId: toGlobalId("Product", productId) } }, token);
    expect(added.data!.addToShelf.userErrors).toEqual([]);
    expect(await readPage(b, token, productId)).toMatchObject({ onShelf: true, readTheDatabase: true });
    await readUntil(a, token, productId, (s) => s.onShelf);

    const buyer = await buildUser(a.database.db, "BUYER");
    const placed = await a.request(PlaceOrderDocument, { input: { flashSaleId: sale.flashSaleId, quantity: 1, idempotencyKey: "kept-pages" } }, await a.token(buyer.id, "BUYER"));
    expect(placed.data!.placeOrder.userErrors).toEqual([]);
    expect(await readPage(a, token, productId)).toMatchObject({ unitsSold30d: 1, readTheDatabase: true });
    await readUntil(b, token, productId, (s) => s.unitsSold30d === 1);

    const refunded = await b.request(RefundOrderDocument, { input: { orderId: placed.data!.placeOrder.order!.id, reason: "test" } }, merchantToken);
    expect(refunded.data!.refundOrder.userErrors).toEqual([]);
    expect(await readPage(b, token, productId)).toMatchObject({ unitsSold30d: 0, readTheDatabase: true });
    await readUntil(a, token, productId, (s) => s.unitsSold30d === 0);
    // Kept again once read after the change.
    expect(await readPage(a, token, productId)).toEqual({ rate: "20.00", onShelf: true, unitsSold30d: 0, readTheDatabase: false });
  });
});

describe("selection-center pages kept in the process, embedded (PGlite, in-process bus), on a manual clock", () => {
  let gw: TestGateway;
  const clock = new ManualClock(new Date("2026-06-01T04:00:00Z"));
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { clock, env: { INVENTORY_COALESCE_MS: String(WINDOW_MS) } });
  });
  afterAll(() => gw?.stop());

  it("shows a scheduled decrease from its effective time on, with no write between", async () => {
    const db = gw.database.db;
    const { shop } = await buildMerchant(db);
    const product = await buildProduct(db, shop.id);
    // Sooner than SELECTION_PAGE_TTL_MS, so that the boundary is what ends the kept page.
    const effective = new Date(clock.now().getTime() + 30_000);
    const plan = await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 2_000 }, clock.now());
    await db.update(commissionPlans).set({ pendingRateBps: 1_000, pendingEffectiveAt: effective }).where(eq(commissionPlans.id, plan.id));
    const token = await gw.token((await buildUser(db, "PROMOTER")).id, "PROMOTER");
    expect(await readPage(gw, token, product.id)).toMatchObject({ rate: "20.00", readTheDatabase: true });
    clock.set(new Date(effective.getTime() - 1));
    expect(await readPage(gw, token, product.id)).toMatchObject({ rate: "20.00", readTheDatabase: false });
    clock.set(effective);
    expect(await readPage(gw, token, product.id)).toMatchObject({ rate: "10.00", readTheDatabase: true });
    expect(await readPage(gw, token, product.id)).toMatchObject({ rate: "10.00", readTheDatabase: false });
    // At most SELECTION_PAGE_TTL_MS by the clock: units sold leave their 30-day window with no write either.
    clock.advance(60_000);
    expect(await readPage(gw, token, product.id)).toMatchObject({ rate: "10.00", readTheDatabase: true });
  });
});

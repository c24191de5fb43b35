import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, runCli } from "../../support/fresh-database.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  AddToShelfDocument,
  ApplyForDistributionDocument,
  BindPromotionPidDocument,
  ConfirmReceiptDocument,
  CreateFlashSaleDocument,
  CreateProductDocument,
  FlashSaleDocument,
  FlashSaleInventoryDocument,
  OpenShopDocument,
  OrderDocument,
  PinToCartDocument,
  PlaceOrderDocument,
  PublishToAllianceDocument,
  RateShopDocument,
  ReviewDistributionApplicationDocument,
  ShipOrderDocument,
  SignPayoutAccountDocument,
  StartLiveSessionDocument,
  ViewerDocument,
} from "../../support/generated/graphql.js";
import { TestIdentityProvider } from "../../support/identity-provider.js";
import { REDIS_URL } from "../../support/services.js";

/**
 * Issue 14's "done when": an operator starts production on an empty PostgreSQL, bootstraps the first admin from
 * the shell, and from then on everything happens through the API with the platform's tokens (this test's own
 * JWKS server; the gateway has no local secret): no SQL, no seed builders.
 */
describe("production from an empty database to a sold flash sale", () => {
  let idp: TestIdentityProvider;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let gw: TestGateway;
  beforeAll(async () => {
    idp = await TestIdentityProvider.start();
    await idp.addKey("RS256");
    await idp.addKey("EdDSA");
    database = await freshDatabase("walkthrough");
  });
  afterAll(async () => {
    await gw?.stop();
    await database?.drop();
    await idp?.stop();
  });

  it("walks the operator's, the merchant's, the promoter's and the buyers' path", async () => {
    const env = { DATABASE_URL: database.url, REDIS_URL, JWKS_URL: idp.jwksUrl, JWT_ISSUER: idp.issuer, JWT_AUDIENCE: idp.audience, JWT_SECRET: "", LOG_LEVEL: "error" };
    // 1. the first admin, from the shell (this also migrates the empty database)
    const bootstrap = await runCli("admin", ["create", "--name", "平台运营", "--subject", "ops-lead"], env);
    expect(bootstrap.code, bootstrap.stderr).toBe(0);
    gw = await startTestGateway("postgres", { env: { ...idp.env(), DATABASE_URL: database.url, JWT_SECRET: "", REDIS_KEY_PREFIX: `liveshelf-walkthrough-${process.pid}:` } });
    expect(gw.tokens).toBeNull();
    // Untyped on purpose: the walkthrough reads like the operations a client sends (enums as plain strings).
    const call = async (doc: TypedDocumentNode<any, any>, variables: Record<string, unknown>, token: string): Promise<any> => {
      const result = await gw.request(doc, variables, token);
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      return result.data;
    };
    const as = (sub: string, role: string | null, name?: string) => idp.token({ sub, ...(role ? { role } : {}), ...(name ? { name } : {}) });
    const admin = await as("ops-lead", null);
    expect((await gw.request(ViewerDocument, {}, admin)).data!.viewer).toMatchObject({ role: "ADMIN", name: "平台运营" });

    // 2. a merchant signs in (provisioned on first sight) and opens its shop with a product
    const merchant = await as("merchant-sihui", "MERCHANT", "四会翠玉坊");
    const shop = (await call(OpenShopDocument, { input: { name: "翠玉坊", industryBelt: "JADE_SIHUI" } }, merchant)).openShop;
    expect(shop.userErrors).toEqual([]);
    const shopId = shop.shop.id;
    const created = (await call(CreateProductDocument, { input: { shopId, title: "冰种翡翠手镯", category: "jade/bangle", price: "199.00", stock: 100 } }, merchant)).createProduct;
    expect(created.userErrors).toEqual([]);
    const productId = created.product.id;

    // 3. its first sales, streaming its own shop (店播: direct selling, no alliance), and DSR ratings
    const ownRoom = (await call(StartLiveSessionDocument, { input: { title: "翠玉坊店播" } }, merchant)).startLiveSession.liveSession.id;
    expect((await call(PinToCartDocument, { input: { liveSessionId: ownRoom, productId } }, merchant)).pinToCart.userErrors).toEqual([]);
    for (const [n, scores] of [
      [1, { description: 5, service: 5, logistics: 5 }],
      [2, { description: 5, service: 4, logistics: 5 }],
    ] as const) {
      const buyer = await as(`early-buyer-${n}`, null);
      const placed = (await call(PlaceOrderDocument, { input: { liveSessionId: ownRoom, productId, quantity: 1, idempotencyKey: `own-${n}` } }, buyer)).placeOrder;
      expect(placed.userErrors).toEqual([]);
      expect(placed.order).toMatchObject({ commissionRateBps: 0, total: { amount: "199.00" } });
      const orderId = placed.order.id;
      // shipped, received, then rated by its buyer (DSR)
      expect((await call(ShipOrderDocument, { input: { orderId, carrier: "顺丰", trackingNumber: `SF10${n}` } }, merchant)).shipOrder.userErrors).toEqual([]);
      expect((await call(ConfirmReceiptDocument, { input: { orderId } }, buyer)).confirmReceipt.userErrors).toEqual([]);
      expect((await call(RateShopDocument, { input: { orderId, ...scores } }, buyer)).rateShop.userErrors).toEqual([]);
    }

    // 4. distribution: the system check passes every R1 rule, an admin approves
    const applied = (await call(ApplyForDistributionDocument, { input: { shopId } }, merchant)).applyForDistribution;
    expect(applied.userErrors).toEqual([]);
    expect(applied.application.checks.filter((c: { passed: boolean }) => !c.passed)).toEqual([]);
    expect(applied.application.status).toBe("PENDING_REVIEW");
    const reviewed = (await call(ReviewDistributionApplicationDocument, { input: { applicationId: applied.application.id, decision: "APPROVE", factoryInspectionRequired: false } }, admin))
      .reviewDistributionApplication;
    expect(reviewed.application.status).toBe("APPROVED");
    const plan = (await call(PublishToAllianceDocument, { input: { productId, ratePercent: "20" } }, merchant)).publishToAlliance;
    expect(plan.userErrors).toEqual([]);

    // 5. a promoter onboards (R6: own shop, PID, payout account) and shelves the product
    const promoter = await as("streamer-xiaoli", "PROMOTER", "主播小李");
    expect((await call(OpenShopDocument, { input: { name: "小李的小店" } }, promoter)).openShop.userErrors).toEqual([]);
    expect((await call(BindPromotionPidDocument, { input: { pid: "pid_xiaoli_2026" } }, promoter)).bindPromotionPid.userErrors).toEqual([]);
    const signed = (await call(SignPayoutAccountDocument, { input: { channel: "ALIPAY", accountName: "李小", accountNo: "xiaoli@example.com" } }, promoter)).signPayoutAccount;
    expect(signed.userErrors).toEqual([]);
    expect((await call(AddToShelfDocument, { input: { productId } }, promoter)).addToShelf.userErrors).toEqual([]);

    // 6. its live session, the pin, the flash sale
    const room = (await call(StartLiveSessionDocument, { input: { title: "翡翠专场" } }, promoter)).startLiveSession.liveSession.id;
    expect((await call(PinToCartDocument, { input: { liveSessionId: room, productId } }, promoter)).pinToCart.userErrors).toEqual([]);
    const sale = (
      await call(
        CreateFlashSaleDocument,
        { input: { liveSessionId: room, productId, flashPrice: "159.00", allocatedUnits: 5, perBuyerLimit: 1, endsAt: new Date(Date.now() + 3600_000).toISOString() } },
        promoter,
      )
    ).createFlashSale;
    expect(sale.userErrors).toEqual([]);
    const flashSaleId = sale.flashSale.id;
    const watcher = collect(gw.ws(await as("overlay-viewer", null)), FlashSaleInventoryDocument, { liveSessionId: room });
    await watcher.until(() => watcher.messages.length >= 1);

    // 7. orders: six buyers for five units
    const buyers = await Promise.all(Array.from({ length: 6 }, (_, i) => as(`fan-${i}`, "BUYER")));
    const results = await Promise.all(
      buyers.map((token, i) => call(PlaceOrderDocument, { input: { flashSaleId, quantity: 1, idempotencyKey: `flash-${i}` } }, token)),
    );
    const accepted = results.map((r) => r.placeOrder).filter((p) => p.order);
    expect(accepted).toHaveLength(5);
    expect(results.flatMap((r) => r.placeOrder.userErrors.map((e: { code: string }) => e.code))).toEqual(["SOLD_OUT"]);
    for (const p of accepted) expect(p.order).toMatchObject({ commissionRateBps: 2_000, commissionPlan: "GENERAL", total: { amount: "159.00" } });

    const final = (await call(FlashSaleDocument, { id: flashSaleId }, admin)).flashSale;
    expect(final).toMatchObject({ status: "SOLD_OUT", soldUnits: 5, remainingUnits: 0, product: { stock: 100 - 2 - 5 } });
    const order = (await call(OrderDocument, { id: accepted[0].order.id }, admin)).order;
    expect(order).toMatchObject({ shop: { id: shopId }, flashSale: { id: flashSaleId } });
    await watcher.until(() => watcher.messages.some((m) => m.data?.flashSaleInventory.sales.some((s) => s.flashSaleId === flashSaleId && s.status === "SOLD_OUT")));
  });
});

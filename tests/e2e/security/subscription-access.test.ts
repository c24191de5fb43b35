import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shops, users } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  FileAgreedPriceDocument,
  PriceGuardAlertsDocument,
  ProductUpdatedAgreedPriceDocument,
  ProductUpdatedDocument,
  SetUserBannedDocument,
  SetUserRoleDocument,
  TransferShopDocument,
  UpdateProductDocument,
} from "../../support/generated/graphql.js";

/**
 * Authorisation of a subscription holds at subscribe time and again when the viewer's rights change
 * (src/realtime/guarded-stream.ts). productUpdated is public, but a banned account keeps no live subscriptions:
 * that is the path these tests drive; price-guard alerts will re-check shop membership the same way.
 */
describe.each(BACKENDS)("subscription access on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  async function fixture() {
    const { user: merchant, shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id);
    const viewer = await buildUser(gw.database.db, "BUYER");
    return { merchantToken: await gw.token(merchant.id, "MERCHANT"), productId: toGlobalId("Product", product.id), viewer };
  }

  it("re-checks on accessChanged: still allowed, the stream goes on", async () => {
    const { merchantToken, productId, viewer } = await fixture();
    const sub = collect(gw.ws(await gw.token(viewer.id, "BUYER")), ProductUpdatedDocument, { productId });
    await sub.until(() => sub.messages.length >= 1);
    await gw.bus.publish("accessChanged", viewer.id, { userId: viewer.id });
    await new Promise((r) => setTimeout(r, 100));
    await gw.request(UpdateProductDocument, { input: { productId, stock: 1 } }, merchantToken);
    await sub.until(() => sub.messages.length >= 2);
    expect(sub.messages[1]!.data!.productUpdated.version).toBe(2);
    expect(sub.completed).toBe(false);
    sub.dispose();
  });

  it("ends the stream with FORBIDDEN once the viewer lost access, and only that viewer's", async () => {
    const { merchantToken, productId, viewer } = await fixture();
    const banned = collect(gw.ws(await gw.token(viewer.id, "BUYER")), ProductUpdatedDocument, { productId });
    const bystander = collect(gw.ws(null), ProductUpdatedDocument, { productId });
    await banned.until(() => banned.messages.length >= 1);
    await bystander.until(() => bystander.messages.length >= 1);

    await gw.database.db.update(users).set({ banned: true }).where(eq(users.id, viewer.id));
    await gw.bus.publish("accessChanged", viewer.id, { userId: viewer.id });
    await banned.until(() => banned.completed);
    expect(banned.messages.at(-1)!.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });

    await gw.request(UpdateProductDocument, { input: { productId, stock: 2 } }, merchantToken);
    await bystander.until(() => bystander.messages.length >= 2);
    expect(banned.messages.filter((m) => m.data?.productUpdated)).toHaveLength(1);
    bystander.dispose();
  });

  it("resolves later events for the role the viewer has now, not the one it subscribed with", async () => {
    const { merchantToken, productId, viewer } = await fixture();
    const admin = await buildUser(gw.database.db, "ADMIN");
    const filed = await gw.request(FileAgreedPriceDocument, { input: { productId, agreedPrice: "90.00" } }, merchantToken);
    expect(filed.data!.fileAgreedPrice.userErrors).toEqual([]);
    // Agreed prices are hidden from buyers: the buyer's snapshot has none.
    const sub = collect(gw.ws(await gw.token(viewer.id, "BUYER")), ProductUpdatedAgreedPriceDocument, { productId });
    await sub.until(() => sub.messages.length >= 1);
    expect(sub.messages[0]!.data!.productUpdated.agreedPrice).toBeNull();

    const promoted = await gw.request(SetUserRoleDocument, { input: { userId: toGlobalId("User", viewer.id), role: "PROMOTER" } }, await gw.token(admin.id, "ADMIN"));
    expect(promoted.data!.setUserRole.user).toMatchObject({ role: "PROMOTER" });
    // The re-check runs on accessChanged, beside the updates: once it has, every event is resolved for a promoter.
    for (let stock = 1; stock <= 50 && !sub.messages.at(-1)!.data!.productUpdated.agreedPrice; stock++) {
      const seen = sub.messages.length;
      await gw.request(UpdateProductDocument, { input: { productId, stock } }, merchantToken);
      await sub.until(() => sub.messages.length > seen);
    }
    expect(sub.messages.at(-1)!.data!.productUpdated.agreedPrice).toEqual({ agreedPrice: { amount: "90.00" } });
    expect(sub.completed).toBe(false);
    sub.dispose();
  });

  it("refuses the subscription itself when the viewer has no access", async () => {
    const { productId, viewer } = await fixture();
    await gw.database.db.update(users).set({ banned: true }).where(eq(users.id, viewer.id));
    const sub = collect(gw.ws(await gw.token(viewer.id, "BUYER")), ProductUpdatedDocument, { productId });
    await sub.until(() => sub.completed);
    expect(sub.messages).toHaveLength(1);
    expect(sub.messages[0]!.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("subscription access across gateway instances", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestGateway("postgres"), startTestGateway("postgres")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("ends a stream on A when an admin bans the viewer on B", async () => {
    const { shop } = await buildMerchant(a.database.db);
    const productId = toGlobalId("Product", (await buildProduct(a.database.db, shop.id)).id);
    const viewer = await buildUser(a.database.db, "PROMOTER");
    const admin = await buildUser(a.database.db, "ADMIN");
    const sub = collect(a.ws(await a.token(viewer.id, "PROMOTER")), ProductUpdatedDocument, { productId });
    await sub.until(() => sub.messages.length >= 1);
    const banned = await b.request(SetUserBannedDocument, { input: { userId: toGlobalId("User", viewer.id), banned: true } }, await b.token(admin.id, "ADMIN"));
    expect(banned.data!.setUserBanned.user).toMatchObject({ banned: true });
    await sub.until(() => sub.completed);
    expect(sub.messages.at(-1)!.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const [row] = await a.database.db.select().from(users).where(eq(users.id, viewer.id));
    expect(row!.banned).toBe(true);
  });

  it("a merchant whose shop is transferred away stops receiving its price-guard alerts", async () => {
    const { user: merchant, shop } = await buildMerchant(a.database.db);
    const { user: successor } = await buildMerchant(a.database.db);
    const admin = await buildUser(a.database.db, "ADMIN");
    const shopId = toGlobalId("Shop", shop.id);
    const alerts = collect(a.ws(await a.token(merchant.id, "MERCHANT")), PriceGuardAlertsDocument, { shopId });
    await new Promise((r) => setTimeout(r, 200));
    expect(alerts.completed).toBe(false);

    const adminToken = await b.token(admin.id, "ADMIN");
    const moved = await b.request(TransferShopDocument, { input: { shopId, newOwnerId: toGlobalId("User", successor.id) } }, adminToken);
    expect(moved.data!.transferShop.userErrors).toEqual([]);
    await alerts.until(() => alerts.completed);
    expect(alerts.messages.at(-1)!.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const [row] = await a.database.db.select().from(shops).where(eq(shops.id, shop.id));
    expect(row!.ownerId).toBe(successor.id);

    // the new owner may watch; the old one is refused at subscribe time
    const again = collect(a.ws(await a.token(merchant.id, "MERCHANT")), PriceGuardAlertsDocument, { shopId });
    await again.until(() => again.completed);
    expect(again.messages[0]!.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const heir = collect(a.ws(await a.token(successor.id, "MERCHANT")), PriceGuardAlertsDocument, { shopId });
    await new Promise((r) => setTimeout(r, 200));
    expect(heir.completed).toBe(false);
    heir.dispose();

    const refused = await b.request(TransferShopDocument, { input: { shopId, newOwnerId: toGlobalId("User", admin.id) } }, adminToken);
    expect(refused.data!.transferShop.userErrors.map((e) => e.code)).toEqual(["NEW_OWNER_ROLE"]);
  });
});

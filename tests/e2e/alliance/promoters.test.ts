import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promoterProfiles, sampleRequests, shelfItems } from "../../../src/db/schema/index.js";
import { isOnShelf, promoterShopId } from "../../../src/modules/alliance/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildApprovedMerchant, buildPlan, buildPromoter, buildShelf } from "../../support/alliance-builders.js";
import { buildOrder, buildProduct, buildShop, buildUser } from "../../support/builders.js";
import { BACKENDS, keptOnly, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  AddToShelfDocument,
  BindPromotionPidDocument,
  DecideSampleRequestDocument,
  PromoterDocument,
  RemoveFromShelfDocument,
  ReorderShelfDocument,
  RequestSampleDocument,
  SampleRequestsDocument,
  SelectionCenterDocument,
  SignPayoutAccountDocument,
  type SelectionCenterQueryVariables,
  ViewerDocument,
} from "../../support/generated/graphql.js";

describe.each(BACKENDS)("promoters, selection center, shelves and samples on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Its selection-center pages are asserted kept: no other test file's writes may drop them meanwhile.
    gw = await startTestGateway(backend, { env: keptOnly() });
  });
  afterAll(() => gw?.stop());

  /** An approved shop with `n` alliance products in a category of their own. */
  async function alliance(n: number, product: (i: number) => Parameters<typeof buildProduct>[2] = () => ({})) {
    const merchant = await buildApprovedMerchant(gw.database.db);
    const category = `test/sel-${merchant.shop.id}`;
    const products = [];
    for (let i = 0; i < n; i++) {
      const row = await buildProduct(gw.database.db, merchant.shop.id, { category, title: `item-${i}`, ...product(i) });
      await buildPlan(gw.database.db, { shopId: merchant.shop.id, productId: row.id, kind: "GENERAL", rateBps: 1_000 + 100 * i });
      products.push(row);
    }
    return { ...merchant, category, products, token: await gw.token(merchant.user.id, "MERCHANT") };
  }

  const gid = (id: number) => toGlobalId("Product", id);

  it("R6: a promoter needs its own shop, a PID and a signed payout account; each missing step is named", async () => {
    const { products } = await alliance(1);
    const { user } = await buildPromoter(gw.database.db);
    const token = await gw.token(user.id, "PROMOTER");
    const add = () => gw.request(AddToShelfDocument, { input: { productId: gid(products[0]!.id) } }, token);

    const none = (await add()).data!.addToShelf;
    expect(none.shelf).toBeNull();
    expect(none.userErrors.map((e) => e.code)).toEqual(["OWN_SHOP_MISSING", "PROMOTION_PID_MISSING", "PAYOUT_ACCOUNT_MISSING"]);
    expect(await gw.database.db.select().from(promoterProfiles).where(eq(promoterProfiles.userId, user.id))).toHaveLength(0);

    expect((await gw.request(BindPromotionPidDocument, { input: { pid: "x" } }, token)).data!.bindPromotionPid.userErrors.map((e) => e.code)).toEqual([
      "INVALID_PID",
    ]);
    const pid = `ks_${user.id}_pid`;
    const bound = (await gw.request(BindPromotionPidDocument, { input: { pid } }, token)).data!.bindPromotionPid;
    expect(bound.promoter!.onboarding).toMatchObject({ promotionPidBound: true, promotionPid: pid, missingSteps: ["OWN_SHOP", "PAYOUT_ACCOUNT"] });
    const signed = (
      await gw.request(SignPayoutAccountDocument, { input: { channel: "ALIPAY", accountName: "Xu", accountNo: "xu@example.com" } }, token)
    ).data!.signPayoutAccount;
    expect(signed.promoter!.onboarding).toMatchObject({ payoutAccountSigned: true, payoutChannel: "ALIPAY", payoutAccountTail: ".com", missingSteps: ["OWN_SHOP"] });
    expect((await add()).data!.addToShelf.userErrors.map((e) => e.code)).toEqual(["OWN_SHOP_MISSING"]);

    const shop = await buildShop(gw.database.db, user.id);
    expect(await promoterShopId(gw.database.db, user.id)).toBe(shop.id);
    const ok = (await add()).data!.addToShelf;
    expect(ok.userErrors).toEqual([]);
    expect(ok.shelf!.map((i) => i.product.id)).toEqual([gid(products[0]!.id)]);

    // Another promoter cannot take the same PID; others see the steps but not the PID itself.
    const rival = await buildPromoter(gw.database.db);
    const rivalToken = await gw.token(rival.user.id, "PROMOTER");
    const taken = (await gw.request(BindPromotionPidDocument, { input: { pid } }, rivalToken)).data!.bindPromotionPid;
    expect(taken.userErrors.map((e) => e.code)).toEqual(["PID_TAKEN"]);
    const seen = await gw.request(PromoterDocument, { id: toGlobalId("Promoter", user.id) }, rivalToken);
    expect(seen.data!.promoter!.onboarding).toMatchObject({ canPromote: true, promotionPid: null, payoutAccountTail: null });
    expect(seen.data!.promoter!.shop).toEqual({ id: toGlobalId("Shop", shop.id) });
  });

  it("R6: the selection center filters and sorts, with the viewer's rate, sales and shelf state", async () => {
    const jade = await alliance(4, (i) => ({ priceFen: [50_000, 10_000, 30_000, 20_000][i], originBelt: "JADE_SIHUI" as const }));
    const db = gw.database.db;
    const { user } = await buildPromoter(db, { onboarded: true });
    const token = await gw.token(user.id, "PROMOTER");
    const buyer = await buildUser(db, "BUYER");
    const sell = (i: number, quantity: number, status: "RECEIVED" | "CANCELLED" = "RECEIVED") =>
      buildOrder(db, { buyerId: buyer.id, shopId: jade.shop.id, productId: jade.products[i]!.id, totalFen: 100, quantity, status });
    await sell(1, 7);
    await sell(2, 3);
    await sell(2, 50, "CANCELLED");
    await buildShelf(db, user.id, [jade.products[3]!.id]);
    const category = jade.category;
    const list = async (variables: SelectionCenterQueryVariables) => {
      const result = await gw.request(SelectionCenterDocument, { filter: { category }, ...variables }, token);
      expect(result.errors).toBeUndefined();
      return result.data!.selectionCenter;
    };
    const titles = (page: Awaited<ReturnType<typeof list>>) => page.edges.map((e) => e.node.product.title);

    expect(titles(await list({}))).toEqual(["item-3", "item-2", "item-1", "item-0"]); // NEWEST first
    expect(titles(await list({ orderBy: { field: "PRICE", direction: "ASC" } }))).toEqual(["item-1", "item-3", "item-2", "item-0"]);
    expect(titles(await list({ orderBy: { field: "COMMISSION_RATE", direction: "DESC" } }))).toEqual(["item-3", "item-2", "item-1", "item-0"]);
    const bySales = await list({ orderBy: { field: "SALES", direction: "DESC" } });
    expect(bySales.edges.map((e) => [e.node.product.title, e.node.unitsSold30d])).toEqual([
      ["item-1", 7],
      ["item-2", 3],
      ["item-3", 0],
      ["item-0", 0],
    ]);
    expect(titles(await list({ filter: { category, minPrice: "200.00", maxPrice: "300.00" } }))).toEqual(["item-3", "item-2"]);
    expect(titles(await list({ filter: { category, minRatePercent: "12" } }))).toEqual(["item-3", "item-2"]);
    expect(titles(await list({ filter: { category, industryBelt: "CLOTHING_HANGZHOU" } }))).toEqual([]);
    expect(titles(await list({ filter: { category, crossBorder: true } }))).toEqual([]);
    const all = await list({});
    expect(all.edges.map((e) => e.node.onShelf)).toEqual([true, false, false, false]);
    expect(all.edges[0]!.node).toMatchObject({ commissionPlanKind: "GENERAL", commissionRate: { percent: "13.00" }, product: { stock: 100 } });

    // Keyset pages by sales, across equal values.
    const first = await list({ first: 3, orderBy: { field: "SALES", direction: "DESC" } });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list({ first: 3, after: first.pageInfo.endCursor, orderBy: { field: "SALES", direction: "DESC" } });
    expect([...titles(first), ...titles(second)]).toEqual(["item-1", "item-2", "item-3", "item-0"]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const bad = await gw.request(SelectionCenterDocument, { after: first.pageInfo.endCursor }, token);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const merchantView = await gw.request(SelectionCenterDocument, {}, jade.token);
    expect(merchantView.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("loads a 30-item selection-center page in one statement (plus the shops and the alliance's next boundary not yet kept), then keeps it: none", async () => {
    const db = gw.database.db;
    const { user } = await buildPromoter(db, { onboarded: true });
    const token = await gw.token(user.id, "PROMOTER");
    const category = `test/count-${user.id}`;
    const merchants = await Promise.all(Array.from({ length: 6 }, () => buildApprovedMerchant(db)));
    for (const [m, { shop }] of merchants.entries()) {
      for (let i = 0; i < 6; i++) {
        const product = await buildProduct(db, shop.id, { category });
        await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 1_500 });
        if (i === 0) await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "PRODUCT_TARGETED", rateBps: 2_500, promoterIds: [user.id] });
      }
      if (m % 2 === 0) await buildPlan(db, { shopId: shop.id, kind: "SHOP_TARGETED", rateBps: 2_000, promoterIds: [user.id] });
    }
    const page = (first: number) => gw.request(SelectionCenterDocument, { first, filter: { category }, orderBy: { field: "COMMISSION_RATE", direction: "DESC" } }, token);
    const shown: string[][] = [];
    for (const first of [10, 30]) {
      await gw.request(ViewerDocument, {}, token); // the viewer's role is read once, then cached by the process
      // Other requests and a sweep run meanwhile, as on a busy process: only this request's statements count.
      const [result] = await Promise.all([
        page(first),
        ...Array.from({ length: 3 }, () => gw.request(SelectionCenterDocument, { first: 5, filter: { category } }, token)),
        gw.services.flashSales.sweep(),
      ]);
      expect(result.errors).toBeUndefined();
      const edges = result.data!.selectionCenter.edges;
      expect(edges).toHaveLength(first);
      expect(edges.every((e) => e.node.product.shop.name.length > 0)).toBe(true);
      shown.push(edges.map((e) => `${e.node.product.id} ${e.node.commissionRate.percent} ${e.node.product.shop.name}`));
      // One statement for the page (rates resolved in SQL), and at most one batched load of the shops not yet kept
      // and one read of the alliance's next time boundary (the concurrent requests may have kept them first).
      const shopLoads = result.statements.filter((st) => st.sql.includes('from "shops"'));
      const boundaryReads = result.statements.filter((st) => st.sql.includes("extract(epoch from least("));
      expect(shopLoads.length).toBeLessThanOrEqual(1);
      expect(boundaryReads.length).toBeLessThanOrEqual(1);
      expect(result.statements).toHaveLength(1 + shopLoads.length + boundaryReads.length);
    }
    // Kept once read with nothing changing meanwhile (the sweep above may have ended another test's sale while the
    // first pages were read, and then they were not kept): no statement at all, and the same page.
    for (const [i, first] of [10, 30].entries()) {
      await page(first);
      const kept = await page(first);
      expect(kept.statements).toHaveLength(0);
      expect(kept.data!.selectionCenter.edges.map((e) => `${e.node.product.id} ${e.node.commissionRate.percent} ${e.node.product.shop.name}`)).toEqual(shown[i]);
    }
  });

  it("R7: shelf add (listed at once with rate and stock), idempotent re-add, reorder, remove", async () => {
    const { products, shop } = await alliance(3);
    const db = gw.database.db;
    const { user } = await buildPromoter(db, { onboarded: true });
    const token = await gw.token(user.id, "PROMOTER");
    const add = (id: number) => gw.request(AddToShelfDocument, { input: { productId: gid(id) } }, token);
    for (const p of products) expect((await add(p.id)).data!.addToShelf.userErrors).toEqual([]);
    const again = (await add(products[0]!.id)).data!.addToShelf;
    expect(again.shelf!.map((i) => [i.position, i.product.id])).toEqual(products.map((p, i) => [i + 1, gid(p.id)]));

    const promoter = await gw.request(PromoterDocument, { id: toGlobalId("Promoter", user.id) }, token);
    expect(promoter.data!.promoter!.shelf.map((i) => [i.product.title, i.commissionRate!.percent, i.commissionPlanKind, i.stock, i.shop.id])).toEqual([
      ["item-0", "10.00", "GENERAL", 100, toGlobalId("Shop", shop.id)],
      ["item-1", "11.00", "GENERAL", 100, toGlobalId("Shop", shop.id)],
      ["item-2", "12.00", "GENERAL", 100, toGlobalId("Shop", shop.id)],
    ]);
    expect(await isOnShelf(db, user.id, products[1]!.id)).toBe(true);
    const publicView = await gw.request(PromoterDocument, { id: toGlobalId("Promoter", user.id) });
    expect(publicView.data!.promoter!.shelf.map((i) => [i.product.title, i.commissionRate, i.commissionPlanKind, i.stock])).toEqual([
      ["item-0", null, null, 100],
      ["item-1", null, null, 100],
      ["item-2", null, null, 100],
    ]);

    const outsider = await buildProduct(db, shop.id);
    expect((await add(outsider.id)).data!.addToShelf.userErrors.map((e) => e.code)).toEqual(["NOT_IN_ALLIANCE"]);

    const order = [products[2]!, products[0]!, products[1]!].map((p) => gid(p.id));
    const reordered = (await gw.request(ReorderShelfDocument, { input: { productIds: order } }, token)).data!.reorderShelf;
    expect(reordered.shelf!.map((i) => i.product.id)).toEqual(order);
    const mismatch = (await gw.request(ReorderShelfDocument, { input: { productIds: order.slice(0, 2) } }, token)).data!.reorderShelf;
    expect(mismatch.userErrors.map((e) => e.code)).toEqual(["SHELF_MISMATCH"]);
    const dup = (await gw.request(ReorderShelfDocument, { input: { productIds: [order[0]!, order[0]!, order[1]!] } }, token)).data!.reorderShelf;
    expect(dup.userErrors.map((e) => e.code)).toEqual(["SHELF_MISMATCH"]);

    const removed = (await gw.request(RemoveFromShelfDocument, { input: { productId: order[1]! } }, token)).data!.removeFromShelf;
    expect(removed.shelf!.map((i) => i.product.id)).toEqual([order[0], order[2]]);
    const gone = (await gw.request(RemoveFromShelfDocument, { input: { productId: order[1]! } }, token)).data!.removeFromShelf;
    expect(gone.userErrors.map((e) => e.code)).toEqual(["NOT_ON_SHELF"]);
  });

  it("R7: shelves belong to their promoter; others are refused and nothing changes", async () => {
    const { products, token: merchantToken } = await alliance(2);
    const db = gw.database.db;
    const owner = await buildPromoter(db, { onboarded: true });
    const other = await buildPromoter(db, { onboarded: true });
    await buildShelf(db, owner.user.id, products.map((p) => p.id));
    const otherToken = await gw.token(other.user.id, "PROMOTER");
    const buyer = await buildUser(db, "BUYER");
    const buyerToken = await gw.token(buyer.id, "BUYER");

    expect((await gw.request(AddToShelfDocument, { input: { productId: gid(products[0]!.id) } }, merchantToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gw.request(RemoveFromShelfDocument, { input: { productId: gid(products[0]!.id) } }, buyerToken)).errors?.[0]?.extensions?.code).toBe(
      "FORBIDDEN",
    );
    expect((await gw.request(RemoveFromShelfDocument, { input: { productId: gid(products[0]!.id) } })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // A promoter only ever acts on its own shelf: removing the owner's product touches nothing of the owner's.
    const notMine = (await gw.request(RemoveFromShelfDocument, { input: { productId: gid(products[0]!.id) } }, otherToken)).data!.removeFromShelf;
    expect(notMine.userErrors.map((e) => e.code)).toEqual(["NOT_ON_SHELF"]);
    const rows = await db.select().from(shelfItems).where(eq(shelfItems.promoterId, owner.user.id));
    expect(rows.map((r) => r.productId).sort()).toEqual(products.map((p) => p.id).sort());
  });

  it("concurrent adds to one shelf give distinct positions", async () => {
    const { products } = await alliance(8);
    const { user } = await buildPromoter(gw.database.db, { onboarded: true });
    const token = await gw.token(user.id, "PROMOTER");
    await Promise.all(products.map((p) => gw.request(AddToShelfDocument, { input: { productId: gid(p.id) } }, token)));
    const rows = await gw.database.db.select().from(shelfItems).where(eq(shelfItems.promoterId, user.id));
    expect(rows.map((r) => r.position).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("R7: a promoter requests a sample of a shelf product; the merchant ships or declines", async () => {
    const { products, shop, token: merchantToken } = await alliance(2);
    const db = gw.database.db;
    const { user } = await buildPromoter(db, { onboarded: true });
    const token = await gw.token(user.id, "PROMOTER");
    const request = (id: number) => gw.request(RequestSampleDocument, { input: { productId: gid(id), note: "for Friday's stream" } }, token);

    expect((await request(products[0]!.id)).data!.requestSample.userErrors.map((e) => e.code)).toEqual(["NOT_ON_SHELF"]);
    await buildShelf(db, user.id, products.map((p) => p.id));
    const made = (await request(products[0]!.id)).data!.requestSample;
    expect(made.sampleRequest).toMatchObject({ status: "PENDING", note: "for Friday's stream", shop: { id: toGlobalId("Shop", shop.id) } });
    expect((await request(products[0]!.id)).data!.requestSample.userErrors.map((e) => e.code)).toEqual(["ALREADY_REQUESTED"]);
    const second = (await request(products[1]!.id)).data!.requestSample.sampleRequest!;

    const fresh = await buildPromoter(db);
    const freshTry = await gw.request(RequestSampleDocument, { input: { productId: gid(products[0]!.id) } }, await gw.token(fresh.user.id, "PROMOTER"));
    expect(freshTry.data!.requestSample.userErrors.map((e) => e.code)).toEqual(["OWN_SHOP_MISSING", "PROMOTION_PID_MISSING", "PAYOUT_ACCOUNT_MISSING"]);

    const requestId = made.sampleRequest!.id;
    const stranger = await buildApprovedMerchant(db);
    const hijack = await gw.request(DecideSampleRequestDocument, { input: { requestId, accept: false } }, await gw.token(stranger.user.id, "MERCHANT"));
    expect(hijack.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const asPromoter = await gw.request(DecideSampleRequestDocument, { input: { requestId, accept: true, trackingNo: "SF1" } }, token);
    expect(asPromoter.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const [unchanged] = await db.select().from(sampleRequests).where(eq(sampleRequests.productId, products[0]!.id));
    expect(unchanged).toMatchObject({ status: "PENDING", trackingNo: null });

    const noTracking = (await gw.request(DecideSampleRequestDocument, { input: { requestId, accept: true } }, merchantToken)).data!.decideSampleRequest;
    expect(noTracking.userErrors.map((e) => e.code)).toEqual(["TRACKING_NO_REQUIRED"]);
    const shipped = (await gw.request(DecideSampleRequestDocument, { input: { requestId, accept: true, trackingNo: "SF1234567890" } }, merchantToken)).data!
      .decideSampleRequest;
    expect(shipped.sampleRequest).toMatchObject({ status: "ACCEPTED", trackingNo: "SF1234567890" });
    const twice = (await gw.request(DecideSampleRequestDocument, { input: { requestId, accept: false } }, merchantToken)).data!.decideSampleRequest;
    expect(twice.userErrors.map((e) => e.code)).toEqual(["ALREADY_DECIDED"]);
    const declined = (await gw.request(DecideSampleRequestDocument, { input: { requestId: second.id, accept: false } }, merchantToken)).data!
      .decideSampleRequest;
    expect(declined.sampleRequest!.status).toBe("DECLINED");

    const mine = await gw.request(SampleRequestsDocument, {}, token);
    expect(mine.data!.sampleRequests.edges.map((e) => e.node.status)).toEqual(["DECLINED", "ACCEPTED"]);
    const theirs = await gw.request(SampleRequestsDocument, { status: "ACCEPTED" }, merchantToken);
    expect(theirs.data!.sampleRequests.edges.map((e) => e.node.id)).toEqual([requestId]);
  });
});

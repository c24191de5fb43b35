import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commissionPlans, commissionRateFloors } from "../../../src/db/schema/index.js";
import { resolveCommissionRates } from "../../../src/modules/alliance/index.js";
import { ManualClock } from "../../../src/shared/clock.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildApprovedMerchant, buildPlan, buildPromoter } from "../../support/alliance-builders.js";
import { buildProduct } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  CloseCommissionPlanDocument,
  CreateCommissionPlanDocument,
  PublishToAllianceDocument,
  SelectionCenterDocument,
  UpdateCommissionPlanPromotersDocument,
  UpdateCommissionRateDocument,
} from "../../support/generated/graphql.js";

/** A time of day in China (UTC+8) on 10 March 2026, or on `day`. */
const at = (chinaTime: string, day = "2026-03-10") => new Date(`${day}T${chinaTime}+08:00`);
const MIDNIGHT = at("00:00:00.000", "2026-03-11");
const JUST_BEFORE_MIDNIGHT = at("23:59:59.999");
const NEXT_MIDNIGHT = at("00:00:00.000", "2026-03-12");
const EARLIER = at("09:00");

/**
 * R4 by every route that changes the rate a promoter resolves: a new targeted plan, a plan closed, a promoter
 * added to or removed from a plan, a rate changed. Lowering waits for 00:00 China time and is refused from 23:50;
 * raising applies at once. Each route at 23:49, 23:50 and midnight, with the injected clock.
 */
describe.each(BACKENDS)("commission decreases by every route on %s", (backend) => {
  let gw: TestGateway;
  const clock = new ManualClock(EARLIER);
  beforeAll(async () => {
    gw = await startTestGateway(backend, { clock });
  });
  afterAll(() => gw?.stop());

  /** An approved shop with products in the alliance library (GENERAL plans at the given rates, in basis points) and a promoter. */
  async function setup(generalBps: number[]) {
    const db = gw.database.db;
    const merchant = await buildApprovedMerchant(db);
    const products: Awaited<ReturnType<typeof buildProduct>>[] = [];
    const generals: Awaited<ReturnType<typeof buildPlan>>[] = [];
    for (const bps of generalBps) {
      const product = await buildProduct(db, merchant.shop.id, { category: `test/decreases-${merchant.shop.id}` });
      products.push(product);
      generals.push(await buildPlan(db, { shopId: merchant.shop.id, productId: product.id, kind: "GENERAL", rateBps: bps }, EARLIER));
    }
    const promoter = (await buildPromoter(db)).user;
    return {
      merchant,
      products,
      generals,
      promoter,
      token: await gw.token(merchant.user.id, "MERCHANT"),
      gid: (i = 0) => toGlobalId("Product", products[i]!.id),
      promoterGid: toGlobalId("Promoter", promoter.id),
    };
  }
  type Setup = Awaited<ReturnType<typeof setup>>;

  /** What the promoter resolves for each product at `when` (the function orders freeze their rate with), as "bps/KIND". */
  async function rates(s: Setup, when: Date, promoterId = s.promoter.id) {
    const resolved = await resolveCommissionRates(gw.database.db, promoterId, s.products.map((p) => p.id), when);
    return s.products.map((p) => {
      const r = resolved.get(p.id);
      return r ? `${r.rateBps}/${r.plan}` : "none";
    });
  }
  const plansOf = (s: Setup) => gw.database.db.select().from(commissionPlans).where(eq(commissionPlans.shopId, s.merchant.shop.id));
  const floorsOf = (s: Setup) => gw.database.db.select().from(commissionRateFloors).where(inArray(commissionRateFloors.productId, s.products.map((p) => p.id)));

  const createTargeted = (s: Setup, input: { kind: "PRODUCT_TARGETED" | "SHOP_TARGETED"; ratePercent: string; promoterIds?: string[]; product?: number }) =>
    gw.request(
      CreateCommissionPlanDocument,
      {
        input: {
          kind: input.kind,
          ratePercent: input.ratePercent,
          promoterIds: input.promoterIds ?? [s.promoterGid],
          ...(input.kind === "PRODUCT_TARGETED" ? { productId: s.gid(input.product ?? 0) } : { shopId: toGlobalId("Shop", s.merchant.shop.id) }),
        },
      },
      s.token,
    );
  const close = (s: Setup, planId: number) => gw.request(CloseCommissionPlanDocument, { input: { planId: toGlobalId("CommissionPlan", planId) } }, s.token);
  const editPromoters = (s: Setup, planId: number, change: { add?: number[]; remove?: number[] }) =>
    gw.request(
      UpdateCommissionPlanPromotersDocument,
      {
        input: {
          planId: toGlobalId("CommissionPlan", planId),
          addPromoterIds: (change.add ?? []).map((id) => toGlobalId("Promoter", id)),
          removePromoterIds: (change.remove ?? []).map((id) => toGlobalId("Promoter", id)),
        },
      },
      s.token,
    );

  it("a new PRODUCT_TARGETED plan at a lower rate: at 23:49 it waits for midnight, at 23:50 it is refused, at 00:00 it waits a day", async () => {
    const s = await setup([2_000]);
    clock.set(at("23:50"));
    const refused = (await createTargeted(s, { kind: "PRODUCT_TARGETED", ratePercent: "10" })).data!.createCommissionPlan;
    expect(refused.plan).toBeNull();
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: "DECREASE_WINDOW_CLOSED", field: ["ratePercent"] })]);
    expect((await plansOf(s)).map((p) => p.kind)).toEqual(["GENERAL"]);
    expect(await floorsOf(s)).toEqual([]);

    clock.set(at("23:49"));
    const created = (await createTargeted(s, { kind: "PRODUCT_TARGETED", ratePercent: "10" })).data!.createCommissionPlan;
    expect(created.userErrors).toEqual([]);
    expect(created.plan).toMatchObject({ kind: "PRODUCT_TARGETED", currentRate: { basisPoints: 1_000 } });
    expect(await rates(s, at("23:49"))).toEqual(["2000/GENERAL"]);
    expect(await rates(s, JUST_BEFORE_MIDNIGHT)).toEqual(["2000/GENERAL"]);
    expect(await rates(s, MIDNIGHT)).toEqual(["1000/PRODUCT_TARGETED"]);

    // the selection center shows the promoter the rate it keeps until midnight
    clock.set(at("23:49"));
    const promoterToken = await gw.token(s.promoter.id, "PROMOTER");
    const seen = await gw.request(SelectionCenterDocument, { first: 5, filter: { category: s.products[0]!.category } }, promoterToken);
    expect(seen.data!.selectionCenter.edges.map((e) => [e.node.commissionRate.basisPoints, e.node.commissionPlanKind])).toEqual([[2_000, "GENERAL"]]);
    clock.set(MIDNIGHT);
    const later = await gw.request(SelectionCenterDocument, { first: 5, filter: { category: s.products[0]!.category } }, promoterToken);
    expect(later.data!.selectionCenter.edges.map((e) => [e.node.commissionRate.basisPoints, e.node.commissionPlanKind])).toEqual([[1_000, "PRODUCT_TARGETED"]]);

    // made at midnight itself: accepted, in force at the next midnight
    const s2 = await setup([2_000]);
    clock.set(MIDNIGHT);
    expect((await createTargeted(s2, { kind: "PRODUCT_TARGETED", ratePercent: "10" })).data!.createCommissionPlan.userErrors).toEqual([]);
    expect(await rates(s2, MIDNIGHT)).toEqual(["2000/GENERAL"]);
    expect(await rates(s2, new Date(NEXT_MIDNIGHT.getTime() - 1))).toEqual(["2000/GENERAL"]);
    expect(await rates(s2, NEXT_MIDNIGHT)).toEqual(["1000/PRODUCT_TARGETED"]);
  });

  it("a targeted plan at a higher rate applies at once, even at 23:55", async () => {
    const s = await setup([2_000]);
    clock.set(at("23:55"));
    expect((await createTargeted(s, { kind: "PRODUCT_TARGETED", ratePercent: "30" })).data!.createCommissionPlan.userErrors).toEqual([]);
    expect(await rates(s, at("23:55"))).toEqual(["3000/PRODUCT_TARGETED"]);
    expect(await floorsOf(s)).toEqual([]);
  });

  it("a SHOP_TARGETED plan that raises one product and lowers another: the rise at once, the fall at midnight; refused whole from 23:50", async () => {
    const s = await setup([1_000, 3_000]);
    clock.set(at("23:50"));
    const refused = (await createTargeted(s, { kind: "SHOP_TARGETED", ratePercent: "15" })).data!.createCommissionPlan;
    expect(refused.userErrors.map((e) => e.code)).toEqual(["DECREASE_WINDOW_CLOSED"]);
    expect(await rates(s, at("23:50"))).toEqual(["1000/GENERAL", "3000/GENERAL"]);

    clock.set(at("23:49"));
    expect((await createTargeted(s, { kind: "SHOP_TARGETED", ratePercent: "15" })).data!.createCommissionPlan.userErrors).toEqual([]);
    expect(await rates(s, at("23:49"))).toEqual(["1500/SHOP_TARGETED", "3000/GENERAL"]);
    expect(await rates(s, JUST_BEFORE_MIDNIGHT)).toEqual(["1500/SHOP_TARGETED", "3000/GENERAL"]);
    expect(await rates(s, MIDNIGHT)).toEqual(["1500/SHOP_TARGETED", "1500/SHOP_TARGETED"]);
    // another promoter, not named by the plan, is untouched
    const other = (await buildPromoter(gw.database.db)).user;
    expect(await rates(s, at("23:49"), other.id)).toEqual(["1000/GENERAL", "3000/GENERAL"]);
  });

  it("closing a targeted plan that paid more: at 23:49 the promoter keeps its rate until midnight, at 23:50 refused; closing one that paid less raises at once", async () => {
    const s = await setup([2_000]);
    const high = await buildPlan(gw.database.db, { shopId: s.merchant.shop.id, productId: s.products[0]!.id, kind: "PRODUCT_TARGETED", rateBps: 3_000, promoterIds: [s.promoter.id] }, EARLIER);
    clock.set(at("23:50"));
    const refused = (await close(s, high.id)).data!.closeCommissionPlan;
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: "DECREASE_WINDOW_CLOSED", field: ["planId"] })]);
    expect((await plansOf(s)).find((p) => p.id === high.id)!.closesAt).toBeNull();

    clock.set(at("23:49"));
    const closed = (await close(s, high.id)).data!.closeCommissionPlan;
    expect(closed.userErrors).toEqual([]);
    expect(closed.plan).toMatchObject({ open: false, closesAt: at("23:49").toISOString() });
    expect(await rates(s, at("23:49"))).toEqual(["3000/PRODUCT_TARGETED"]);
    expect(await rates(s, JUST_BEFORE_MIDNIGHT)).toEqual(["3000/PRODUCT_TARGETED"]);
    expect(await rates(s, MIDNIGHT)).toEqual(["2000/GENERAL"]);
    expect((await close(s, high.id)).data!.closeCommissionPlan.userErrors.map((e) => e.code)).toEqual(["PLAN_CLOSED"]);
    const rate = await gw.request(UpdateCommissionRateDocument, { input: { planId: toGlobalId("CommissionPlan", high.id), ratePercent: "40" } }, s.token);
    expect(rate.data!.updateCommissionRate.userErrors.map((e) => e.code)).toEqual(["PLAN_CLOSED"]);

    const t = await setup([2_000]);
    const low = await buildPlan(gw.database.db, { shopId: t.merchant.shop.id, productId: t.products[0]!.id, kind: "PRODUCT_TARGETED", rateBps: 500, promoterIds: [t.promoter.id] }, EARLIER);
    clock.set(at("23:55"));
    expect((await close(t, low.id)).data!.closeCommissionPlan.userErrors).toEqual([]);
    expect(await rates(t, at("23:55"))).toEqual(["2000/GENERAL"]);
  });

  it("closing a GENERAL plan takes the product out of the alliance library at midnight; refused from 23:50; published again only once closed", async () => {
    const s = await setup([2_000]);
    clock.set(at("23:50"));
    expect((await close(s, s.generals[0]!.id)).data!.closeCommissionPlan.userErrors.map((e) => e.code)).toEqual(["DECREASE_WINDOW_CLOSED"]);
    clock.set(at("23:49"));
    const closing = (await close(s, s.generals[0]!.id)).data!.closeCommissionPlan;
    expect(closing.userErrors).toEqual([]);
    expect(closing.plan).toMatchObject({ open: true, closesAt: MIDNIGHT.toISOString() });
    expect(await rates(s, JUST_BEFORE_MIDNIGHT)).toEqual(["2000/GENERAL"]);
    expect(await rates(s, MIDNIGHT)).toEqual(["none"]);
    const early = await gw.request(PublishToAllianceDocument, { input: { productId: s.gid(), ratePercent: "25" } }, s.token);
    expect(early.data!.publishToAlliance.userErrors.map((e) => e.code)).toEqual(["ALREADY_PUBLISHED"]);
    clock.set(MIDNIGHT);
    const again = await gw.request(PublishToAllianceDocument, { input: { productId: s.gid(), ratePercent: "25" } }, s.token);
    expect(again.data!.publishToAlliance.userErrors).toEqual([]);
    expect(await rates(s, MIDNIGHT)).toEqual(["2500/GENERAL"]);
  });

  it("removing a promoter from a plan that paid it more: kept until midnight at 23:49, refused at 23:50; adding one to a lower plan waits likewise; adding to a higher plan is immediate", async () => {
    const s = await setup([2_000]);
    const db = gw.database.db;
    const second = (await buildPromoter(db)).user;
    const high = await buildPlan(db, { shopId: s.merchant.shop.id, productId: s.products[0]!.id, kind: "PRODUCT_TARGETED", rateBps: 3_000, promoterIds: [s.promoter.id, second.id] }, EARLIER);
    clock.set(at("23:50"));
    const refused = (await editPromoters(s, high.id, { remove: [s.promoter.id] })).data!.updateCommissionPlanPromoters;
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: "DECREASE_WINDOW_CLOSED", field: ["removePromoterIds"] })]);
    clock.set(at("23:49"));
    const removed = (await editPromoters(s, high.id, { remove: [s.promoter.id] })).data!.updateCommissionPlanPromoters;
    expect(removed.userErrors).toEqual([]);
    expect(removed.plan!.promoters.map((p) => p.id)).toEqual([toGlobalId("Promoter", second.id)]);
    expect(await rates(s, JUST_BEFORE_MIDNIGHT)).toEqual(["3000/PRODUCT_TARGETED"]);
    expect(await rates(s, MIDNIGHT)).toEqual(["2000/GENERAL"]);
    expect(await rates(s, MIDNIGHT, second.id)).toEqual(["3000/PRODUCT_TARGETED"]);

    const third = (await buildPromoter(db)).user;
    const low = await buildPlan(db, { shopId: s.merchant.shop.id, productId: s.products[0]!.id, kind: "PRODUCT_TARGETED", rateBps: 1_000, promoterIds: [second.id] }, EARLIER);
    clock.set(at("23:55"));
    const addLow = (await editPromoters(s, low.id, { add: [third.id] })).data!.updateCommissionPlanPromoters;
    expect(addLow.userErrors).toEqual([expect.objectContaining({ code: "DECREASE_WINDOW_CLOSED", field: ["addPromoterIds"] })]);
    expect(await rates(s, at("23:55"), third.id)).toEqual(["2000/GENERAL"]);
    const addHigh = (await editPromoters(s, high.id, { add: [third.id] })).data!.updateCommissionPlanPromoters;
    expect(addHigh.userErrors).toEqual([]);
    expect(await rates(s, at("23:55"), third.id)).toEqual(["3000/PRODUCT_TARGETED"]);

    clock.set(at("23:49"));
    const fourth = (await buildPromoter(db)).user;
    expect((await editPromoters(s, low.id, { add: [fourth.id] })).data!.updateCommissionPlanPromoters.userErrors).toEqual([]);
    expect(await rates(s, JUST_BEFORE_MIDNIGHT, fourth.id)).toEqual(["2000/GENERAL"]);
    expect(await rates(s, MIDNIGHT, fourth.id)).toEqual(["1000/PRODUCT_TARGETED"]);
  });

  it("concurrent changes of one shop serialise: two plans paying 30% closed at once at 23:49 still leave the promoter 30% until midnight (30 rounds)", async () => {
    clock.set(at("23:49"));
    for (let round = 0; round < 30; round++) {
      const s = await setup([2_000]);
      const [a, b] = [3_000, 3_000].map(() =>
        buildPlan(gw.database.db, { shopId: s.merchant.shop.id, productId: s.products[0]!.id, kind: "PRODUCT_TARGETED", rateBps: 3_000, promoterIds: [s.promoter.id] }, EARLIER),
      );
      const plans = await Promise.all([a!, b!]);
      const closed = await Promise.all(plans.map((p) => close(s, p.id)));
      expect(closed.map((c) => c.data!.closeCommissionPlan.userErrors)).toEqual([[], []]);
      // each close alone lowers nothing (the other plan still pays 30%); together they do, so one must see the other
      expect(await rates(s, at("23:49"))).toEqual([expect.stringMatching(/^3000\//)]);
      expect(await rates(s, MIDNIGHT)).toEqual(["2000/GENERAL"]);
    }
  }, 120_000);

  it("refuses edits that make no sense: GENERAL plans, promoters not on the plan, unknown promoters, emptying a plan; other merchants are forbidden", async () => {
    const s = await setup([2_000]);
    clock.set(EARLIER);
    const plan = await buildPlan(gw.database.db, { shopId: s.merchant.shop.id, productId: s.products[0]!.id, kind: "PRODUCT_TARGETED", rateBps: 3_000, promoterIds: [s.promoter.id] }, EARLIER);
    const stranger = (await buildPromoter(gw.database.db)).user;
    expect((await editPromoters(s, s.generals[0]!.id, { add: [stranger.id] })).data!.updateCommissionPlanPromoters.userErrors.map((e) => e.code)).toEqual(["NOT_TARGETED"]);
    expect((await editPromoters(s, plan.id, { remove: [stranger.id] })).data!.updateCommissionPlanPromoters.userErrors.map((e) => e.code)).toEqual(["NOT_ON_PLAN"]);
    expect((await editPromoters(s, plan.id, { add: [s.merchant.user.id] })).data!.updateCommissionPlanPromoters.userErrors.map((e) => e.code)).toEqual(["UNKNOWN_PROMOTER"]);
    expect((await editPromoters(s, plan.id, { remove: [s.promoter.id] })).data!.updateCommissionPlanPromoters.userErrors.map((e) => e.code)).toEqual(["PROMOTERS_REQUIRED"]);
    const other = await buildApprovedMerchant(gw.database.db);
    const foreign = await gw.request(CloseCommissionPlanDocument, { input: { planId: toGlobalId("CommissionPlan", plan.id) } }, await gw.token(other.user.id, "MERCHANT"));
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await plansOf(s)).find((p) => p.id === plan.id)!.closesAt).toBeNull();
  });
});

import { randomUUID } from "node:crypto";
import { asc, eq, or } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "../../../../src/db/client.js";
import {
  commissionPlanPromoters,
  commissionPlans,
  distributionApplications,
  promoterProfiles,
  sampleRequests,
  shelfItems,
} from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildApprovedMerchant, buildDsr, buildPlan, buildPromoter, buildShelf } from "../../../support/alliance-builders.js";
import { buildMerchant, buildOrder, buildProduct, buildUser } from "../../../support/builders.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";

const DAY = 24 * 3_600_000;

/** Only the shop's own merchant changes its distribution, plans and sample decisions; admins included, nobody else. */
const shopOwnerOnly = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed" });
/** Reviews are the platform's: any admin. */
const adminOnly = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" });
/** A promoter acts on its own profile: any promoter may, on itself. */
const anyPromoterOnItself = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", PROMOTER: "allowed" });
/** A promoter acts on its own shelf; another (fresh, not onboarded, empty shelf) promoter is refused by the rules, not by role. */
const promoterOwnShelf = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", PROMOTER: "userErrors" });
/** Read by the shop's merchant, admins and analysts. */
const shopReaders = outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed", ANALYST: "allowed" });

const applicationOf = (db: Db, id: number) => () => db.select().from(distributionApplications).where(eq(distributionApplications.id, id));
const shelfWith = (db: Db, productId: number) => () =>
  db.select().from(shelfItems).where(eq(shelfItems.productId, productId)).orderBy(asc(shelfItems.promoterId));

async function buildApplication(db: Db, status: "PENDING_REVIEW" | "AWAITING_INSPECTION") {
  const merchant = await buildMerchant(db);
  const at = new Date();
  const [row] = await db
    .insert(distributionApplications)
    .values({
      shopId: merchant.shop.id,
      applicantId: merchant.user.id,
      status,
      checks: [],
      submittedAt: at,
      factoryInspectionRequired: status === "AWAITING_INSPECTION",
      updatedAt: at,
    })
    .returning();
  return { ...merchant, application: row! };
}

/** An approved merchant's product in the alliance library, on the shelf of an onboarded promoter. */
async function buildShelvedProduct(db: Db) {
  const merchant = await buildApprovedMerchant(db);
  const product = await buildProduct(db, merchant.shop.id);
  await buildPlan(db, { shopId: merchant.shop.id, productId: product.id, kind: "GENERAL", rateBps: 1_000 });
  const promoter = await buildPromoter(db, { onboarded: true });
  await buildShelf(db, promoter.user.id, [product.id]);
  return { merchant, product, promoter: promoter.user };
}

export const allianceRows: MatrixRow[] = [
  {
    covers: "Mutation.applyForDistribution",
    document: `mutation MatrixApplyForDistribution($input: ApplyForDistributionInput!) { applyForDistribution(input: $input) { application { status } userErrors { code } } }`,
    async setup(db) {
      // Meets every R1 rule, so the owner's application really passes the check.
      const { user, shop } = await buildMerchant(db, { creditScore: 90 });
      const buyer = await buildUser(db, "BUYER");
      const product = await buildProduct(db, shop.id);
      const now = Date.now();
      await buildOrder(db, { buyerId: buyer.id, shopId: shop.id, productId: product.id, totalFen: 10_000, status: "RECEIVED", createdAt: new Date(now - 29 * DAY) });
      await buildDsr(db, shop.id, 7, 3, new Date(now - 89 * DAY));
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { shopId: toGlobalId("Shop", shop.id) } },
        snapshot: () => db.select().from(distributionApplications).where(eq(distributionApplications.shopId, shop.id)),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.applyForDistribution.application.status).toBe("PENDING_REVIEW"),
  },
  {
    covers: "Mutation.reviewDistributionApplication",
    document: `mutation MatrixReviewDistributionApplication($input: ReviewDistributionApplicationInput!) { reviewDistributionApplication(input: $input) { application { status } userErrors { code } } }`,
    async setup(db) {
      // The shop's own merchant is the MERCHANT column's kind of viewer: it may not approve itself.
      const { application } = await buildApplication(db, "PENDING_REVIEW");
      const admin = await buildUser(db, "ADMIN");
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { applicationId: toGlobalId("DistributionApplication", application.id), decision: "APPROVE" } },
        snapshot: applicationOf(db, application.id),
      };
    },
    expect: adminOnly,
    allowed: (data) => expect(data.reviewDistributionApplication.application.status).toBe("APPROVED"),
  },
  {
    covers: "Mutation.recordFactoryInspection",
    document: `mutation MatrixRecordFactoryInspection($input: RecordFactoryInspectionInput!) { recordFactoryInspection(input: $input) { application { status } userErrors { code } } }`,
    async setup(db) {
      const { application } = await buildApplication(db, "AWAITING_INSPECTION");
      const admin = await buildUser(db, "ADMIN");
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { applicationId: toGlobalId("DistributionApplication", application.id), passed: true, report: "Factory visited; passed." } },
        snapshot: applicationOf(db, application.id),
      };
    },
    expect: adminOnly,
    allowed: (data) => expect(data.recordFactoryInspection.application.status).toBe("APPROVED"),
  },
  {
    covers: "Mutation.publishToAlliance",
    document: `mutation MatrixPublishToAlliance($input: PublishToAllianceInput!) { publishToAlliance(input: $input) { plan { kind } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildApprovedMerchant(db);
      const product = await buildProduct(db, shop.id);
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { productId: toGlobalId("Product", product.id), ratePercent: "12.5" } },
        snapshot: () => db.select().from(commissionPlans).where(eq(commissionPlans.productId, product.id)),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.publishToAlliance.plan.kind).toBe("GENERAL"),
  },
  {
    covers: "Mutation.createCommissionPlan",
    document: `mutation MatrixCreateCommissionPlan($input: CreateCommissionPlanInput!) { createCommissionPlan(input: $input) { plan { kind } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildApprovedMerchant(db);
      const promoter = await buildPromoter(db);
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: {
          input: { kind: "SHOP_TARGETED", shopId: toGlobalId("Shop", shop.id), promoterIds: [toGlobalId("Promoter", promoter.user.id)], ratePercent: "20" },
        },
        snapshot: async () => ({
          plans: await db.select().from(commissionPlans).where(eq(commissionPlans.shopId, shop.id)),
          links: await db.select().from(commissionPlanPromoters).where(eq(commissionPlanPromoters.promoterId, promoter.user.id)),
        }),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.createCommissionPlan.plan.kind).toBe("SHOP_TARGETED"),
  },
  {
    covers: "Mutation.updateCommissionRate",
    document: `mutation MatrixUpdateCommissionRate($input: UpdateCommissionRateInput!) { updateCommissionRate(input: $input) { plan { currentRate { basisPoints } } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildApprovedMerchant(db);
      const product = await buildProduct(db, shop.id);
      const plan = await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 1_000 });
      // An increase applies at once at any time of day; a decrease would depend on the clock (R4).
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { planId: toGlobalId("CommissionPlan", plan.id), ratePercent: "15" } },
        snapshot: () => db.select().from(commissionPlans).where(eq(commissionPlans.id, plan.id)),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.updateCommissionRate.plan.currentRate.basisPoints).toBe(1_500),
  },
  {
    covers: "Mutation.closeCommissionPlan",
    document: `mutation MatrixCloseCommissionPlan($input: CloseCommissionPlanInput!) { closeCommissionPlan(input: $input) { plan { open } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildApprovedMerchant(db);
      const product = await buildProduct(db, shop.id);
      const promoter = (await buildPromoter(db)).user;
      await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 2_000 });
      // A targeted plan paying less than GENERAL: closing it raises the rate, so it applies at any time of day (R4).
      const plan = await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "PRODUCT_TARGETED", rateBps: 500, promoterIds: [promoter.id] });
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { planId: toGlobalId("CommissionPlan", plan.id) } },
        snapshot: () => db.select().from(commissionPlans).where(eq(commissionPlans.id, plan.id)),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.closeCommissionPlan.plan.open).toBe(false),
  },
  {
    covers: "Mutation.updateCommissionPlanPromoters",
    document: `mutation MatrixUpdateCommissionPlanPromoters($input: UpdateCommissionPlanPromotersInput!) { updateCommissionPlanPromoters(input: $input) { plan { promoters { id } } userErrors { code } } }`,
    async setup(db) {
      const { user, shop } = await buildApprovedMerchant(db);
      const product = await buildProduct(db, shop.id);
      const [first, added] = [(await buildPromoter(db)).user, (await buildPromoter(db)).user];
      await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 1_000 });
      // Adding a promoter to a plan paying more than GENERAL raises its rate: it applies at any time of day (R4).
      const plan = await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "PRODUCT_TARGETED", rateBps: 3_000, promoterIds: [first.id] });
      return {
        owner: { id: user.id, role: "MERCHANT" },
        variables: { input: { planId: toGlobalId("CommissionPlan", plan.id), addPromoterIds: [toGlobalId("Promoter", added.id)] } },
        snapshot: () => db.select().from(commissionPlanPromoters).where(eq(commissionPlanPromoters.planId, plan.id)).orderBy(commissionPlanPromoters.promoterId),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.updateCommissionPlanPromoters.plan.promoters).toHaveLength(2),
  },
  {
    covers: "Mutation.bindPromotionPid",
    document: `mutation MatrixBindPromotionPid($input: BindPromotionPidInput!) { bindPromotionPid(input: $input) { promoter { onboarding { promotionPid } } userErrors { code } } }`,
    async setup(db) {
      const { user } = await buildPromoter(db);
      const pid = `pid_${randomUUID().slice(0, 12)}`;
      return {
        owner: { id: user.id, role: "PROMOTER" },
        variables: { input: { pid } },
        snapshot: () =>
          db
            .select()
            .from(promoterProfiles)
            .where(or(eq(promoterProfiles.userId, user.id), eq(promoterProfiles.promotionPid, pid))),
      };
    },
    expect: anyPromoterOnItself,
    allowed: (data, f) => expect(data.bindPromotionPid.promoter.onboarding.promotionPid).toBe((f.variables.input as { pid: string }).pid),
  },
  {
    covers: "Mutation.signPayoutAccount",
    document: `mutation MatrixSignPayoutAccount($input: SignPayoutAccountInput!) { signPayoutAccount(input: $input) { promoter { onboarding { payoutAccountTail } } userErrors { code } } }`,
    async setup(db) {
      const { user } = await buildPromoter(db);
      const accountName = `holder-${randomUUID().slice(0, 8)}`;
      return {
        owner: { id: user.id, role: "PROMOTER" },
        variables: { input: { channel: "ALIPAY", accountName, accountNo: "6222000011112222" } },
        snapshot: () =>
          db
            .select()
            .from(promoterProfiles)
            .where(or(eq(promoterProfiles.userId, user.id), eq(promoterProfiles.payoutAccountName, accountName))),
      };
    },
    expect: anyPromoterOnItself,
    allowed: (data) => expect(data.signPayoutAccount.promoter.onboarding.payoutAccountTail).toBe("2222"),
  },
  {
    covers: "Mutation.addToShelf",
    document: `mutation MatrixAddToShelf($input: AddToShelfInput!) { addToShelf(input: $input) { shelf { product { id } } userErrors { code } } }`,
    async setup(db) {
      const { shop } = await buildApprovedMerchant(db);
      const product = await buildProduct(db, shop.id);
      await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 1_000 });
      const promoter = await buildPromoter(db, { onboarded: true });
      return {
        owner: { id: promoter.user.id, role: "PROMOTER" },
        variables: { input: { productId: toGlobalId("Product", product.id) } },
        snapshot: shelfWith(db, product.id),
      };
    },
    expect: promoterOwnShelf,
    allowed: (data, f) => expect(data.addToShelf.shelf).toEqual([{ product: { id: (f.variables.input as { productId: string }).productId } }]),
  },
  {
    covers: "Mutation.removeFromShelf",
    document: `mutation MatrixRemoveFromShelf($input: RemoveFromShelfInput!) { removeFromShelf(input: $input) { shelf { product { id } } userErrors { code } } }`,
    async setup(db) {
      const { product, promoter } = await buildShelvedProduct(db);
      return {
        owner: { id: promoter.id, role: "PROMOTER" },
        variables: { input: { productId: toGlobalId("Product", product.id) } },
        snapshot: shelfWith(db, product.id),
      };
    },
    expect: promoterOwnShelf,
    allowed: (data) => expect(data.removeFromShelf.shelf).toEqual([]),
  },
  {
    covers: "Mutation.reorderShelf",
    document: `mutation MatrixReorderShelf($input: ReorderShelfInput!) { reorderShelf(input: $input) { shelf { product { id } } userErrors { code } } }`,
    async setup(db) {
      const { shop } = await buildApprovedMerchant(db);
      const first = await buildProduct(db, shop.id);
      const second = await buildProduct(db, shop.id);
      const { user } = await buildPromoter(db, { onboarded: true });
      await buildShelf(db, user.id, [first.id, second.id]);
      return {
        owner: { id: user.id, role: "PROMOTER" },
        variables: { input: { productIds: [toGlobalId("Product", second.id), toGlobalId("Product", first.id)] } },
        snapshot: () => db.select().from(shelfItems).where(eq(shelfItems.promoterId, user.id)).orderBy(asc(shelfItems.productId)),
      };
    },
    expect: promoterOwnShelf,
    allowed: (data, f) =>
      expect(data.reorderShelf.shelf.map((i: { product: { id: string } }) => i.product.id)).toEqual((f.variables.input as { productIds: string[] }).productIds),
  },
  {
    covers: "Mutation.requestSample",
    document: `mutation MatrixRequestSample($input: RequestSampleInput!) { requestSample(input: $input) { sampleRequest { status } userErrors { code } } }`,
    async setup(db) {
      const { product, promoter } = await buildShelvedProduct(db);
      return {
        owner: { id: promoter.id, role: "PROMOTER" },
        variables: { input: { productId: toGlobalId("Product", product.id), note: "For a live session next week." } },
        snapshot: () => db.select().from(sampleRequests).where(eq(sampleRequests.productId, product.id)),
      };
    },
    expect: promoterOwnShelf,
    allowed: (data) => expect(data.requestSample.sampleRequest.status).toBe("PENDING"),
  },
  {
    covers: "Mutation.decideSampleRequest",
    document: `mutation MatrixDecideSampleRequest($input: DecideSampleRequestInput!) { decideSampleRequest(input: $input) { sampleRequest { status } userErrors { code } } }`,
    async setup(db) {
      const { merchant, product, promoter } = await buildShelvedProduct(db);
      const [request] = await db
        .insert(sampleRequests)
        .values({ promoterId: promoter.id, productId: product.id, shopId: merchant.shop.id, requestedAt: new Date() })
        .returning();
      return {
        owner: { id: merchant.user.id, role: "MERCHANT" },
        variables: { input: { requestId: toGlobalId("SampleRequest", request!.id), accept: true, trackingNo: "SF1234567890" } },
        snapshot: () => db.select().from(sampleRequests).where(eq(sampleRequests.id, request!.id)),
      };
    },
    expect: shopOwnerOnly,
    allowed: (data) => expect(data.decideSampleRequest.sampleRequest.status).toBe("ACCEPTED"),
  },
  {
    // A promoter's public face (its name) is what merchants pick for targeted plans.
    covers: "Node:Promoter",
    document: NODE_QUERY,
    async setup(db) {
      const { user } = await buildPromoter(db, { onboarded: true });
      return { owner: { id: user.id, role: "PROMOTER" }, variables: { id: toGlobalId("Promoter", user.id) } };
    },
    expect: outcomes("allowed"),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "Promoter", id: f.variables.id }),
  },
  {
    covers: "Node:DistributionApplication",
    document: NODE_QUERY,
    async setup(db) {
      const { user, application } = await buildApplication(db, "PENDING_REVIEW");
      return { owner: { id: user.id, role: "MERCHANT" }, variables: { id: toGlobalId("DistributionApplication", application.id) } };
    },
    expect: shopReaders,
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "DistributionApplication", id: f.variables.id }),
  },
  {
    covers: "Node:CommissionPlan",
    document: NODE_QUERY,
    async setup(db) {
      const { user, shop } = await buildApprovedMerchant(db);
      const product = await buildProduct(db, shop.id);
      const plan = await buildPlan(db, { shopId: shop.id, productId: product.id, kind: "GENERAL", rateBps: 1_000 });
      return { owner: { id: user.id, role: "MERCHANT" }, variables: { id: toGlobalId("CommissionPlan", plan.id) } };
    },
    expect: shopReaders,
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "CommissionPlan", id: f.variables.id }),
  },
  {
    // Owner: the promoter that asked. The shop's merchant reads it too; a fresh merchant or promoter does not.
    covers: "Node:SampleRequest",
    document: NODE_QUERY,
    async setup(db) {
      const { merchant, product, promoter } = await buildShelvedProduct(db);
      const [request] = await db
        .insert(sampleRequests)
        .values({ promoterId: promoter.id, productId: product.id, shopId: merchant.shop.id, requestedAt: new Date() })
        .returning();
      return { owner: { id: promoter.id, role: "PROMOTER" }, variables: { id: toGlobalId("SampleRequest", request!.id) } };
    },
    expect: shopReaders,
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "SampleRequest", id: f.variables.id }),
  },
];

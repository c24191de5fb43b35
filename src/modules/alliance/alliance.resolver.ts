import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { badInput, notFound } from "../../shared/errors.js";
import { idOf, parseGlobalId } from "../../shared/ids.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { PageArgs } from "../../shared/pagination.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { type CatalogService, Product, Shop } from "../catalog/index.js";
import {
  AddToShelfInput,
  ApplyForDistributionInput,
  BindPromotionPidInput,
  CreateCommissionPlanInput,
  DecideSampleRequestInput,
  PublishToAllianceInput,
  RecordFactoryInspectionInput,
  RemoveFromShelfInput,
  ReorderShelfInput,
  RequestSampleInput,
  ReviewDistributionApplicationInput,
  SelectionFilter,
  SelectionOrder,
  SignPayoutAccountInput,
  UpdateCommissionRateInput,
  CloseCommissionPlanInput,
  UpdateCommissionPlanPromotersInput,
} from "./alliance.inputs.js";
import {
  CommissionPlanErrorCode,
  DistributionErrorCode,
  PromoterErrorCode,
  SampleRequestErrorCode,
  type CommissionPlanUserError,
  type DistributionUserError,
  type PromoterUserError,
  type SampleRequestUserError,
} from "./alliance.rules.js";
import {
  CommissionPlan,
  DistributionApplication,
  DistributionApplicationConnection,
  DistributionApplicationStatus,
  Promoter,
  PromoterOnboarding,
  SampleRequest,
  SampleRequestConnection,
  SampleRequestStatus,
  SelectionConnection,
  ShelfItem,
} from "./alliance.type.js";
import type { AllianceService } from "./alliance.service.js";

const DistributionUserErrorType = UserErrorType("DistributionUserError", DistributionErrorCode);
const CommissionPlanUserErrorType = UserErrorType("CommissionPlanUserError", CommissionPlanErrorCode);
const PromoterUserErrorType = UserErrorType("PromoterUserError", PromoterErrorCode);
const SampleRequestUserErrorType = UserErrorType("SampleRequestUserError", SampleRequestErrorCode);

@ObjectType("DistributionApplicationPayload", { description: "Result of applyForDistribution, reviewDistributionApplication and recordFactoryInspection." })
class DistributionApplicationPayload {
  @Field(() => DistributionApplication, { nullable: true, description: "The application as saved; null when userErrors is not empty." })
  application!: DistributionApplication | null;

  @Field(() => Date, { nullable: true, description: "When the shop may apply again: after a failed check, or when refused with RETRY_TOO_EARLY." })
  retryAt!: Date | null;

  @Field(() => [DistributionUserErrorType], { description: "Business rules that refused the step." })
  userErrors!: DistributionUserError[];
}

@ObjectType("CommissionPlanPayload", {
  description: "Result of publishToAlliance, createCommissionPlan, updateCommissionRate, closeCommissionPlan and updateCommissionPlanPromoters.",
})
class CommissionPlanPayload {
  @Field(() => CommissionPlan, { nullable: true, description: "The plan as saved; null when userErrors is not empty." })
  plan!: CommissionPlan | null;

  @Field(() => [CommissionPlanUserErrorType], { description: "Business rules that refused the change." })
  userErrors!: CommissionPlanUserError[];
}

@ObjectType("PromoterPayload", { description: "Result of bindPromotionPid and signPayoutAccount." })
class PromoterPayload {
  @Field(() => Promoter, { nullable: true, description: "The promoter after the change; null when userErrors is not empty." })
  promoter!: Promoter | null;

  @Field(() => [PromoterUserErrorType], { description: "Business rules that refused the change." })
  userErrors!: PromoterUserError[];
}

@ObjectType("ShelfPayload", { description: "Result of addToShelf, removeFromShelf and reorderShelf." })
class ShelfPayload {
  @Field(() => [ShelfItem], { nullable: true, description: "The whole shelf after the change; null when userErrors is not empty." })
  shelf!: ShelfItem[] | null;

  @Field(() => [PromoterUserErrorType], { description: "Business rules that refused the change, one per missing onboarding step." })
  userErrors!: PromoterUserError[];
}

@ObjectType("SampleRequestPayload", { description: "Result of requestSample and decideSampleRequest." })
class SampleRequestPayload {
  @Field(() => SampleRequest, { nullable: true, description: "The request as saved; null when userErrors is not empty." })
  sampleRequest!: SampleRequest | null;

  @Field(() => [SampleRequestUserErrorType], { description: "Business rules that refused the step." })
  userErrors!: SampleRequestUserError[];
}

/** The alliance's node types, for `node(id:)`. */
export const allianceNodes = (alliance: AllianceService): NodeFetchers => ({
  Promoter: (ctx, id) => alliance.promoters.promoter(ctx, id),
  DistributionApplication: (ctx, id) => alliance.distribution.distributionApplication(ctx, id),
  CommissionPlan: (ctx, id) => alliance.plans.commissionPlan(ctx, id),
  SampleRequest: (ctx, id) => alliance.samples.sampleRequest(ctx, id),
});

async function shopOf(catalog: CatalogService, ctx: Context, shopRowId: number): Promise<Shop> {
  const shop = await catalog.shop(ctx, shopRowId);
  if (!shop) throw notFound("Shop");
  return shop;
}

@Resolver(() => DistributionApplication)
export class DistributionResolver {
  constructor(
    private readonly alliance: AllianceService,
    private readonly catalog: CatalogService,
  ) {}

  @Authorized()
  @Query(() => DistributionApplication, { nullable: true, description: "One distribution application, for its shop's merchant, admins and analysts." })
  distributionApplication(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.alliance.distribution.distributionApplication(ctx, idOf("DistributionApplication", id));
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => DistributionApplicationConnection, { description: "Distribution applications, oldest first: the review queue with status PENDING_REVIEW." })
  distributionApplications(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("status", () => DistributionApplicationStatus, { nullable: true, description: "Only applications in this status." }) status: DistributionApplicationStatus | null,
    @Ctx() ctx: Context,
  ) {
    return this.alliance.distribution.distributionApplications(ctx, page, status);
  }

  @FieldResolver(() => Shop, { description: "The shop that applied." })
  shop(@Root() application: DistributionApplication, @Ctx() ctx: Context) {
    return shopOf(this.catalog, ctx, application.shopRowId);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => DistributionApplicationPayload, {
    description: "A merchant applies for distribution rights (R1): every eligibility rule is checked against the shop's data; a failure may be retried 24 hours later (R2).",
  })
  applyForDistribution(@Arg("input", () => ApplyForDistributionInput) input: ApplyForDistributionInput, @Ctx() ctx: Context) {
    return this.alliance.distribution.applyForDistribution(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DistributionApplicationPayload, { description: "An admin approves (optionally requiring a factory inspection) or rejects an application (R3)." })
  reviewDistributionApplication(@Arg("input", () => ReviewDistributionApplicationInput) input: ReviewDistributionApplicationInput, @Ctx() ctx: Context) {
    return this.alliance.distribution.reviewDistributionApplication(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DistributionApplicationPayload, { description: "An admin records the factory inspection a review required: a pass approves, a fail rejects (R3)." })
  recordFactoryInspection(@Arg("input", () => RecordFactoryInspectionInput) input: RecordFactoryInspectionInput, @Ctx() ctx: Context) {
    return this.alliance.distribution.recordFactoryInspection(ctx, input);
  }
}

@Resolver(() => CommissionPlan)
export class CommissionPlanResolver {
  constructor(private readonly alliance: AllianceService, private readonly catalog: CatalogService) {}

  @Authorized()
  @Query(() => CommissionPlan, { nullable: true, description: "One commission plan, for its shop's merchant, admins and analysts." })
  commissionPlan(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.alliance.plans.commissionPlan(ctx, idOf("CommissionPlan", id));
  }

  @FieldResolver(() => Shop, { description: "The shop paying the commission." })
  shop(@Root() plan: CommissionPlan, @Ctx() ctx: Context) {
    return shopOf(this.catalog, ctx, plan.shopRowId);
  }

  @FieldResolver(() => Product, { nullable: true, description: "The product (GENERAL and PRODUCT_TARGETED plans); null for SHOP_TARGETED." })
  product(@Root() plan: CommissionPlan, @Ctx() ctx: Context) {
    return plan.productRowId === null ? null : this.catalog.product(ctx, plan.productRowId);
  }

  @FieldResolver(() => [Promoter], { description: "The promoters a targeted plan is for; empty for GENERAL." })
  promoters(@Root() plan: CommissionPlan, @Ctx() ctx: Context) {
    return this.alliance.plans.planPromoters(ctx, plan.rowId);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => CommissionPlanPayload, { description: "A merchant of an approved shop puts a product into the alliance library with a GENERAL plan (R4)." })
  publishToAlliance(@Arg("input", () => PublishToAllianceInput) input: PublishToAllianceInput, @Ctx() ctx: Context) {
    return this.alliance.plans.publishToAlliance(ctx, input);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => CommissionPlanPayload, { description: "A merchant creates a SHOP_TARGETED or PRODUCT_TARGETED plan for chosen promoters (R4)." })
  createCommissionPlan(@Arg("input", () => CreateCommissionPlanInput) input: CreateCommissionPlanInput, @Ctx() ctx: Context) {
    return this.alliance.plans.createCommissionPlan(ctx, input);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => CommissionPlanPayload, {
    description: "A merchant changes a plan's rate (R4): an increase applies at once; a decrease at the next 00:00 China time, and not between 23:50 and 24:00.",
  })
  updateCommissionRate(@Arg("input", () => UpdateCommissionRateInput) input: UpdateCommissionRateInput, @Ctx() ctx: Context) {
    return this.alliance.plans.updateCommissionRate(ctx, input);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => CommissionPlanPayload, {
    description:
      "A merchant closes a plan (R4). Whatever this lowers takes effect at the next 00:00 China time and is refused between 23:50 and 24:00; what it raises (a low targeted plan closed) applies at once.",
  })
  closeCommissionPlan(@Arg("input", () => CloseCommissionPlanInput) input: CloseCommissionPlanInput, @Ctx() ctx: Context) {
    return this.alliance.plans.closeCommissionPlan(ctx, input);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => CommissionPlanPayload, {
    description:
      "A merchant edits a targeted plan's promoters (R4). A promoter whose rate this lowers keeps its old rate until the next 00:00 China time (refused between 23:50 and 24:00); a rise applies at once.",
  })
  updateCommissionPlanPromoters(
    @Arg("input", () => UpdateCommissionPlanPromotersInput) input: UpdateCommissionPlanPromotersInput,
    @Ctx() ctx: Context,
  ) {
    return this.alliance.plans.updateCommissionPlanPromoters(ctx, input);
  }
}

@Resolver(() => Promoter)
export class PromoterResolver {
  constructor(private readonly alliance: AllianceService) {}

  @Query(() => Promoter, { nullable: true, description: "A promoter by its Promoter (or User) ID; null if there is none." })
  promoter(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const parsed = parseGlobalId(id);
    if (!parsed || (parsed.type !== "Promoter" && parsed.type !== "User")) throw badInput("id is not a valid Promoter ID.", "id");
    return this.alliance.promoters.promoter(ctx, parsed.id);
  }

  @Authorized(Role.PROMOTER)
  @Query(() => SelectionConnection, {
    description: "The selection center (选品中心): alliance products with the rate the viewing promoter would earn (R5, R6), filtered and sorted.",
  })
  selectionCenter(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => SelectionFilter, { nullable: true }) filter: SelectionFilter | null,
    @Arg("orderBy", () => SelectionOrder, { nullable: true, description: "Default: NEWEST, DESC." }) orderBy: SelectionOrder | null,
    @Ctx() ctx: Context,
  ) {
    return this.alliance.selection.selectionCenter(ctx, page, filter, orderBy);
  }

  @FieldResolver(() => Shop, { nullable: true, description: "The promoter's own shop (小店), required before it can promote." })
  shop(@Root() promoter: Promoter, @Ctx() ctx: Context) {
    return this.alliance.promoters.promoterShop(ctx, promoter.rowId);
  }

  @FieldResolver(() => PromoterOnboarding, { description: "Onboarding steps done and missing (R6)." })
  onboarding(@Root() promoter: Promoter, @Ctx() ctx: Context) {
    return this.alliance.promoters.onboarding(ctx, promoter.rowId);
  }

  @FieldResolver(() => [ShelfItem], { description: "The shelf (推广货架) in order, each item with its stock and (for the promoter itself) the rate it earns now." })
  shelf(@Root() promoter: Promoter, @Ctx() ctx: Context) {
    return this.alliance.shelves.shelf(ctx, promoter.rowId);
  }

  @Authorized(Role.PROMOTER)
  @Mutation(() => PromoterPayload, { description: "A promoter binds its alliance promotion PID (R6)." })
  bindPromotionPid(@Arg("input", () => BindPromotionPidInput) input: BindPromotionPidInput, @Ctx() ctx: Context) {
    return this.alliance.promoters.bindPromotionPid(ctx, input);
  }

  @Authorized(Role.PROMOTER)
  @Mutation(() => PromoterPayload, { description: "A promoter signs the payout account its commissions go to (R6)." })
  signPayoutAccount(@Arg("input", () => SignPayoutAccountInput) input: SignPayoutAccountInput, @Ctx() ctx: Context) {
    return this.alliance.promoters.signPayoutAccount(ctx, input);
  }

  @Authorized(Role.PROMOTER)
  @Mutation(() => ShelfPayload, { description: "A promoter puts an alliance product at the end of its shelf; it is listed at once (R7). Adding it again changes nothing." })
  addToShelf(@Arg("input", () => AddToShelfInput) input: AddToShelfInput, @Ctx() ctx: Context) {
    return this.alliance.shelves.addToShelf(ctx, input);
  }

  @Authorized(Role.PROMOTER)
  @Mutation(() => ShelfPayload, { description: "A promoter takes a product off its shelf." })
  removeFromShelf(@Arg("input", () => RemoveFromShelfInput) input: RemoveFromShelfInput, @Ctx() ctx: Context) {
    return this.alliance.shelves.removeFromShelf(ctx, input);
  }

  @Authorized(Role.PROMOTER)
  @Mutation(() => ShelfPayload, { description: "A promoter puts its shelf in a new order." })
  reorderShelf(@Arg("input", () => ReorderShelfInput) input: ReorderShelfInput, @Ctx() ctx: Context) {
    return this.alliance.shelves.reorderShelf(ctx, input);
  }
}

@Resolver(() => ShelfItem)
export class ShelfItemResolver {
  constructor(private readonly catalog: CatalogService) {}

  @FieldResolver(() => Shop, { description: "The shop selling it." })
  shop(@Root() item: ShelfItem, @Ctx() ctx: Context) {
    return shopOf(this.catalog, ctx, item.shopRowId);
  }
}

@Resolver(() => SampleRequest)
export class SampleRequestResolver {
  constructor(private readonly alliance: AllianceService, private readonly catalog: CatalogService) {}

  @Authorized()
  @Query(() => SampleRequest, { nullable: true, description: "One sample request, for its promoter, the shop's merchant, admins and analysts." })
  sampleRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.alliance.samples.sampleRequest(ctx, idOf("SampleRequest", id));
  }

  @Authorized(Role.PROMOTER, Role.MERCHANT, Role.ADMIN, Role.ANALYST)
  @Query(() => SampleRequestConnection, {
    description: "Sample requests, newest first: a promoter's own, or those to a merchant's shops; admins and analysts see all.",
  })
  sampleRequests(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("status", () => SampleRequestStatus, { nullable: true, description: "Only requests in this status." }) status: SampleRequestStatus | null,
    @Ctx() ctx: Context,
  ) {
    return this.alliance.samples.sampleRequests(ctx, page, status);
  }

  @FieldResolver(() => Promoter, { description: "The promoter asking." })
  async promoter(@Root() request: SampleRequest, @Ctx() ctx: Context) {
    const promoter = await this.alliance.promoters.promoter(ctx, request.promoterRowId);
    if (!promoter) throw notFound("Promoter");
    return promoter;
  }

  @FieldResolver(() => Product, { description: "The product." })
  async product(@Root() request: SampleRequest, @Ctx() ctx: Context) {
    const product = await this.catalog.product(ctx, request.productRowId);
    if (!product) throw notFound("Product");
    return product;
  }

  @FieldResolver(() => Shop, { description: "The shop asked." })
  shop(@Root() request: SampleRequest, @Ctx() ctx: Context) {
    return shopOf(this.catalog, ctx, request.shopRowId);
  }

  @Authorized(Role.PROMOTER)
  @Mutation(() => SampleRequestPayload, { description: "A promoter asks for a sample of a product on its shelf (R7)." })
  requestSample(@Arg("input", () => RequestSampleInput) input: RequestSampleInput, @Ctx() ctx: Context) {
    return this.alliance.samples.requestSample(ctx, input);
  }

  @Authorized(Role.MERCHANT)
  @Mutation(() => SampleRequestPayload, { description: "The shop's merchant accepts (and ships, with a tracking number) or declines a sample request (R7)." })
  decideSampleRequest(@Arg("input", () => DecideSampleRequestInput) input: DecideSampleRequestInput, @Ctx() ctx: Context) {
    return this.alliance.samples.decideSampleRequest(ctx, input);
  }
}

@Resolver(() => Shop)
export class ShopAllianceResolver {
  constructor(private readonly alliance: AllianceService) {}

  @FieldResolver(() => DistributionApplicationStatus, {
    nullable: true,
    description: "Status of the shop's latest distribution application; APPROVED shops publish to the alliance library; null if it never applied.",
  })
  distributionStatus(@Root() shop: Shop, @Ctx() ctx: Context) {
    return this.alliance.distribution.distributionStatus(ctx, shop.rowId);
  }

  @Authorized()
  @FieldResolver(() => [CommissionPlan], { description: "The shop's commission plans; for its merchant, admins and analysts." })
  commissionPlans(@Root() shop: Shop, @Ctx() ctx: Context) {
    return this.alliance.plans.shopCommissionPlans(ctx, shop.rowId);
  }
}

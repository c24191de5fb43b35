import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Subscription } from "type-graphql";
import type { AccessRevoked } from "../../realtime/guarded-stream.js";
import type { Context } from "../../shared/context.js";
import type { PriceGuardAlertPayload } from "../../realtime/topics.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { resolverFor } from "../../shared/resolver-container.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { Product, Shop, type CatalogService } from "../catalog/index.js";
import { FlashSale, type FlashSaleService } from "../flash-sales/index.js";
import { LiveSession, type LiveService } from "../live/index.js";
import { FileAgreedPriceInput, LiftRestrictionInput, PriceGuardViolationsArgs } from "./price-guard.inputs.js";
import { PriceGuardErrorCode, type PriceGuardUserError } from "./price-guard.rules.js";
import {
  AgreedPrice,
  PriceGuardAlert,
  PriceGuardRestriction,
  PriceGuardViolation,
  PriceGuardViolationConnection,
  type PriceGuardAlertRoot,
} from "./price-guard.type.js";
import type { PriceGuardService } from "./price-guard.service.js";

const PriceGuardUserErrorType = UserErrorType("PriceGuardUserError", PriceGuardErrorCode);

@ObjectType("FileAgreedPricePayload", { description: "Result of fileAgreedPrice." })
class FileAgreedPricePayload {
  @Field(() => AgreedPrice, { nullable: true, description: "The filing, now in force; null when userErrors is not empty." })
  agreedPrice!: AgreedPrice | null;

  @Field(() => [PriceGuardUserErrorType], { description: "Rules that refused the filing." })
  userErrors!: PriceGuardUserError[];
}

@ObjectType("LiftRestrictionPayload", { description: "Result of liftRestriction." })
class LiftRestrictionPayload {
  @Field(() => PriceGuardRestriction, { nullable: true, description: "The lifted restriction; null when userErrors is not empty." })
  restriction!: PriceGuardRestriction | null;

  @Field(() => [PriceGuardUserErrorType], { description: "Why it was not lifted." })
  userErrors!: PriceGuardUserError[];
}

/** The price guard's node types, for `node(id:)`. */
export const priceGuardNodes = (priceGuard: PriceGuardService): NodeFetchers => ({
  AgreedPrice: (ctx, id) => priceGuard.agreements.agreedPrice(ctx, id),
  PriceGuardViolation: (ctx, id) => priceGuard.violations.violation(ctx, id),
  PriceGuardRestriction: (ctx, id) => priceGuard.violations.restriction(ctx, id),
});

@Resolver()
export class PriceGuardResolver {
  constructor(private readonly priceGuard: PriceGuardService) {}

  @Authorized(Role.MERCHANT, Role.ADMIN)
  @Mutation(() => FileAgreedPricePayload, {
    description: "The product's merchant (or an admin) files an agreed hand price and its spec; earlier filings are kept, the newest applies.",
  })
  fileAgreedPrice(@Arg("input", () => FileAgreedPriceInput) input: FileAgreedPriceInput, @Ctx() ctx: Context) {
    return this.priceGuard.agreements.fileAgreedPrice(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => LiftRestrictionPayload, { description: "An admin lifts a price-guard restriction or suspension; the shop's cross-border goods sell again." })
  liftRestriction(@Arg("input", () => LiftRestrictionInput) input: LiftRestrictionInput, @Ctx() ctx: Context) {
    return this.priceGuard.violations.liftRestriction(ctx, input);
  }

  @Authorized(Role.MERCHANT, Role.PROMOTER, Role.ADMIN, Role.ANALYST)
  @Query(() => PriceGuardViolationConnection, {
    description: "Price-guard violations, newest first. Admins and analysts see all; merchants those of their shops and their goods; promoters their own.",
  })
  priceGuardViolations(@Args(() => PriceGuardViolationsArgs) args: PriceGuardViolationsArgs, @Ctx() ctx: Context) {
    return this.priceGuard.violations.violations(ctx, args);
  }

  @Subscription(() => PriceGuardAlert, {
    description:
      "Price-guard alerts (WARNING, BLOCKED, VIOLATION). A merchant may watch its own shop, the promoter (and its overlay) its room, an admin anything (no arguments: every alert).",
    subscribe: ({ args, context, info }) =>
      resolverFor(info, PriceGuardResolver).priceGuard.alerts.watchAlerts(context as Context, args.shopId as string | null, args.liveSessionId as string | null),
  })
  priceGuardAlerts(
    @Arg("shopId", () => ID, { nullable: true, description: "Alerts about this shop's goods or offers." }) _shopId: string | null,
    @Arg("liveSessionId", () => ID, { nullable: true, description: "Alerts raised in this live room." }) _liveSessionId: string | null,
    @Root() payload: PriceGuardAlertPayload | AccessRevoked,
  ) {
    return this.priceGuard.alerts.alertForEvent(payload);
  }
}

@Resolver(() => PriceGuardAlert)
export class PriceGuardAlertResolver {
  constructor(private readonly catalog: CatalogService) {}

  @FieldResolver(() => ID, { description: "ID of the product (without fetching it)." })
  productId(@Root() alert: PriceGuardAlertRoot) {
    return toGlobalId("Product", alert.productRowId);
  }

  @FieldResolver(() => Product, { description: "The product." })
  async product(@Root() alert: PriceGuardAlertRoot, @Ctx() ctx: Context) {
    const product = await this.catalog.product(ctx, alert.productRowId);
    if (!product) throw notFound("Product");
    return product;
  }

  @FieldResolver(() => ID, { description: "The product's shop (the brand's side)." })
  shopId(@Root() alert: PriceGuardAlertRoot) {
    return toGlobalId("Shop", alert.productShopRowId);
  }

  @FieldResolver(() => ID, { nullable: true, description: "The live room the offer or order is in, if one." })
  liveSessionId(@Root() alert: PriceGuardAlertRoot) {
    return alert.liveSessionRowId === null ? null : toGlobalId("LiveSession", alert.liveSessionRowId);
  }

  @FieldResolver(() => Money, { description: "Lowest per-unit hand price a buyer can reach (WARNING, BLOCKED), or the refused order's (VIOLATION)." })
  handPrice(@Root() alert: PriceGuardAlertRoot) {
    return money(alert.handPriceFen);
  }

  @FieldResolver(() => Money, { description: "The agreed price per unit (the floor)." })
  floor(@Root() alert: PriceGuardAlertRoot) {
    return money(alert.floorFen);
  }

  @FieldResolver(() => ID, { nullable: true, description: "VIOLATION: the recorded violation." })
  violationId(@Root() alert: PriceGuardAlertRoot) {
    return alert.violationRowId === null ? null : toGlobalId("PriceGuardViolation", alert.violationRowId);
  }

  @FieldResolver(() => ID, { nullable: true, description: "VIOLATION: the shop held responsible (null for a promoter without a shop of its own)." })
  violatingShopId(@Root() alert: PriceGuardAlertRoot) {
    return alert.violatingShopRowId === null ? null : toGlobalId("Shop", alert.violatingShopRowId);
  }
}

@Resolver(() => AgreedPrice)
export class AgreedPriceResolver {
  constructor(private readonly catalog: CatalogService) {}

  @FieldResolver(() => Product, { description: "The product it is filed for." })
  async product(@Root() filing: AgreedPrice, @Ctx() ctx: Context) {
    const product = await this.catalog.product(ctx, filing.productRowId);
    if (!product) throw notFound("Product");
    return product;
  }
}

@Resolver(() => PriceGuardViolation)
export class PriceGuardViolationResolver {
  constructor(private readonly catalog: CatalogService, private readonly live: LiveService, private readonly flashSales: FlashSaleService, private readonly priceGuard: PriceGuardService) {}

  @FieldResolver(() => Shop, { nullable: true, description: "The violating shop; null for a promoter without a shop of its own (see promoterId)." })
  shop(@Root() v: PriceGuardViolation, @Ctx() ctx: Context) {
    return v.shopRowId === null ? null : this.catalog.shop(ctx, v.shopRowId);
  }

  @FieldResolver(() => ID, { nullable: true, description: "The promoter whose room the order was in (a User ID)." })
  promoterId(@Root() v: PriceGuardViolation) {
    return v.promoterRowId === null ? null : toGlobalId("User", v.promoterRowId);
  }

  @FieldResolver(() => Product, { description: "The product." })
  async product(@Root() v: PriceGuardViolation, @Ctx() ctx: Context) {
    const product = await this.catalog.product(ctx, v.productRowId);
    if (!product) throw notFound("Product");
    return product;
  }

  @FieldResolver(() => LiveSession, { nullable: true, description: "The live room the order was placed in." })
  liveSession(@Root() v: PriceGuardViolation, @Ctx() ctx: Context) {
    return v.liveSessionRowId === null ? null : this.live.liveSession(ctx, v.liveSessionRowId);
  }

  @FieldResolver(() => FlashSale, { nullable: true, description: "The flash sale, if the order was placed in one." })
  flashSale(@Root() v: PriceGuardViolation, @Ctx() ctx: Context) {
    return v.flashSaleRowId === null ? null : this.flashSales.flashSale(ctx, v.flashSaleRowId);
  }

  @FieldResolver(() => PriceGuardRestriction, { nullable: true, description: "The penalty it triggered; null when the shop was already restricted." })
  async restriction(@Root() v: PriceGuardViolation, @Ctx() ctx: Context) {
    return v.restrictionRowId === null ? null : this.priceGuard.violations.restriction(ctx, v.restrictionRowId);
  }
}

@Resolver(() => PriceGuardRestriction)
export class PriceGuardRestrictionResolver {
  constructor(private readonly catalog: CatalogService, private readonly priceGuard: PriceGuardService) {}

  @FieldResolver(() => Shop, { nullable: true, description: "The restricted shop; null when it is held against a promoter without a shop of its own." })
  shop(@Root() r: PriceGuardRestriction, @Ctx() ctx: Context) {
    return r.shopRowId === null ? null : this.catalog.shop(ctx, r.shopRowId);
  }

  @FieldResolver(() => ID, { nullable: true, description: "The restricted promoter (a User ID), for a promoter-paid violation." })
  promoterId(@Root() r: PriceGuardRestriction) {
    return r.promoterRowId === null ? null : toGlobalId("User", r.promoterRowId);
  }

  @FieldResolver(() => Boolean, { description: "In force now: begun, not ended, not lifted." })
  active(@Root() r: PriceGuardRestriction, @Ctx() ctx: Context) {
    return this.priceGuard.violations.isActive(ctx, r);
  }
}

@Resolver(() => Product)
export class ProductAgreedPriceResolver {
  constructor(private readonly priceGuard: PriceGuardService) {}

  @FieldResolver(() => AgreedPrice, {
    nullable: true,
    description: "The agreed hand price in force (R12); null when none is filed, and for buyers and anonymous viewers.",
  })
  agreedPrice(@Root() product: Product, @Ctx() ctx: Context) {
    return this.priceGuard.agreements.currentAgreedPrice(ctx, product.rowId);
  }

  @FieldResolver(() => [AgreedPrice], { description: "Every filing, newest first: for the shop's merchant, admins and analysts." })
  agreedPriceHistory(@Root() product: Product, @Ctx() ctx: Context) {
    return this.priceGuard.agreements.agreedPriceHistory(ctx, product.rowId, product.shopRowId);
  }
}

@Resolver(() => Shop)
export class ShopRestrictionsResolver {
  constructor(private readonly priceGuard: PriceGuardService) {}

  @FieldResolver(() => [PriceGuardRestriction], { description: "Price-guard restrictions of the shop, newest first: for its merchant, admins and analysts." })
  restrictions(
    @Root() shop: Shop,
    @Arg("activeOnly", () => Boolean, { defaultValue: false, description: "Only those in force now." }) activeOnly: boolean,
    @Ctx() ctx: Context,
  ) {
    return this.priceGuard.violations.shopRestrictions(ctx, shop.rowId, activeOnly);
  }
}

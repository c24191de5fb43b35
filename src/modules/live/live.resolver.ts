import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { toUser, User } from "../accounts/index.js";
import { Product, type CatalogService } from "../catalog/index.js";
import { LiveSessionEvent, type LiveEventRoot } from "./live-events.type.js";
import { LiveSessionsArgs, PinToCartInput, StartLiveSessionInput, UnpinFromCartInput } from "./live.inputs.js";
import { LiveErrorCode, type LiveUserError } from "./live.rules.js";
import { CartItem, LiveSession, LiveSessionConnection } from "./live.type.js";
import type { LiveService } from "./live.service.js";
import { resolverFor } from "../../shared/resolver-container.js";

const LiveUserErrorType = UserErrorType("LiveUserError", LiveErrorCode);

@ObjectType("LiveSessionPayload", { description: "Result of startLiveSession / endLiveSession." })
class LiveSessionPayload {
  @Field(() => LiveSession, { nullable: true, description: "The session; null when userErrors is not empty." })
  liveSession!: LiveSession | null;

  @Field(() => [LiveUserErrorType], { description: "Rules that refused the change." })
  userErrors!: LiveUserError[];
}

@ObjectType("CartItemPayload", { description: "Result of pinToCart / unpinFromCart." })
class CartItemPayload {
  @Field(() => CartItem, { nullable: true, description: "The cart item; null when userErrors is not empty." })
  cartItem!: CartItem | null;

  @Field(() => [LiveUserErrorType], { description: "Rules that refused the change." })
  userErrors!: LiveUserError[];
}

/** The live module's node type, for `node(id:)`. */
export const liveNodes = (live: LiveService): NodeFetchers => ({ LiveSession: (ctx, id) => live.liveSession(ctx, id) });

@Resolver(() => LiveSession)
export class LiveSessionResolver {
  constructor(private readonly live: LiveService) {}

  @Query(() => LiveSession, { nullable: true, description: "One live session by ID." })
  liveSession(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.live.liveSession(ctx, idOf("LiveSession", id));
  }

  @Query(() => LiveSessionConnection, { description: "Live sessions, newest first." })
  liveSessions(@Args(() => LiveSessionsArgs) args: LiveSessionsArgs, @Ctx() ctx: Context) {
    return this.live.liveSessions(ctx, args);
  }

  @FieldResolver(() => User, { description: "The host streaming: a promoter, or a merchant streaming its own shop (店播)." })
  async promoter(@Root() session: LiveSession, @Ctx() ctx: Context) {
    const row = await ctx.loaders.userById.load(session.promoterRowId);
    if (!row) throw notFound("Promoter");
    return toUser(row);
  }

  @FieldResolver(() => [CartItem], { description: "Products pinned to the cart now." })
  cart(@Root() session: LiveSession, @Ctx() ctx: Context) {
    return this.live.cart(ctx, session.rowId);
  }

  @FieldResolver(() => Int, { description: "Viewers now: subscribers of the room across all gateway instances." })
  viewerCount(@Root() session: LiveSession, @Ctx() ctx: Context) {
    return this.live.viewerCount(session.rowId);
  }

  @Authorized(Role.PROMOTER, Role.MERCHANT)
  @Mutation(() => LiveSessionPayload, { description: "A promoter starts a live stream; so may a merchant streaming its own shop's goods (店播)." })
  startLiveSession(@Arg("input", () => StartLiveSessionInput) input: StartLiveSessionInput, @Ctx() ctx: Context) {
    return this.live.startLiveSession(ctx, input);
  }

  @Authorized(Role.PROMOTER, Role.MERCHANT)
  @Mutation(() => LiveSessionPayload, { description: "The host ends its stream; its running flash sales end and give unsold units back." })
  endLiveSession(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.live.endLiveSession(ctx, id);
  }

  @Authorized(Role.PROMOTER, Role.MERCHANT)
  @Mutation(() => CartItemPayload, {
    description: "Pin a product to the stream's cart (挂车), optionally with a per-unit subsidy: a shelf product, or the host's own shop's goods (direct selling, no commission).",
  })
  pinToCart(@Arg("input", () => PinToCartInput) input: PinToCartInput, @Ctx() ctx: Context) {
    return this.live.pinToCart(ctx, input);
  }

  @Authorized(Role.PROMOTER, Role.MERCHANT)
  @Mutation(() => CartItemPayload, { description: "Take a product off the stream's cart." })
  unpinFromCart(@Arg("input", () => UnpinFromCartInput) input: UnpinFromCartInput, @Ctx() ctx: Context) {
    return this.live.unpinFromCart(ctx, input);
  }

  @Subscription(() => LiveSessionEvent, {
    description: "What happens in a live room: a snapshot first, then viewer counts, pins, flash sales started / sold out / ended, session ended.",
    subscribe: ({ args, context, info }) => resolverFor(info, LiveSessionResolver).live.watchEvents(context as Context, args.liveSessionId as string),
  })
  liveSessionEvents(
    @Arg("liveSessionId", () => ID, { description: "The live session." }) _liveSessionId: string,
    @Root() root: LiveEventRoot,
    @Ctx() ctx: Context,
  ) {
    return this.live.toEvent(ctx, root);
  }
}

@Resolver(() => CartItem)
export class CartItemResolver {
  constructor(private readonly catalog: CatalogService) {}

  @FieldResolver(() => Product, { description: "The pinned product." })
  async product(@Root() item: CartItem, @Ctx() ctx: Context) {
    const product = await this.catalog.product(ctx, item.productRowId);
    if (!product) throw notFound("Product");
    return product;
  }
}

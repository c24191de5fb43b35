import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { UserErrorType } from "../../shared/user-errors.js";
import { Product, type CatalogService } from "../catalog/index.js";
import { LiveSession, type LiveService } from "../live/index.js";
import { CreateFlashSaleInput } from "./flash-sale.inputs.js";
import { FlashSaleErrorCode, type FlashSaleUserError } from "./flash-sale.rules.js";
import { FlashSale, FlashSaleInventory, FlashSaleStock, toFlashSale } from "./flash-sale.type.js";
import type { FlashSaleService } from "./flash-sale.service.js";
import { resolverFor } from "../../shared/resolver-container.js";

const FlashSaleUserErrorType = UserErrorType("FlashSaleUserError", FlashSaleErrorCode);

@ObjectType("CreateFlashSalePayload", { description: "Result of createFlashSale." })
class CreateFlashSalePayload {
  @Field(() => FlashSale, { nullable: true, description: "The sale; null when userErrors is not empty." })
  flashSale!: FlashSale | null;

  @Field(() => [FlashSaleUserErrorType], { description: "Rules that refused the sale." })
  userErrors!: FlashSaleUserError[];
}

/** Flash sales' node type, for `node(id:)`. */
export const flashSaleNodes = (flashSales: FlashSaleService): NodeFetchers => ({ FlashSale: (ctx, id) => flashSales.flashSale(ctx, id) });

@Resolver(() => FlashSale)
export class FlashSaleResolver {
  constructor(private readonly flashSales: FlashSaleService, private readonly catalog: CatalogService, private readonly live: LiveService) {}

  @Query(() => FlashSale, { nullable: true, description: "One flash sale by ID." })
  flashSale(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.flashSales.flashSale(ctx, idOf("FlashSale", id));
  }

  @FieldResolver(() => Product, { description: "The product on sale." })
  async product(@Root() sale: FlashSale, @Ctx() ctx: Context) {
    const product = await this.catalog.product(ctx, sale.productRowId);
    if (!product) throw notFound("Product");
    return product;
  }

  @FieldResolver(() => LiveSession, { description: "The live session running it." })
  async liveSession(@Root() sale: FlashSale, @Ctx() ctx: Context) {
    const session = await this.live.liveSession(ctx, sale.liveSessionRowId);
    if (!session) throw notFound("Live session");
    return session;
  }

  @Authorized(Role.PROMOTER, Role.MERCHANT)
  @Mutation(() => CreateFlashSalePayload, { description: "The session's host (a promoter, or a merchant streaming its own shop) runs a flash sale of a product on its session's cart; the units come out of the product's stock." })
  createFlashSale(@Arg("input", () => CreateFlashSaleInput) input: CreateFlashSaleInput, @Ctx() ctx: Context) {
    return this.flashSales.createFlashSale(ctx, input);
  }

  @Subscription(() => FlashSaleInventory, {
    description:
      "Stock countdown of a live room's flash sales: the current snapshot first, then updates (coalesced, with a growing version); SOLD_OUT and ENDED are always delivered.",
    subscribe: ({ args, context, info }) => resolverFor(info, FlashSaleResolver).flashSales.watchInventory(context as Context, args.liveSessionId as string),
  })
  flashSaleInventory(
    @Arg("liveSessionId", () => ID, { description: "The live session." }) _liveSessionId: string,
    @Root() inventory: FlashSaleInventory,
  ) {
    return inventory;
  }
}

@Resolver(() => FlashSaleStock)
export class FlashSaleStockResolver {
  constructor(private readonly flashSales: FlashSaleService) {}

  @FieldResolver(() => FlashSale, { description: "The flash sale, with its price and window." })
  async flashSale(@Root() stock: FlashSaleStock, @Ctx() ctx: Context) {
    const sale = await this.flashSales.flashSale(ctx, stock.saleRowId);
    if (!sale) throw notFound("Flash sale");
    return sale;
  }
}

/** Flash sales run in live rooms: this module adds them to the live module's LiveSession type. */
@Resolver(() => LiveSession)
export class LiveSessionFlashSalesResolver {
  @FieldResolver(() => [FlashSale], { description: "The session's flash sales, oldest first (running ones have status RUNNING)." })
  async flashSales(@Root() session: LiveSession, @Ctx() ctx: Context) {
    return (await ctx.loaders.flashSalesBySession.load(session.rowId)).map(toFlashSale);
  }
}

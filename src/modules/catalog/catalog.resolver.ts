import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { notFound } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { granted, type AccessRevoked } from "../../realtime/guarded-stream.js";
import type { NodeFetchers } from "../../shared/node.registry.js";
import { PageArgs } from "../../shared/pagination.js";
import { UserErrorType, type UserErrorValue } from "../../shared/user-errors.js";
import { CreateProductInput, OpenShopInput, ProductFilter, ProductOrder, ReviewShopInput, SetShopCartInput, TransferShopInput, UpdateProductInput } from "./catalog.inputs.js";
import { ProductErrorCode, ShopErrorCode, type ProductUserError } from "./catalog.rules.js";
import { Product, ProductConnection, Shop, ShopConnection, ShopStatus } from "./catalog.type.js";
import type { CatalogService } from "./catalog.service.js";
import { resolverFor } from "../../shared/resolver-container.js";

const ProductUserErrorType = UserErrorType("ProductUserError", ProductErrorCode);
const ShopUserErrorType = UserErrorType("ShopUserError", ShopErrorCode);

@ObjectType("TransferShopPayload", { description: "Result of transferShop and setShopCart." })
class TransferShopPayload {
  @Field(() => Shop, { nullable: true, description: "The shop as saved; null when userErrors is not empty." })
  shop!: Shop | null;

  @Field(() => [ShopUserErrorType], { description: "Rules that refused the change." })
  userErrors!: UserErrorValue<ShopErrorCode>[];
}

@ObjectType("ShopPayload", { description: "Result of openShop / reviewShop." })
class ShopPayload {
  @Field(() => Shop, { nullable: true, description: "The shop as saved; null when userErrors is not empty." })
  shop!: Shop | null;

  @Field(() => [ShopUserErrorType], { description: "Rules that refused the change." })
  userErrors!: UserErrorValue<ShopErrorCode>[];
}

@ObjectType("ProductPayload", { description: "Result of createProduct / updateProduct." })
class ProductPayload {
  @Field(() => Product, { nullable: true, description: "The product as saved; null when userErrors is not empty." })
  product!: Product | null;

  @Field(() => [ProductUserErrorType], { description: "Business rules that refused the change." })
  userErrors!: ProductUserError[];
}

/** The catalog's node types, for `node(id:)`. */
export const catalogNodes = (catalog: CatalogService): NodeFetchers => ({
  Product: (ctx, id) => catalog.product(ctx, id),
  Shop: (ctx, id) => catalog.shop(ctx, id),
});

@Resolver(() => Product)
export class ProductResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Query(() => ProductConnection, { description: "Products, filtered and sorted, as a cursor connection." })
  products(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => ProductFilter, { nullable: true }) filter: ProductFilter | null,
    @Arg("orderBy", () => ProductOrder, { nullable: true }) orderBy: ProductOrder | null,
    @Ctx() ctx: Context,
  ) {
    return this.catalog.products(ctx, page, filter, orderBy);
  }

  @Query(() => Product, { nullable: true, description: "One product by ID." })
  product(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.catalog.product(ctx, idOf("Product", id));
  }

  @FieldResolver(() => Shop, { description: "The shop selling it." })
  async shop(@Root() product: Product, @Ctx() ctx: Context) {
    const shop = await this.catalog.shop(ctx, product.shopRowId);
    if (!shop) throw notFound("Shop");
    return shop;
  }

  @Authorized(Role.MERCHANT, Role.PROMOTER)
  @Mutation(() => ProductPayload, { description: "A merchant adds a product to its own shop (a promoter to its own 小店, whose goods it sells directly)." })
  createProduct(@Arg("input", () => CreateProductInput) input: CreateProductInput, @Ctx() ctx: Context) {
    return this.catalog.createProduct(ctx, input);
  }

  @Authorized(Role.MERCHANT, Role.PROMOTER)
  @Mutation(() => ProductPayload, { description: "A shop owner (merchant, or promoter for its own 小店) changes a product of its shop; subscribers of productUpdated see it." })
  updateProduct(@Arg("input", () => UpdateProductInput) input: UpdateProductInput, @Ctx() ctx: Context) {
    return this.catalog.updateProduct(ctx, input);
  }

  @Subscription(() => Product, {
    description: "The product now, then again after every change.",
    subscribe: ({ args, context, info }) => resolverFor(info, ProductResolver).catalog.watchProduct(context as Context, args.productId as string),
  })
  productUpdated(
    @Arg("productId", () => ID, { description: "Product to watch." }) _productId: string,
    @Root() event: { productId: number } | AccessRevoked,
    @Ctx() ctx: Context,
  ) {
    return this.catalog.productForEvent(ctx, granted(event).productId);
  }
}

@Resolver(() => Shop)
export class ShopResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Query(() => Shop, { nullable: true, description: "One shop by ID." })
  shop(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return this.catalog.shop(ctx, idOf("Shop", id));
  }

  @Authorized(Role.MERCHANT, Role.PROMOTER)
  @Mutation(() => ShopPayload, {
    description: "Open a shop (小店): a merchant's (several allowed), or a promoter's own one (R6). REGULAR shops are NORMAL at once; CROSS_BORDER ones wait for an admin's reviewShop.",
  })
  openShop(@Arg("input", () => OpenShopInput) input: OpenShopInput, @Ctx() ctx: Context) {
    return this.catalog.openShop(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ShopPayload, { description: "Admin: approve (NORMAL) or reject (REJECTED) a cross-border shop under review." })
  reviewShop(@Arg("input", () => ReviewShopInput) input: ReviewShopInput, @Ctx() ctx: Context) {
    return this.catalog.reviewShop(ctx, input);
  }

  @Authorized()
  @Query(() => ShopConnection, { description: "Shops, oldest first: every shop for ADMIN and ANALYST (filter UNDER_REVIEW to find reviews), one's own for others." })
  shops(@Args(() => PageArgs) page: PageArgs, @Arg("status", () => ShopStatus, { nullable: true, description: "Only shops in this status." }) status: ShopStatus | null, @Ctx() ctx: Context) {
    return this.catalog.shops(ctx, page, status);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => TransferShopPayload, { description: "Admin: a shop changes hands; the previous owner's live views of it end at once." })
  transferShop(@Arg("input", () => TransferShopInput) input: TransferShopInput, @Ctx() ctx: Context) {
    return this.catalog.transferShop(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => TransferShopPayload, {
    description:
      "Admin: a shop loses the live cart (R17), or gets it back. Losing it takes the shop's goods out of every live room in the same transaction (running flash sales end, units back to stock; pins removed) and out of the selection center.",
  })
  setShopCart(@Arg("input", () => SetShopCartInput) input: SetShopCartInput, @Ctx() ctx: Context) {
    return this.catalog.setShopCart(ctx, input);
  }

  @FieldResolver(() => ProductConnection, { description: "The shop's products." })
  products(@Root() shop: Shop, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return this.catalog.products(ctx, page, { shopId: shop.id }, null);
  }
}

import { Field, ID, InputType, Int, registerEnumType } from "type-graphql";
import { TEXT_LIMITS, TextField } from "../../shared/text.js";
import { IndustryBelt, ShopKind } from "./catalog.type.js";

export enum ProductOrderField {
  ID = "ID",
  PRICE = "PRICE",
  STOCK = "STOCK",
  TITLE = "TITLE",
}
registerEnumType(ProductOrderField, { name: "ProductOrderField", description: "What to sort products by; ID is creation order." });

export enum OrderDirection {
  ASC = "ASC",
  DESC = "DESC",
}
registerEnumType(OrderDirection, { name: "OrderDirection", description: "Sort direction." });

@InputType("ProductOrder", { description: "Sort order of a product list." })
export class ProductOrder {
  @Field(() => ProductOrderField, { description: "Sort key." })
  field!: ProductOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: "Direction." })
  direction!: OrderDirection;
}

@InputType("ProductFilter", { description: "Conditions a product must meet; all given conditions apply." })
export class ProductFilter {
  @Field(() => ID, { nullable: true, description: "Only this shop's products." })
  shopId?: string | null;

  @TextField(TEXT_LIMITS.categoryFilter)
  @Field(() => String, { nullable: true, description: "Exact category." })
  category?: string | null;

  @Field(() => IndustryBelt, { nullable: true, description: "Origin industry belt." })
  industryBelt?: IndustryBelt | null;

  @Field(() => Boolean, { nullable: true, description: "Cross-border goods only (true) or domestic only (false)." })
  crossBorder?: boolean | null;

  @Field(() => String, { nullable: true, description: "Lowest list price, decimal yuan (inclusive)." })
  minPrice?: string | null;

  @Field(() => String, { nullable: true, description: "Highest list price, decimal yuan (inclusive)." })
  maxPrice?: string | null;
}

@InputType("CreateProductInput", { description: "A new product in one of the viewer's shops." })
export class CreateProductInput {
  @Field(() => ID, { description: "Shop that sells it; must be the viewer's." })
  shopId!: string;

  @TextField(TEXT_LIMITS.productTitle)
  @Field(() => String, { description: "Title, 1–120 characters." })
  title!: string;

  @TextField(TEXT_LIMITS.productDescription)
  @Field(() => String, { nullable: true, description: "Description, at most 5,000 characters." })
  description?: string | null;

  @TextField(TEXT_LIMITS.category)
  @Field(() => String, { description: "Category, e.g. `jade/bracelet`." })
  category!: string;

  @Field(() => IndustryBelt, { nullable: true, description: "Origin industry belt (default: the shop's)." })
  originBelt?: IndustryBelt | null;

  @Field(() => String, { description: "List price per unit, decimal yuan with at most two decimals, e.g. \"199.00\"." })
  price!: string;

  @Field(() => Int, { description: "Units in stock, 0 or more." })
  stock!: number;

  @Field(() => Boolean, { nullable: true, description: "Cross-border goods (the shop must be CROSS_BORDER)." })
  crossBorder?: boolean | null;

  @TextField(TEXT_LIMITS.bondedWarehouse)
  @Field(() => String, { nullable: true, description: "Bonded warehouse; defaults to the shop's for cross-border goods." })
  bondedWarehouse?: string | null;
}

@InputType("UpdateProductInput", { description: "Changes to a product; omitted fields stay as they are." })
export class UpdateProductInput {
  @Field(() => ID, { description: "Product to change; its shop must be the viewer's." })
  productId!: string;

  @Field(() => Int, { nullable: true, description: "If given, the change applies only if the product is still at this version." })
  expectedVersion?: number | null;

  @TextField(TEXT_LIMITS.productTitle)
  @Field(() => String, { nullable: true, description: "New title." })
  title?: string | null;

  @TextField(TEXT_LIMITS.productDescription)
  @Field(() => String, { nullable: true, description: "New description." })
  description?: string | null;

  @TextField(TEXT_LIMITS.category)
  @Field(() => String, { nullable: true, description: "New category." })
  category?: string | null;

  @Field(() => String, { nullable: true, description: "New list price, decimal yuan." })
  price?: string | null;

  @Field(() => Int, { nullable: true, description: "New stock level." })
  stock?: number | null;

  @TextField(TEXT_LIMITS.bondedWarehouse)
  @Field(() => String, { nullable: true, description: "New bonded warehouse (cross-border goods only)." })
  bondedWarehouse?: string | null;
}

@InputType("SetShopCartInput", { description: "Admin: switch a shop's live cart (挂车) off as a penalty (R17), or back on." })
export class SetShopCartInput {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => Boolean, { description: "false: the shop loses the cart (status CART_DISABLED); true: back to NORMAL." })
  enabled!: boolean;

  @TextField(TEXT_LIMITS.adminReason)
  @Field(() => String, { description: "Why, 1–500 characters (logged)." })
  reason!: string;
}

@InputType("TransferShopInput", { description: "Hand a shop to another merchant (or to a promoter as its own shop)." })
export class TransferShopInput {
  @Field(() => ID, { description: "The shop." })
  shopId!: string;

  @Field(() => ID, { description: "The new owner: a MERCHANT or PROMOTER user." })
  newOwnerId!: string;
}

@InputType("OpenShopInput", { description: "Open a shop (小店): a merchant's, or a promoter's own (R6)." })
export class OpenShopInput {
  @TextField(TEXT_LIMITS.shopName)
  @Field(() => String, { description: "Shop name, 1–60 characters." })
  name!: string;

  @Field(() => ShopKind, { nullable: true, description: "REGULAR (default) opens at once; CROSS_BORDER waits for an admin's review of its bonded warehouse." })
  kind?: ShopKind | null;

  @Field(() => IndustryBelt, { nullable: true, description: "Industry belt (default OTHER)." })
  industryBelt?: IndustryBelt | null;

  @TextField(TEXT_LIMITS.bondedWarehouse)
  @Field(() => String, { nullable: true, description: "Bonded warehouse (保税仓) a CROSS_BORDER shop ships from; required for it, refused otherwise." })
  bondedWarehouse?: string | null;
}

@InputType("ReviewShopInput", { description: "Admin's decision on a cross-border shop under review." })
export class ReviewShopInput {
  @Field(() => ID, { description: "The shop (UNDER_REVIEW)." })
  shopId!: string;

  @Field(() => Boolean, { description: "true opens the shop (NORMAL), false rejects it (REJECTED)." })
  approve!: boolean;

  @TextField(TEXT_LIMITS.shopReviewNote)
  @Field(() => String, { nullable: true, description: "Reviewer's note, up to 2,000 characters." })
  note?: string | null;
}

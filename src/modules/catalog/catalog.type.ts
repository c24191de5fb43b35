import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { ProductRow, ShopRow } from "../../db/schema/index.js";
import { toGlobalId } from "../../shared/ids.js";
import { Money, money } from "../../shared/money.js";
import { Node } from "../../shared/node.type.js";
import { PageInfo } from "../../shared/pagination.js";

export enum ShopKind {
  REGULAR = "REGULAR",
  CROSS_BORDER = "CROSS_BORDER",
}
registerEnumType(ShopKind, { name: "ShopKind", description: "Regular domestic shop, or cross-border shop selling from a bonded warehouse." });

export enum ShopStatus {
  NORMAL = "NORMAL",
  CART_DISABLED = "CART_DISABLED",
  CLOSED = "CLOSED",
  UNDER_REVIEW = "UNDER_REVIEW",
  REJECTED = "REJECTED",
}
registerEnumType(ShopStatus, {
  name: "ShopStatus",
  description: "NORMAL shops may pin goods to a live cart (挂车); the others may not.",
  valuesConfig: {
    UNDER_REVIEW: { description: "A new cross-border shop waiting for an admin's review of its bonded warehouse." },
    REJECTED: { description: "A cross-border shop the review refused." },
  },
});

export enum IndustryBelt {
  JADE_RUILI = "JADE_RUILI",
  JADE_SIHUI = "JADE_SIHUI",
  JADE_JIEYANG = "JADE_JIEYANG",
  JADE_KETANG = "JADE_KETANG",
  JADE_ZHENPING = "JADE_ZHENPING",
  JADE_XIUYAN = "JADE_XIUYAN",
  JADE_SHIYAN = "JADE_SHIYAN",
  CLOTHING_HANGZHOU = "CLOTHING_HANGZHOU",
  CLOTHING_ZHENGZHOU = "CLOTHING_ZHENGZHOU",
  CLOTHING_TONGERBAO = "CLOTHING_TONGERBAO",
  CLOTHING_CHANGSHU = "CLOTHING_CHANGSHU",
  CLOTHING_CANGZHOU = "CLOTHING_CANGZHOU",
  OTHER = "OTHER",
}
registerEnumType(IndustryBelt, {
  name: "IndustryBelt",
  description: "Source industry belt (产业带): the jade belts (Ruili, Sihui, Jieyang, Ketang, Zhenping, Xiuyan, Shiyan) and the clothing belts (Hangzhou, Zhengzhou, Tong'erbao, Changshu, Cangzhou).",
});

@ObjectType("Shop", { implements: Node, description: "A merchant's shop (小店)." })
export class Shop extends Node {
  readonly __typename = "Shop";
  rowId!: number;
  ownerRowId!: number;

  @Field(() => String, { description: "Shop name." })
  name!: string;

  @Field(() => ShopKind, { description: "REGULAR or CROSS_BORDER." })
  kind!: ShopKind;

  @Field(() => ShopStatus, { description: "Whether the shop may use the live cart." })
  status!: ShopStatus;

  @Field(() => Int, { description: "Credit score; at 0 or below the shop loses the cart function." })
  creditScore!: number;

  @Field(() => IndustryBelt, { description: "Industry belt the shop belongs to." })
  industryBelt!: IndustryBelt;

  @Field(() => String, { nullable: true, description: "Bonded warehouse (保税仓) of a cross-border shop." })
  bondedWarehouse!: string | null;

  @Field(() => String, { nullable: true, description: "The reviewer's note on a cross-border shop's review." })
  reviewNote!: string | null;
}

@ObjectType("Product", { implements: Node, description: "A product a shop sells." })
export class Product extends Node {
  readonly __typename = "Product";
  rowId!: number;
  shopRowId!: number;

  @Field(() => String, { description: "Title shown to buyers." })
  title!: string;

  @Field(() => String, { description: "Longer description." })
  description!: string;

  @Field(() => String, { description: "Category, e.g. `jade/bracelet` or `clothing/coat`." })
  category!: string;

  @Field(() => IndustryBelt, { description: "Industry belt the goods come from." })
  originBelt!: IndustryBelt;

  @Field(() => Money, { description: "List price per unit." })
  price!: Money;

  priceFen!: number;

  @Field(() => Int, { description: "Units in stock (not counting units allocated to running flash sales)." })
  stock!: number;

  @Field(() => Boolean, { description: "Sold cross-border from a bonded warehouse." })
  crossBorder!: boolean;

  @Field(() => String, { nullable: true, description: "Bonded warehouse (保税仓) the product ships from, for cross-border goods." })
  bondedWarehouse!: string | null;

  @Field(() => Int, { description: "Increases by one with every change." })
  version!: number;

  @Field(() => Date, { description: "When the product was created." })
  createdAt!: Date;

  @Field(() => Date, { description: "When the product last changed." })
  updatedAt!: Date;
}

@ObjectType("ProductEdge", { description: "A product in a page of results." })
export class ProductEdge {
  @Field(() => Product, { description: "The product." })
  node!: Product;

  @Field(() => String, { description: "Opaque cursor of this edge." })
  cursor!: string;
}

@ObjectType("ProductConnection", { description: "A page of products." })
export class ProductConnection {
  @Field(() => [ProductEdge], { description: "The products of this page." })
  edges!: ProductEdge[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;
}

@ObjectType("ShopEdge", { description: "A shop in a page of results." })
export class ShopEdge {
  @Field(() => Shop, { description: "The shop." })
  node!: Shop;

  @Field(() => String, { description: "Opaque cursor of this edge." })
  cursor!: string;
}

@ObjectType("ShopConnection", { description: "A page of shops, oldest first." })
export class ShopConnection {
  @Field(() => [ShopEdge], { description: "The shops of this page." })
  edges!: ShopEdge[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;
}

export function toShop(row: ShopRow): Shop {
  return Object.assign(new Shop(), {
    id: toGlobalId("Shop", row.id),
    rowId: row.id,
    ownerRowId: row.ownerId,
    name: row.name,
    kind: row.kind as ShopKind,
    status: row.status as ShopStatus,
    creditScore: row.creditScore,
    industryBelt: row.industryBelt as IndustryBelt,
    bondedWarehouse: row.bondedWarehouse,
    reviewNote: row.reviewNote,
  });
}

export function toProduct(row: ProductRow): Product {
  return Object.assign(new Product(), {
    id: toGlobalId("Product", row.id),
    rowId: row.id,
    shopRowId: row.shopId,
    title: row.title,
    description: row.description,
    category: row.category,
    originBelt: row.originBelt as IndustryBelt,
    price: money(row.priceFen),
    priceFen: row.priceFen,
    stock: row.stock,
    crossBorder: row.crossBorder,
    bondedWarehouse: row.bondedWarehouse,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

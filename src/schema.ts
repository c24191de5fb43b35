import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { authChecker } from "./shared/auth.js";
import { validateText } from "./shared/text.js";
import { AccountsResolver } from "./modules/accounts/accounts.resolver.js";
import { AnalyticsResolver } from "./modules/analytics/index.js";
import {
  CommissionPlanResolver,
  DistributionResolver,
  PromoterResolver,
  SampleRequestResolver,
  ShelfItemResolver,
  ShopAllianceResolver,
} from "./modules/alliance/index.js";
import { ProductResolver, ShopResolver } from "./modules/catalog/catalog.resolver.js";
import { GovernanceResolver, ShopCreditResolver } from "./modules/governance/index.js";
import { AfterSalesResolver, AfterSalesUpdatesResolver } from "./modules/after-sales/index.js";
import { FlashSaleResolver, FlashSaleStockResolver } from "./modules/flash-sales/flash-sale.resolver.js";
import { CartItemResolver, LiveSessionResolver } from "./modules/live/live.resolver.js";
import { OrderResolver } from "./modules/orders/orders.resolver.js";
import { OrderFulfilmentResolver, OrderUpdatesResolver } from "./modules/fulfilment/index.js";
import { OrderSettlementResolver, SettlementResolver } from "./modules/settlement/index.js";
import {
  AgreedPriceResolver,
  PriceGuardAlertResolver,
  PriceGuardResolver,
  PriceGuardRestrictionResolver,
  PriceGuardViolationResolver,
  ProductAgreedPriceResolver,
  ShopRestrictionsResolver,
} from "./modules/price-guard/index.js";

export const schemaFile = fileURLToPath(new URL("../schema/schema.graphql", import.meta.url));

let built: Promise<GraphQLSchema> | null = null;

/** The schema is the same for every gateway in a process; type-graphql builds it once. */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      AccountsResolver,
      AnalyticsResolver,
      GovernanceResolver,
      ProductResolver,
      ShopResolver,
      LiveSessionResolver,
      CartItemResolver,
      FlashSaleResolver,
      FlashSaleStockResolver,
      OrderResolver,
      DistributionResolver,
      CommissionPlanResolver,
      PromoterResolver,
      ShelfItemResolver,
      SampleRequestResolver,
      ShopAllianceResolver,
      PriceGuardResolver,
      PriceGuardAlertResolver,
      AgreedPriceResolver,
      PriceGuardViolationResolver,
      PriceGuardRestrictionResolver,
      ProductAgreedPriceResolver,
      ShopRestrictionsResolver,
      OrderFulfilmentResolver,
      OrderUpdatesResolver,
      SettlementResolver,
      OrderSettlementResolver,
      AfterSalesResolver,
      AfterSalesUpdatesResolver,
      ShopCreditResolver,
    ],
    authChecker,
    // One text validator for every argument (src/shared/text.ts): NUL, lone surrogates, blank and overlong text.
    validateFn: validateText,
    // Every subscription brings its own `subscribe` (snapshot first, then bus events); no topic-based PubSub is used.
    pubSub: {
      publish: () => {
        throw new Error("publish through the EventBus");
      },
      subscribe: () => {
        throw new Error("subscriptions declare their own subscribe function");
      },
    },
  });
  return built;
}

export function printGatewaySchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}

export async function emitSchema(): Promise<void> {
  await writeFile(schemaFile, printGatewaySchema(await buildGatewaySchema()));
}

import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { authChecker } from "./shared/auth.js";
import { NodeRegistry } from "./shared/node.registry.js";
import { bindContainer, ResolverContainer } from "./shared/resolver-container.js";
import { validateText } from "./shared/text.js";
import type { Services } from "./services.js";
import { accountNodes, AccountsResolver } from "./modules/accounts/index.js";
import {
  allianceNodes,
  CommissionPlanResolver,
  DistributionResolver,
  PromoterResolver,
  SampleRequestResolver,
  ShelfItemResolver,
  ShopAllianceResolver,
} from "./modules/alliance/index.js";
import { AnalyticsResolver } from "./modules/analytics/index.js";
import { catalogNodes, ProductResolver, ShopResolver } from "./modules/catalog/index.js";
import { flashSaleNodes, FlashSaleResolver, FlashSaleStockResolver, LiveSessionFlashSalesResolver } from "./modules/flash-sales/index.js";
import { OrderFulfilmentResolver, OrderUpdatesResolver } from "./modules/fulfilment/index.js";
import { GovernanceResolver, ShopCreditResolver } from "./modules/governance/index.js";
import { afterSalesNodes, AfterSalesResolver, AfterSalesUpdatesResolver } from "./modules/after-sales/index.js";
import { CartItemResolver, liveNodes, LiveSessionResolver, setLiveEventMembers } from "./modules/live/index.js";
import { orderNodes, OrderResolver } from "./modules/orders/index.js";
import {
  AgreedPriceResolver,
  PriceGuardAlertResolver,
  PriceGuardResolver,
  PriceGuardRestrictionResolver,
  PriceGuardViolationResolver,
  PriceGuardAlert,
  priceGuardNodes,
  ProductAgreedPriceResolver,
  ShopRestrictionsResolver,
} from "./modules/price-guard/index.js";
import { OrderSettlementResolver, settlementNodes, SettlementResolver } from "./modules/settlement/index.js";

export const schemaFile = fileURLToPath(new URL("../schema/schema.graphql", import.meta.url));

/** The schema's one list of resolvers, each built with the services it uses, and of the types `node(id:)` fetches. */
export function gatewayResolvers(s: Services): object[] {
  const nodes = new NodeRegistry(
    accountNodes,
    catalogNodes(s.catalog),
    liveNodes(s.live),
    flashSaleNodes(s.flashSales),
    orderNodes(s.orders),
    allianceNodes(s.alliance),
    priceGuardNodes(s.priceGuard),
    settlementNodes(s.settlement),
    afterSalesNodes(s.afterSales),
  );
  return [
    new AccountsResolver(s.accounts, nodes),
    new AnalyticsResolver(),
    new GovernanceResolver(s.governance),
    new ProductResolver(s.catalog),
    new ShopResolver(s.catalog),
    new LiveSessionResolver(s.live),
    new CartItemResolver(s.catalog),
    new FlashSaleResolver(s.flashSales, s.catalog, s.live),
    new FlashSaleStockResolver(s.flashSales),
    new LiveSessionFlashSalesResolver(),
    new OrderResolver(s.orders, s.catalog, s.flashSales),
    new DistributionResolver(s.alliance, s.catalog),
    new CommissionPlanResolver(s.alliance, s.catalog),
    new PromoterResolver(s.alliance),
    new ShelfItemResolver(s.catalog),
    new SampleRequestResolver(s.alliance, s.catalog),
    new ShopAllianceResolver(s.alliance),
    new PriceGuardResolver(s.priceGuard),
    new PriceGuardAlertResolver(s.catalog),
    new AgreedPriceResolver(s.catalog),
    new PriceGuardViolationResolver(s.catalog, s.live, s.flashSales, s.priceGuard),
    new PriceGuardRestrictionResolver(s.catalog, s.priceGuard),
    new ProductAgreedPriceResolver(s.priceGuard),
    new ShopRestrictionsResolver(s.priceGuard),
    new OrderFulfilmentResolver(s.fulfilment),
    new OrderUpdatesResolver(s.fulfilment),
    new SettlementResolver(s.settlement, s.orders),
    new OrderSettlementResolver(s.settlement),
    new AfterSalesResolver(s.afterSales, s.orders),
    new AfterSalesUpdatesResolver(s.afterSales),
    new ShopCreditResolver(s.credit, s.deposits),
  ];
}

/** Other modules' events shown in live rooms (members of the LiveSessionEvent union), by their bus kind. */
const LIVE_EVENT_MEMBERS = { PRICE_GUARD_ALERT: PriceGuardAlert };

/** Printing and validating read only the decorators: resolvers built without services, never run. */
const UNBOUND = new Proxy({}, { get: () => undefined }) as Services;

let unbound: Promise<GraphQLSchema> | null = null;

/**
 * Each gateway builds its own schema around its services. Without services the schema can be printed and
 * validated against, not executed; that one is the same for the whole process and is built once.
 */
export function buildGatewaySchema(services?: Services): Promise<GraphQLSchema> {
  if (!services) return (unbound ??= build(gatewayResolvers(UNBOUND)));
  return build(gatewayResolvers(services));
}

async function build(resolvers: object[]): Promise<GraphQLSchema> {
  setLiveEventMembers(LIVE_EVENT_MEMBERS);
  const container = new ResolverContainer(resolvers);
  const schema = await buildSchema({
    resolvers: resolvers.map((r) => r.constructor) as [Function, ...Function[]],
    container,
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
  bindContainer(schema, container);
  return schema;
}

export function printGatewaySchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}

export async function emitSchema(): Promise<void> {
  await writeFile(schemaFile, printGatewaySchema(await buildGatewaySchema()));
}

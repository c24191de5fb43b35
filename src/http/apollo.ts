import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import type { Context } from "../shared/context.js";
import { ErrorCode, formatError, RETRY_AFTER_SECONDS } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { CompiledOperations } from "./compiled-executor.js";
import type { OperationGuard } from "./operation-guard.js";

export interface ApolloDeps {
  schema: GraphQLSchema;
  /** Queries and mutations, compiled: Apollo's executor (its gateway) and the fast lane's. */
  operations: CompiledOperations;
  /** Plugins of the fast lane (src/http/fast-lane.ts), when it is on. */
  fastLanePlugins: ApolloServerPlugin<Context>[];
  log: Logger;
  guard: OperationGuard;
  /** Counts and times every operation (src/http/request-log.ts). */
  metricsPlugin: ApolloServerPlugin<object>;
  /** Automatic persisted queries: shared through Redis when there is one, else Apollo's in-memory cache. */
  persistedQueries: ApolloServerOptions<Context>["persistedQueries"];
  /** Sees every error Apollo formats (the database breaker trips on an outage). */
  onError(error: unknown): void;
}

/** Adds the request id to every error, and logs the masked ones (remembered by `formatError`) with it. */
function requestIdPlugin(log: Logger, unexpected: WeakMap<object, unknown>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== "single" || !response.body.singleResult.errors) return;
          const { requestId } = contextValue;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => {
            if (unexpected.has(e)) log.error("unexpected error", { requestId, error: unexpected.get(e) });
            return { ...e, extensions: { ...e.extensions, requestId } };
          });
        },
      };
    },
  };
}

/** An outage answers 503 with Retry-After: the client may retry the same request (orders carry idempotency keys). */
const unavailablePlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== "single") return;
        if (!response.body.singleResult.errors?.some((e) => e.extensions?.code === ErrorCode.UNAVAILABLE)) return;
        response.http.status = 503;
        response.http.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
      },
    };
  },
};

export async function startApollo(deps: ApolloDeps): Promise<ApolloServer<Context>> {
  const unexpected = new WeakMap<object, unknown>();
  const apollo = new ApolloServer<Context>({
    gateway: deps.operations.gateway(),
    // Signals are the process's (src/main.ts): Apollo's own handler would refuse requests with 500s while the
    // server still drains.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    persistedQueries: deps.persistedQueries,
    // Apollo's formatError knows no request: masked errors are remembered here and logged, with the request id,
    // by the requestIdPlugin as the response leaves.
    formatError: (formatted, error) => {
      deps.onError(error);
      let original: { error: unknown } | null = null;
      const result = formatError(formatted, error, undefined, (e) => (original = { error: e }));
      if (original) unexpected.set(result, (original as { error: unknown }).error);
      return result;
    },
    // No HTTP caching of GraphQL responses here; the cache-control plugin would wrap every field resolver.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      deps.metricsPlugin,
      deps.guard.apolloPlugin(),
      requestIdPlugin(deps.log, unexpected),
      unavailablePlugin,
      ...deps.fastLanePlugins,
    ],
  });
  await apollo.start();
  return apollo;
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import type { Context } from "../shared/context.js";
import { bearerToken, type Viewer } from "../shared/auth.js";
import { AppError } from "../shared/errors.js";
import { readGraphQLBody } from "./body.js";
import type { FastLane } from "./fast-lane.js";
import { serveGraphiql, wantsGraphiql } from "./graphiql.js";
import { screenHttpRequest, withCost, type OperationGuard } from "./operation-guard.js";
import { trackRequest } from "./request-log.js";
import { sendGraphQLError } from "./respond.js";

const AUTH_STATUS: Record<string, number> = { FORBIDDEN: 403, SERVICE_UNAVAILABLE: 503 };

export interface GraphQLHandlerDeps {
  apollo: ApolloServer<Context>;
  authenticate(token: string | null): Promise<Viewer | null>;
  guard: OperationGuard;
  maxCost: number;
  contextFor(viewer: Viewer | null, requestId: string, clientAddress: string): Context;
  /** Answers known documents without Apollo's pipeline; null when HTTP_FAST_LANE is off. */
  fastLane: FastLane | null;
}

/**
 * /graphql over HTTP: GraphiQL for browsers, else authenticate, read and screen the body, and answer it on the fast
 * lane or hand it to Apollo (with what the lane decided, when it began).
 */
export function graphqlHandler(deps: GraphQLHandlerDeps) {
  const { apollo, guard, maxCost } = deps;
  return async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, caller: string): Promise<void> {
    if (wantsGraphiql(req, url)) return serveGraphiql(req, res, url, { authenticate: deps.authenticate, mayIntrospect: (viewer) => guard.mayIntrospect(viewer) });
    let viewer: Viewer | null;
    try {
      viewer = await deps.authenticate(bearerToken(req.headers.authorization));
    } catch (error) {
      if (error instanceof AppError) return sendGraphQLError(res, AUTH_STATUS[String(error.extensions.code)] ?? 401, error, requestId, maxCost);
      throw error;
    }
    let body: unknown;
    try {
      body = screenHttpRequest(guard, req.method ?? "GET", url, await readGraphQLBody(req));
    } catch (error) {
      if (error instanceof AppError) return sendGraphQLError(res, 400, error, requestId, maxCost);
      throw error;
    }
    const contextOf = () => trackRequest(req, deps.contextFor(viewer, requestId, caller), viewer?.userId);
    const lane = deps.fastLane ? await deps.fastLane.serve(req, res, body, contextOf) : undefined;
    if (lane === "answered") return;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: async () => lane ?? contextOf(),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") return void res.end(res.statusCode >= 400 ? withCost(response.body.string, maxCost) : response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import type { GraphQLSchema } from "graphql";
import type { Config } from "../config/env.js";
import type { Context } from "../shared/context.js";
import { Role, type Viewer } from "../shared/auth.js";
import { AppError, ErrorCode } from "../shared/errors.js";
import { DocumentAnalyzer, limitError, type DocumentAnalysis, type OperationFacts } from "./limits.js";
import type { Metrics } from "./metrics.js";
import type { OperationManifest } from "./persisted-operations.js";
import type { RateLimiter, ThrottleStatus } from "./rate-limit.js";

export type Transport = "http" | "ws";

/** `extensions.cost` of every response, after Shopify's. */
export interface CostReport {
  requestedQueryCost: number;
  maximumQueryCost: number;
  throttleStatus?: ThrottleStatus;
}

export interface Admitted {
  operation: OperationFacts | null;
  cost: CostReport;
  /** Set when the operation must not run; the cost report still goes out with it. */
  refusal?: AppError;
}

const STAFF = new Set<Role>([Role.ADMIN, Role.ANALYST]);

/**
 * The locks both doors share. HTTP: `screen` before Apollo parses or validates anything, then `admit` from the
 * Apollo plugin once the operation is known. WebSocket: both from graphql-ws's onSubscribe.
 */
export class OperationGuard {
  readonly analyzer: DocumentAnalyzer;
  private readonly introspection: "everyone" | "staff" | "nobody";

  constructor(
    private readonly deps: {
      config: Config;
      schema: GraphQLSchema;
      limiter: RateLimiter;
      manifest: OperationManifest | null;
      metrics: Metrics;
    },
  ) {
    const c = deps.config;
    this.analyzer = new DocumentAnalyzer(deps.schema, {
      maxDepth: c.LIMIT_MAX_DEPTH,
      maxAliases: c.LIMIT_MAX_ALIASES,
      maxDirectives: c.LIMIT_MAX_DIRECTIVES,
      maxTokens: c.LIMIT_MAX_TOKENS,
      maxCost: c.LIMIT_MAX_COST,
    });
    this.introspection = c.INTROSPECTION === "auto" ? (c.mode === "embedded" ? "everyone" : "staff") : c.INTROSPECTION;
  }

  /** Introspection, and with it GraphiQL: everyone in the embedded default, ADMIN and ANALYST in production. */
  mayIntrospect(viewer: Viewer | null): boolean {
    if (this.introspection === "everyone") return true;
    return this.introspection === "staff" && viewer !== null && STAFF.has(viewer.role);
  }

  /**
   * Before any parsing or validation: the operation allowlist (which may supply the document for a bare hash)
   * and the limits that need no variables. Returns the document to run, if the request sends or names one.
   */
  screen(request: { query?: unknown; hash?: unknown }, transport: Transport): string | undefined {
    let source = typeof request.query === "string" ? request.query : undefined;
    try {
      if (this.deps.manifest && (source !== undefined || request.hash !== undefined)) source = this.deps.manifest.resolve(source, request.hash);
      if (source !== undefined) {
        const { violation } = this.analyzer.analyse(source);
        if (violation) throw limitError(violation);
      }
    } catch (error) {
      if (error instanceof AppError) this.refused(transport, error);
      throw error;
    }
    return source;
  }

  /** Cost, introspection and the caller's rate limit, once the operation to run is known. */
  async admit(input: {
    source: string;
    analysis?: DocumentAnalysis;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
    viewer: Viewer | null;
    clientAddress: string | undefined;
    transport: Transport;
  }): Promise<Admitted> {
    const analysis = input.analysis ?? this.analyzer.analyse(input.source);
    const maximumQueryCost = this.analyzer.limits.maxCost;
    const operation = DocumentAnalyzer.select(analysis, input.operationName);
    const refuse = (refusal: AppError, cost: CostReport): Admitted => {
      this.refused(input.transport, refusal);
      return { operation, cost, refusal };
    };
    if (analysis.violation) return refuse(limitError(analysis.violation), { requestedQueryCost: 0, maximumQueryCost });
    const requested = operation ? operation.cost(input.variables) : 0;
    if (requested > maximumQueryCost) {
      return refuse(limitError({ limit: "cost", max: maximumQueryCost, actual: requested }), { requestedQueryCost: requested, maximumQueryCost });
    }
    if (operation?.introspection && !this.mayIntrospect(input.viewer)) {
      return refuse(new AppError(ErrorCode.FORBIDDEN, "Introspection is open to ADMIN and ANALYST users only."), { requestedQueryCost: requested, maximumQueryCost });
    }
    const key = input.viewer ? `user:${input.viewer.userId}` : `addr:${input.clientAddress ?? "unknown"}`;
    // Every operation pours at least one point, so free ones (`{ __typename }`) cannot be sent without bound.
    const taken = await this.deps.limiter.take(key, Math.max(1, requested));
    const cost = { requestedQueryCost: requested, maximumQueryCost, throttleStatus: taken.status };
    if (!taken.admitted) {
      const seconds = Math.ceil(taken.retryAfterMs / 1000);
      return refuse(
        new AppError(ErrorCode.THROTTLED, `Too many cost points in too little time; retry in ${seconds} s.`, {
          retryAfterMs: taken.retryAfterMs,
          retryAfterSeconds: seconds,
        }),
        cost,
      );
    }
    return { operation, cost };
  }

  private refused(transport: Transport, error: AppError): void {
    const code = String(error.extensions.code);
    this.deps.metrics.operationsRefused.inc({ transport, reason: code === ErrorCode.LIMIT_EXCEEDED ? String(error.extensions.limit) : code.toLowerCase() });
  }

  /** Admission on HTTP, and `extensions.cost` on every response Apollo writes. */
  apolloPlugin(): ApolloServerPlugin<Context> {
    const guard = this;
    return {
      async requestDidStart() {
        let cost: CostReport = { requestedQueryCost: 0, maximumQueryCost: guard.analyzer.limits.maxCost };
        return {
          async didResolveOperation(rc) {
            // Apollo would run a subscription's resolver as a query, with no event: a masked 500.
            if (rc.operation?.operation === "subscription") {
              throw withHttpStatus(new AppError(ErrorCode.BAD_REQUEST, "Subscriptions run over WebSocket (graphql-ws) on this same path, not over HTTP"));
            }
            const admitted = (rc.contextValue as { [ADMITTED]?: Admitted })[ADMITTED] ?? await guard.admit({
              source: rc.source!,
              operationName: rc.request.operationName,
              variables: rc.request.variables,
              viewer: rc.contextValue.viewer,
              clientAddress: rc.contextValue.clientAddress,
              transport: "http",
            });
            cost = admitted.cost;
            if (admitted.refusal) throw withHttpStatus(admitted.refusal);
          },
          async willSendResponse(rc) {
            if (rc.response.body.kind === "single") {
              rc.response.body.singleResult.extensions = { ...rc.response.body.singleResult.extensions, cost };
            }
          },
        };
      },
    };
  }
}

const ADMITTED = Symbol("admitted");

/** The fast lane (src/http/fast-lane.ts) admitted this request already: Apollo's plugin takes its verdict, not another. */
export function preAdmitted<C extends object>(context: C, admitted: Admitted): C {
  (context as { [ADMITTED]?: Admitted })[ADMITTED] = admitted;
  return context;
}

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.THROTTLED]: 429,
  [ErrorCode.FORBIDDEN]: 403,
};

/** Apollo takes the HTTP status of a refused request from `extensions.http` (and strips it from the response). */
export function withHttpStatus(error: AppError): AppError {
  const status = STATUS[String(error.extensions.code)] ?? 400;
  const headers = new HeaderMap();
  if (typeof error.extensions.retryAfterSeconds === "number") headers.set("retry-after", String(error.extensions.retryAfterSeconds));
  error.extensions.http = { status, headers };
  return error;
}

export const noCost = (maximumQueryCost: number): CostReport => ({ requestedQueryCost: 0, maximumQueryCost });

/**
 * Apollo refuses some requests before any plugin runs (CSRF, a body without a query, batching); their error body
 * gets the zero cost here, so every response carries `extensions.cost`. Error path only: the body is small.
 */
export function withCost(body: string, maximumQueryCost: number): string {
  try {
    const parsed = JSON.parse(body) as { extensions?: Record<string, unknown> } | null;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || parsed.extensions?.cost) return body;
    return JSON.stringify({ ...parsed, extensions: { ...parsed.extensions, cost: noCost(maximumQueryCost) } });
  } catch {
    return body;
  }
}

/** The client's address: the socket's, or with TRUST_PROXY_HOPS=n the one n proxies back in X-Forwarded-For. */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string {
  const chain = trustedHops > 0 && forwardedFor ? (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map((a) => a.trim()).filter(Boolean) : [];
  const all = [...chain, socketAddress ?? "unknown"];
  return all[Math.max(0, all.length - 1 - trustedHops)]!;
}

/**
 * The HTTP side of `screen`: the document and APQ hash travel in the JSON body (POST) or the query string (GET).
 * Returns the body to hand to Apollo, with the document filled in when the allowlist supplied it.
 */
export function screenHttpRequest(guard: OperationGuard, method: string, url: URL, body: unknown): unknown {
  if (method === "GET") {
    let hash: unknown;
    try {
      hash = (JSON.parse(url.searchParams.get("extensions") ?? "null") as { persistedQuery?: { sha256Hash?: unknown } } | null)?.persistedQuery?.sha256Hash;
    } catch {
      /* Apollo reports a malformed extensions parameter */
    }
    const source = guard.screen({ query: url.searchParams.get("query") ?? undefined, hash }, "http");
    if (source !== undefined && !url.searchParams.has("query")) url.searchParams.set("query", source);
    return body;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const request = body as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
  const source = guard.screen({ query: request.query, hash: request.extensions?.persistedQuery?.sha256Hash }, "http");
  return source !== undefined && request.query === undefined ? { ...request, query: source } : body;
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { DocumentNode } from "graphql";
import type { Context } from "../shared/context.js";
import { ranBefore, type CompiledOperations } from "./compiled-executor.js";
import { documentCache, DocumentAnalyzer, type DocumentAnalysis } from "./limits.js";
import type { Metrics, OperationNames } from "./metrics.js";
import { preAdmitted, type OperationGuard } from "./operation-guard.js";
import { recordOperation } from "./request-log.js";

/** Apollo's content type for a single JSON result (`MEDIA_TYPES.APPLICATION_JSON`). */
const JSON_RESULT = "application/json; charset=utf-8";

/**
 * Accept headers for which Apollo answers `application/json` (no header, or one that prefers it): fetch's, axios',
 * curl's and Apollo Client's defaults. Anything else (e.g. preferring application/graphql-response+json) goes to
 * Apollo, which negotiates.
 */
const JSON_ACCEPTED = new Set([undefined, "*/*", "application/json", "application/json, */*", "application/json, text/plain, */*"]);
const JSON_BODY = /^application\/json\s*(;|$)/i;

const isRecordOrAbsent = (value: unknown) => value === undefined || value === null || (typeof value === "object" && !Array.isArray(value));

/**
 * The common request, answered without Apollo's request pipeline: a JSON POST of one operation whose document
 * Apollo has already parsed and validated on this process, which runs compiled and answers without errors. That
 * is every request of a sellout after the first: the pipeline (its hooks, document hashing, header maps, response
 * object) was ~20% of an order's gateway CPU (tests/bench/pipeline.ts, alternated runs: 0.43–0.48 → 0.35–0.37 ms
 * an attempt).
 *
 * Everything a request can be refused for or fail with is still Apollo's, so its words, status codes and masking
 * stay the only ones: an unknown document, a persisted query, a subscription, another content type goes to Apollo
 * untouched; once the lane has admitted the operation (cost, introspection, the rate limit: the guard's `admit`,
 * as Apollo's plugin would) or run it, a refusal or a result with errors is handed to Apollo with what was decided
 * (`preAdmitted`, `ranBefore`), so nothing is poured into the rate limit twice nor run twice.
 */
export class FastLane {
  /** Documents Apollo validated, by text, with the guard's analysis of each (the same bound as the guard's cache). */
  private readonly validated = documentCache<{ document: DocumentNode; analysis: DocumentAnalysis }>(1000, 4 * 1024 * 1024);

  constructor(
    private readonly deps: {
      guard: OperationGuard;
      operations: CompiledOperations;
      metrics: Metrics;
      names: OperationNames;
    },
  ) {}

  /** Remembers each document Apollo has validated (validation depends on the document and schema alone). */
  apolloPlugin(): ApolloServerPlugin<Context> {
    const { validated, deps } = this;
    return {
      async requestDidStart() {
        return {
          async didResolveOperation({ source, document }) {
            if (source !== undefined && !validated.has(source)) validated.set(source, { document, analysis: deps.guard.analyzer.analyse(source) });
          },
        };
      },
    };
  }

  /**
   * Answers the request, or returns the context Apollo must finish it with (undefined: Apollo takes it from the
   * start). `body` is the screened body; `contextFor` builds the request's context.
   */
  async serve(req: IncomingMessage, res: ServerResponse, body: unknown, contextFor: () => Context): Promise<Context | undefined | "answered"> {
    if (req.method !== "POST" || !JSON_BODY.test(req.headers["content-type"] ?? "") || !JSON_ACCEPTED.has(req.headers.accept)) return undefined;
    if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
    const { query, variables, operationName, extensions } = body as Record<string, unknown>;
    if (typeof query !== "string" || !isRecordOrAbsent(variables) || !isRecordOrAbsent(extensions)) return undefined;
    if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return undefined;
    if (extensions && "persistedQuery" in (extensions as object)) return undefined;
    const known = this.validated.get(query);
    if (!known) return undefined;
    const { document, analysis } = known;
    const { guard, operations, metrics, names } = this.deps;
    const operation = DocumentAnalyzer.select(analysis, operationName);
    if (!operation || operation.type === "subscription") return undefined;
    // Keyed by the operation's own name, as Apollo's executor keys it: one plan per operation, whichever path ran it
    // first (a request that names no operation would otherwise compile its only one a second time).
    const plan = operations.planOf(document, operation.name ?? "", operation.type);
    if (plan === "generic") return undefined;

    const started = process.hrtime.bigint();
    const context = contextFor();
    const vars = (variables ?? undefined) as Record<string, unknown> | undefined;
    const admitted = await guard.admit({ source: query, analysis, operationName, variables: vars, viewer: context.viewer, clientAddress: context.clientAddress, transport: "http" });
    if (admitted.refusal) return preAdmitted(context, admitted);
    let result;
    try {
      result = await plan.query(undefined, context, vars ?? {});
    } catch (error) {
      return ranBefore(preAdmitted(context, admitted), { error });
    }
    // Errors are Apollo's to format, mask and give a status; with no data nothing ran (the variables were refused),
    // and Apollo's executor says why in graphql-js's words.
    if (result.errors) return result.data === undefined ? preAdmitted(context, admitted) : ranBefore(preAdmitted(context, admitted), { result });
    recordOperation(metrics, names, context, started, { operationName: operation.name, type: operation.type, outcome: "ok" });
    metrics.fastLane.inc();
    res.statusCode = 200;
    res.setHeader("content-type", JSON_RESULT);
    res.end(JSON.stringify({ data: result.data, extensions: { cost: admitted.cost } }) + "\n");
    return "answered";
  }
}

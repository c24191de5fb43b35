import type { ApolloServerOptionsWithGateway } from "@apollo/server";
import { execute, GraphQLError, Kind, visit, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { Context } from "../shared/context.js";

type Gateway = ApolloServerOptionsWithGateway<Context>["gateway"];
type Executor = NonNullable<Awaited<ReturnType<Gateway["load"]>>["executor"]>;

/** How an operation of a document runs: compiled, or by graphql-js. */
export type Plan = CompiledQuery | "generic";

/**
 * Queries and mutations over HTTP run compiled (graphql-jit): an operation is turned into a function once, the first
 * time its document is seen, and that function resolves every later request of the same document. graphql-js's
 * generic executor walks the document, builds each field's arguments and info, and tracks promises per object on
 * every request: for a 30-item shelf that was most of what a request allocated (shelf 1.27 → 0.84 ms of CPU a
 * request, measured on the read-path bench).
 *
 * Apollo Server 5 has no executor option; a gateway is its documented way to supply one. Everything before execution
 * stays Apollo's: parsing and its document cache, validation with our limit rules, the operation guard and cost,
 * plugins, error formatting and masking. Apollo keeps one document object per query text in its document store, so
 * compiled operations hang off that object and go when Apollo's cache lets it go.
 *
 * graphql-jit departs from graphql-js in one place we cannot patch simply: a variable inside an object or list
 * literal (`input: { title: $title }`) that the request leaves out becomes null instead of absent (graphql-jit issue
 * #91), and null means "clear" where absent means "keep". Such documents run on graphql-js, as do subscriptions sent
 * over HTTP. (Its other departure, a non-null input field with a default refused when omitted, is fixed in
 * patches/graphql-jit+0.8.9.patch.) Subscriptions over WebSocket are graphql-ws's (src/realtime), executed once per
 * room event and selection.
 */
export class CompiledOperations {
  private readonly plans = new WeakMap<DocumentNode, Map<string, Plan>>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** How `operationName` (or the only operation) of `document` runs: compiled once, then kept with the document. */
  planOf(document: DocumentNode, operationName: string, kind: string | undefined): Plan {
    let byName = this.plans.get(document);
    if (!byName) this.plans.set(document, (byName = new Map()));
    let plan = byName.get(operationName);
    if (!plan) {
      plan = kind === "subscription" || variablesInLiterals(document) ? "generic" : this.compiled(document, operationName);
      byName.set(operationName, plan);
    }
    return plan;
  }

  // What graphql-jit cannot compile (it answers errors, or throws) graphql-js runs, and reports in its own words.
  private compiled(document: DocumentNode, operationName: string): Plan {
    try {
      const query = compileQuery(this.schema, document, operationName || undefined);
      return isCompiledQuery(query) ? query : "generic";
    } catch {
      return "generic";
    }
  }

  /** Apollo's gateway: runs each operation by its plan, or hands back what the fast lane already ran (`ranBefore`). */
  gateway(): Gateway {
    const schema = this.schema;
    const executor: Executor = async (request) => {
      const { document, context } = request;
      const ran = (context as { [RAN]?: Ran })[RAN];
      if (ran) {
        if ("error" in ran) throw ran.error;
        return (await answerOf(ran.result, () => onGraphqlJs(schema, request))) as never;
      }
      const operationName = request.operationName ?? request.request.operationName ?? "";
      const variables = request.request.variables ?? {};
      const plan = this.planOf(document, operationName, request.operation?.operation);
      if (plan === "generic") return onGraphqlJs(schema, request) as never;
      const result = await plan.query(undefined, context, variables);
      return (await answerOf(result, () => onGraphqlJs(schema, request))) as never;
    };
    return {
      async load() {
        return { executor };
      },
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: "" });
        return () => {};
      },
      async stop() {},
    };
  }
}

/**
 * A compiled operation's result as graphql-js would have given it. No data: the variables were refused before
 * anything ran, and graphql-js says why in the words (and with the variable's node) by which Apollo answers 400
 * BAD_USER_INPUT (`refused` runs it: safe, nothing ran). Field errors become graphql-js's kind (`asGraphQLError`).
 */
export async function answerOf(result: ExecutionResult, refused: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  if (!result.errors) return result;
  if (result.data === undefined) return refused();
  return { ...result, errors: result.errors.map(asGraphQLError) };
}

/** What the fast lane ran before handing a request to Apollo (src/http/fast-lane.ts): its result, or what it threw. */
export type Ran = { result: ExecutionResult } | { error: unknown };
const RAN = Symbol("ran");

/** Apollo's executor answers with `ran` for this context instead of running the operation again (a mutation!). */
export function ranBefore<C extends object>(context: C, ran: Ran): C {
  (context as { [RAN]?: Ran })[RAN] = ran;
  return context;
}

/** Runs a request on graphql-js, as Apollo would without a gateway (made only when needed: not per compiled request). */
async function onGraphqlJs(schema: GraphQLSchema, request: Parameters<Executor>[0]) {
  const operationName = request.operationName ?? request.request.operationName ?? undefined;
  return execute({ schema, document: request.document, contextValue: request.context, variableValues: request.request.variables ?? {}, operationName });
}

/** Whether a variable appears inside an object or list literal anywhere in the document (fragments included). */
export function variablesInLiterals(document: DocumentNode): boolean {
  let depth = 0;
  let found = false;
  visit(document, {
    [Kind.OBJECT]: { enter: () => void depth++, leave: () => void depth-- },
    [Kind.LIST]: { enter: () => void depth++, leave: () => void depth-- },
    [Kind.VARIABLE_DEFINITION]: () => false,
    [Kind.VARIABLE]: () => {
      if (depth > 0) found = true;
    },
  });
  return found;
}

/**
 * graphql-jit reports a field's error as its own error object: graphql's prototype, but no `extensions` unless the
 * thrown error had some, and Apollo reads `extensions.code` of every error (a TypeError there lost the error's path
 * and locations). Each becomes a graphql error like the one graphql-js would have made: the thrown error as
 * `originalError` (so masking sees what was thrown), its extensions, the field's path and locations.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const located = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? undefined });
  if (error.locations) (located as { locations?: GraphQLError["locations"] }).locations = error.locations;
  return located;
}

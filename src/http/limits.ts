import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { MaxTokensParserWLexer } from "@escape.tech/graphql-armor-max-tokens";
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from "graphql";
import { LRUCache } from "lru-cache";
import { AppError, ErrorCode } from "../shared/errors.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../shared/pagination.js";

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
}

export type LimitName = "depth" | "aliases" | "directives" | "tokens" | "cost";

export interface LimitViolation {
  limit: LimitName;
  max: number;
  actual: number;
}

const LIMIT_WORDING: Record<LimitName, string> = {
  depth: "is nested deeper than",
  aliases: "uses more aliases than",
  directives: "uses more directives than",
  tokens: "has more tokens than",
  cost: "costs more points than",
};

/** A fresh error per refusal: cached analyses are shared, errors are decorated per transport. */
export function limitError(v: LimitViolation): AppError {
  const actual = v.limit === "tokens" ? `more than ${v.max}` : String(v.actual);
  return new AppError(ErrorCode.LIMIT_EXCEEDED, `The operation ${LIMIT_WORDING[v.limit]} the ${v.limit} limit of ${v.max} (${actual}).`, {
    limit: v.limit,
    max: v.max,
    actual: v.limit === "tokens" ? null : v.actual,
  });
}

/** Cost of a field whose type is an object, interface or union; scalars and enums are free. */
export const OBJECT_COST = 1;
/** A mutation writes: each root mutation field costs this much on top of its selection. */
export const MUTATION_COST = 10;

type Variables = Record<string, unknown>;
interface CostEnv {
  variables: Variables;
  defaults: Map<string, unknown>;
  fragments: Map<string, SplitCost>;
}
/** Costs of a selection set, split so that a paginated parent can multiply only its list-typed children. */
interface SplitCost {
  list: number;
  single: number;
}
type SelectionCost = (env: CostEnv) => SplitCost;

interface SelectionFacts {
  introspection: boolean;
  cost: SelectionCost;
}

export interface OperationFacts {
  name: string | null;
  type: OperationTypeNode;
  /** Selects `__schema` or `__type` (not `__typename`). */
  introspection: boolean;
  /** Requested cost for these variables. */
  cost(variables: Variables | null | undefined): number;
}

export interface DocumentAnalysis {
  document?: DocumentNode;
  syntaxError?: GraphQLError;
  /** The first syntactic limit (tokens, depth, aliases, directives) that any operation of the document exceeds. */
  violation?: LimitViolation;
  operations: OperationFacts[];
  /** Validation against the schema, filled by the transport that validates itself (WebSocket); HTTP leaves it to Apollo. */
  validationErrors?: readonly GraphQLError[];
}

const NO_COST: SelectionCost = () => ({ list: 0, single: 0 });
const EMPTY: SelectionFacts = { introspection: false, cost: NO_COST };

/**
 * A document cache bounded by entries and by the total length of the keys (the document texts); one document over a
 * sixteenth of the bound is not kept, so it cannot flush everybody else's.
 */
export function documentCache<V extends {}>(maxEntries: number, maxBytes: number): LRUCache<string, V> {
  return new LRUCache<string, V>({ max: maxEntries, maxSize: maxBytes, maxEntrySize: maxBytes / 16, sizeCalculation: (_value, key) => Math.max(1, key.length) });
}

/**
 * graphql-armor's depth, alias and directive rules, run as validation rules on their own before the schema's
 * (both doors call `analyse` before anything else). Each rejection is reported, not thrown, with the limit's
 * name and figures, which `violationOf` turns into ours: armor's wording and code are mapped here only.
 * Counting differs from the hand-written walker this replaced in two places, both stricter or moot: `__type`
 * selections count for depth (armor exempts only `__schema`; full introspection queries select `__schema`), and
 * directives on variable definitions are not counted (no directive may stand there: validation refuses them).
 */
function limitRules(limits: OperationLimits): ValidationRule[] {
  const report = (limit: LimitName, max: number) => ({
    n: max,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        // armor's message is "… limit of <n> exceeded, found <actual>."
        const found = /found (\d+)/.exec(error.message);
        context?.reportError(new GraphQLError(error.message, { extensions: { limit, max, actual: found ? Number(found[1]) : null } }));
      },
    ],
  });
  return [
    // Fragments add no level of their own, as in the cost model: only fields nest.
    maxDepthRule({ ...report("depth", limits.maxDepth), flattenFragments: true, ignoreIntrospection: true }),
    // armor leaves `__typename` aliases out by default; they are aliases all the same (a cheap way to bloat a response).
    maxAliasesRule({ ...report("aliases", limits.maxAliases), allowList: [] }),
    maxDirectivesRule(report("directives", limits.maxDirectives)),
  ];
}

function violationOf(error: GraphQLError): LimitViolation {
  const { limit, max, actual } = error.extensions as { limit: LimitName; max: number; actual: number | null };
  return { limit, max, actual: actual ?? max + 1 };
}

/**
 * Static analysis of a document, cached per document text (a bounded LRU): the limits run on every operation,
 * over HTTP and WebSocket, but a client sends the same few documents again and again. Only the cost depends on
 * the variables (`first: $n`); it is kept as a small function of them.
 *
 * The syntactic limits are graphql-armor's: its token-counting parser (parsing stops one token past the limit)
 * and its depth, alias and directive rules. The cost is ours, because armor's cost rule knows nothing of pages.
 * Cost model: a field of object type costs 1, a root mutation field 10, a scalar 0, a field may set its own with
 * `extensions: { cost: n }`. A field with a `first` argument (default 20, capped at 100) multiplies the cost of its
 * list-typed children (a connection's `edges`), or of its whole selection when it is a list itself. Introspection
 * fields are not costed: they are governed by INTROSPECTION.
 */
export class DocumentAnalyzer {
  private readonly cache = documentCache<DocumentAnalysis>(1000, 4 * 1024 * 1024);
  private readonly rules: ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    readonly limits: OperationLimits,
  ) {
    this.rules = limitRules(limits);
  }

  analyse(source: string): DocumentAnalysis {
    const cached = this.cache.get(source);
    if (cached) return cached;
    const analysis = this.compute(source);
    this.cache.set(source, analysis);
    return analysis;
  }

  /** The operation a request names, or the only one; null when graphql itself will refuse the request. */
  static select(analysis: DocumentAnalysis, operationName: string | null | undefined): OperationFacts | null {
    if (operationName) return analysis.operations.find((o) => o.name === operationName) ?? null;
    return analysis.operations.length === 1 ? analysis.operations[0]! : null;
  }

  private compute(source: string): DocumentAnalysis {
    const maxTokens = this.limits.maxTokens;
    let overTokens = false;
    let document: DocumentNode;
    try {
      document = new MaxTokensParserWLexer(source, { n: maxTokens, onReject: [() => (overTokens = true)] }).parseDocument();
    } catch (error) {
      if (overTokens) return { violation: { limit: "tokens", max: maxTokens, actual: maxTokens + 1 }, operations: [] };
      if (error instanceof GraphQLError) return { syntaxError: error, operations: [] };
      throw error;
    }
    const refused = validate(this.schema, document, this.rules);
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const walker = new Walker(this.schema, fragments);
    const operations: OperationFacts[] = [];
    for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) operations.push(walker.operation(d));
    return { document, violation: refused[0] && violationOf(refused[0]), operations };
  }
}

class Walker {
  /** Fragment facts are computed once per document, however often the fragment is spread. */
  private readonly memo = new Map<string, SelectionFacts>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
  ) {}

  operation(op: OperationDefinitionNode): OperationFacts {
    const root = op.operation === "query" ? this.schema.getQueryType() : op.operation === "mutation" ? this.schema.getMutationType() : this.schema.getSubscriptionType();
    const facts = this.selections(op.selectionSet, root ?? undefined, op.operation === "mutation");
    const defaults = new Map<string, unknown>();
    for (const v of op.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, literal(v.defaultValue));
    return {
      name: op.name?.value ?? null,
      type: op.operation,
      introspection: facts.introspection,
      cost: (variables) => {
        const split = facts.cost({ variables: variables ?? {}, defaults, fragments: new Map() });
        return split.list + split.single;
      },
    };
  }

  private selections(set: SelectionSetNode, parent: GraphQLCompositeType | undefined, mutationRoot = false): SelectionFacts {
    let introspection = false;
    const costs: SelectionCost[] = [];
    for (const sel of set.selections) {
      let facts: SelectionFacts;
      if (sel.kind === Kind.FIELD) {
        facts = this.field(sel, parent, mutationRoot);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const typed = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parent;
        facts = this.selections(sel.selectionSet, typed && isCompositeType(typed) ? typed : undefined, mutationRoot);
      } else {
        facts = this.fragment(sel.name.value);
      }
      introspection ||= facts.introspection;
      if (facts.cost !== NO_COST) costs.push(facts.cost);
    }
    const cost: SelectionCost =
      costs.length === 0
        ? NO_COST
        : (env) => {
            const total = { list: 0, single: 0 };
            for (const c of costs) {
              const part = c(env);
              total.list += part.list;
              total.single += part.single;
            }
            return total;
          };
    return { introspection, cost };
  }

  private fragment(name: string): SelectionFacts {
    const known = this.memo.get(name);
    if (known) return known;
    const def = this.fragments.get(name);
    // Unknown fragments and cycles are validation errors; they add nothing here and validation reports them.
    if (!def || this.inProgress.has(name)) return EMPTY;
    this.inProgress.add(name);
    const type = this.schema.getType(def.typeCondition.name.value);
    const inner = this.selections(def.selectionSet, type && isCompositeType(type) ? type : undefined, type === this.schema.getMutationType());
    this.inProgress.delete(name);
    const facts: SelectionFacts = {
      introspection: inner.introspection,
      cost: (env) => {
        let split = env.fragments.get(name);
        if (!split) env.fragments.set(name, (split = inner.cost(env)));
        return split;
      },
    };
    this.memo.set(name, facts);
    return facts;
  }

  private field(node: FieldNode, parent: GraphQLCompositeType | undefined, mutationRoot: boolean): SelectionFacts {
    const name = node.name.value;
    if (name === "__schema" || name === "__type") return { introspection: true, cost: NO_COST };
    const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
    const named = def ? getNamedType(def.type) : undefined;
    const childType = named && isCompositeType(named) ? named : undefined;
    const inner = node.selectionSet ? this.selections(node.selectionSet, childType) : EMPTY;
    const declared = def?.extensions?.cost;
    const own = typeof declared === "number" ? declared : mutationRoot ? MUTATION_COST : childType ? OBJECT_COST : 0;
    const isList = def ? isListType(getNullableType(def.type)) : false;
    const paged = def?.args.some((a) => a.name === "first") ? pageSizeOf(node) : null;
    const child = inner.cost;
    const cost: SelectionCost =
      own === 0 && child === NO_COST
        ? NO_COST
        : (env) => {
            const c = child(env);
            const m = paged ? paged(env) : null;
            const total = m === null ? own + c.list + c.single : isList ? m * (own + c.list + c.single) : own + m * c.list + c.single;
            return isList ? { list: total, single: 0 } : { list: 0, single: total };
          };
    return { introspection: inner.introspection, cost };
  }
}

/** The page size a field will be asked for: its `first` literal or variable, defaulted and capped like the resolvers do. */
function pageSizeOf(node: FieldNode): (env: CostEnv) => number {
  const arg = node.arguments?.find((a) => a.name.value === "first");
  if (!arg) return () => DEFAULT_PAGE_SIZE;
  const value = arg.value;
  if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    return (env) => clampPage(name in env.variables ? env.variables[name] : env.defaults.get(name));
  }
  const fixed = clampPage(literal(value));
  return () => fixed;
}

function clampPage(value: unknown): number {
  if (value === null || value === undefined) return DEFAULT_PAGE_SIZE;
  // Anything else that is not a whole number fails coercion later; cost it as the largest page meanwhile.
  if (typeof value !== "number" || !Number.isInteger(value)) return MAX_PAGE_SIZE;
  return Math.min(Math.max(value, 0), MAX_PAGE_SIZE);
}

function literal(value: ValueNode): unknown {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.NULL) return null;
  return undefined;
}

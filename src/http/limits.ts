import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
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
  depth: number;
  aliases: number;
  directives: number;
  introspection: boolean;
  cost: SelectionCost;
}

export interface OperationFacts {
  name: string | null;
  type: OperationTypeNode;
  depth: number;
  aliases: number;
  directives: number;
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
const EMPTY: SelectionFacts = { depth: 0, aliases: 0, directives: 0, introspection: false, cost: NO_COST };

/**
 * Static analysis of a document, cached per document text (a bounded LRU): the limits run on every operation,
 * over HTTP and WebSocket, but a client sends the same few documents again and again. Only the cost depends on
 * the variables (`first: $n`); it is kept as a small function of them.
 *
 * Cost model: a field of object type costs 1, a root mutation field 10, a scalar 0, a field may set its own with
 * `extensions: { cost: n }`. A field with a `first` argument (default 20, capped at 100) multiplies the cost of its
 * list-typed children (a connection's `edges`), or of its whole selection when it is a list itself. Introspection
 * fields are neither costed nor counted for depth: they are governed by INTROSPECTION.
 */
export class DocumentAnalyzer {
  private readonly cache = new BoundedCache<DocumentAnalysis>(1000, 4 * 1024 * 1024);

  constructor(
    private readonly schema: GraphQLSchema,
    readonly limits: OperationLimits,
  ) {}

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
    const tokens = countTokens(source, this.limits.maxTokens);
    if (tokens > this.limits.maxTokens) return { violation: { limit: "tokens", max: this.limits.maxTokens, actual: tokens }, operations: [] };
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch (error) {
      if (error instanceof GraphQLError) return { syntaxError: error, operations: [] };
      throw error;
    }
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const walker = new Walker(this.schema, fragments);
    const operations: OperationFacts[] = [];
    let violation: LimitViolation | undefined;
    for (const d of document.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      const facts = walker.operation(d);
      operations.push(facts);
      violation ??= this.firstViolation(facts);
    }
    return { document, violation, operations };
  }

  private firstViolation(facts: OperationFacts): LimitViolation | undefined {
    const { maxDepth, maxAliases, maxDirectives } = this.limits;
    if (facts.depth > maxDepth) return { limit: "depth", max: maxDepth, actual: facts.depth };
    if (facts.aliases > maxAliases) return { limit: "aliases", max: maxAliases, actual: facts.aliases };
    if (facts.directives > maxDirectives) return { limit: "directives", max: maxDirectives, actual: facts.directives };
    return undefined;
  }
}

/** Counts lexical tokens, stopping one past `max`; a lexing error stops the count and is left for the parser to report. */
export function countTokens(source: string, max: number): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) if (++count > max) break;
  } catch {
    /* the parser reports syntax errors */
  }
  return count;
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
    let directives = facts.directives + (op.directives?.length ?? 0);
    for (const v of op.variableDefinitions ?? []) {
      directives += v.directives?.length ?? 0;
      if (v.defaultValue) defaults.set(v.variable.name.value, literal(v.defaultValue));
    }
    return {
      name: op.name?.value ?? null,
      type: op.operation,
      depth: facts.depth,
      aliases: facts.aliases,
      directives,
      introspection: facts.introspection,
      cost: (variables) => {
        const split = facts.cost({ variables: variables ?? {}, defaults, fragments: new Map() });
        return split.list + split.single;
      },
    };
  }

  private selections(set: SelectionSetNode, parent: GraphQLCompositeType | undefined, mutationRoot = false): SelectionFacts {
    let depth = 0;
    let aliases = 0;
    let directives = 0;
    let introspection = false;
    const costs: SelectionCost[] = [];
    for (const sel of set.selections) {
      directives += sel.directives?.length ?? 0;
      let facts: SelectionFacts;
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases += 1;
        facts = this.field(sel, parent, mutationRoot);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const typed = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parent;
        facts = this.selections(sel.selectionSet, typed && isCompositeType(typed) ? typed : undefined, mutationRoot);
      } else {
        facts = this.fragment(sel.name.value);
      }
      depth = Math.max(depth, facts.depth);
      aliases += facts.aliases;
      directives += facts.directives;
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
    return { depth, aliases, directives, introspection, cost };
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
      ...inner,
      directives: inner.directives + (def.directives?.length ?? 0),
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
    if (name === "__schema" || name === "__type") {
      const inner = node.selectionSet ? this.selections(node.selectionSet, undefined) : EMPTY;
      return { depth: 0, aliases: inner.aliases, directives: inner.directives, introspection: true, cost: NO_COST };
    }
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
    return { depth: 1 + inner.depth, aliases: inner.aliases, directives: inner.directives, introspection: inner.introspection, cost };
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

/** LRU by insertion order of a Map, bounded by entries and by the total length of the keys (the document texts). */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  private weight = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight: number,
  ) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    if (key.length > this.maxWeight / 16) return; // one huge document must not flush everybody else's
    if (this.map.has(key)) this.map.delete(key);
    else this.weight += key.length;
    this.map.set(key, value);
    while (this.map.size > this.maxEntries || this.weight > this.maxWeight) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.weight -= oldest.length;
    }
  }

  get size(): number {
    return this.map.size;
  }
}

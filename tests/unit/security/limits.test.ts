import { beforeAll, describe, expect, it } from "vitest";
import { getIntrospectionQuery, type GraphQLSchema } from "graphql";
import { documentCache, DocumentAnalyzer, limitError, type OperationLimits } from "../../../src/http/limits.js";
import { buildGatewaySchema } from "../../../src/schema.js";

const LIMITS: OperationLimits = { maxDepth: 10, maxAliases: 20, maxDirectives: 20, maxTokens: 2000, maxCost: 1000 };

describe("document analysis", () => {
  let schema: GraphQLSchema;
  let analyzer: DocumentAnalyzer;
  beforeAll(async () => {
    schema = await buildGatewaySchema();
    analyzer = new DocumentAnalyzer(schema, LIMITS);
  });
  const only = (source: string) => {
    const analysis = analyzer.analyse(source);
    expect(analysis.syntaxError).toBeUndefined();
    return DocumentAnalyzer.select(analysis, null)!;
  };
  const cost = (source: string, variables?: Record<string, unknown>) => only(source).cost(variables);

  it.each([
    ["a connection multiplies its edges by first, not its pageInfo", "{ products(first: 30) { edges { node { id title shop { id name } } } pageInfo { hasNextPage } } }", 92],
    ["a missing first counts as the default page of 20", "{ products { edges { node { id } } } }", 41],
    ["scalars are free, objects cost 1", "{ shop(id: \"x\") { name products(first: 5) { edges { node { id } } } } }", 12],
    ["a page above 100 counts as 100 (the resolvers refuse it)", "{ products(first: 1000) { edges { node { id } } } }", 201],
    ["nested pages multiply", "{ products(first: 100) { edges { node { shop { products(first: 100) { edges { node { id } } } } } } } }", 20401],
    ["a mutation field costs 10 plus its selection", "mutation { createProduct(input: { shopId: \"x\", title: \"t\", category: \"c\", price: \"1\", stock: 1 }) { product { id } userErrors { code } } }", 12],
    ["fragments cost what they select, where they are spread", "fragment F on Product { shop { name } } { products(first: 10) { edges { node { ...F } } } }", 31],
    ["introspection is not costed (INTROSPECTION governs it)", "{ __schema { types { name fields { name } } } }", 0],
  ])("%s", (_name, source, expected) => {
    expect(cost(source)).toBe(expected);
  });

  it("reads page sizes from variables, their defaults, and counts a bad value as the largest page", () => {
    const source = "query Q($n: Int) { products(first: $n) { edges { node { id } } } }";
    expect(cost(source, { n: 50 })).toBe(101);
    expect(cost(source, {})).toBe(41);
    expect(cost(source, { n: "lots" })).toBe(201);
    expect(cost("query Q($n: Int = 7) { products(first: $n) { edges { node { id } } } }", {})).toBe(15);
  });

  it("measures depth, aliases and directives through fragments, once per spread", () => {
    const strict = new DocumentAnalyzer(schema, { ...LIMITS, maxDepth: 4, maxAliases: 2, maxDirectives: 1 });
    const violation = (source: string) => strict.analyse(source).violation;
    expect(violation("{ products { edges { node { shop { name } } } } }")).toEqual({ limit: "depth", max: 4, actual: 5 });
    expect(violation("fragment F on Query { x: viewer { id } } { ...F ...F a: viewer { id } }")).toEqual({ limit: "aliases", max: 2, actual: 3 });
    expect(violation("query Q($v: Boolean = true) { viewer @include(if: $v) { id @skip(if: false) } }")).toEqual({ limit: "directives", max: 1, actual: 2 });
    const intro = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }";
    expect(violation(intro)).toBeUndefined();
    expect(only(intro).introspection).toBe(true);
    expect(only("{ __typename }").introspection).toBe(false);
    // GraphiQL's and codegen's introspection query (eight levels of ofType, through fragments) is within every limit.
    expect(analyzer.analyse(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true })).violation).toBeUndefined();
  });

  it("names the first limit a document exceeds", () => {
    const deep = "{ products { edges { node { shop { products { edges { node { shop { products { edges { node { id } } } } } } } } } } } }";
    expect(analyzer.analyse(deep).violation).toEqual({ limit: "depth", max: 10, actual: 12 });
    const aliases = `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    expect(analyzer.analyse(aliases).violation).toEqual({ limit: "aliases", max: 20, actual: 21 });
    const directives = `{ viewer { ${Array.from({ length: 21 }, () => "id @include(if: true)").join(" ")} } }`;
    expect(analyzer.analyse(directives).violation).toEqual({ limit: "directives", max: 20, actual: 21 });
    const tokens = `{ viewer { ${"id ".repeat(2000)} } }`;
    expect(analyzer.analyse(tokens).violation).toMatchObject({ limit: "tokens", max: 2000 });
    const error = limitError({ limit: "depth", max: 10, actual: 13 });
    expect(error.extensions).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "depth", max: 10, actual: 13 });
    expect(error.message).toMatch(/depth limit of 10/);
  });

  it("analyses a fragment bomb in linear time and refuses it", () => {
    const fragments = ["fragment F0 on Product { a: id }"];
    for (let i = 1; i <= 60; i++) fragments.push(`fragment F${i} on Product { ...F${i - 1} ...F${i - 1} }`);
    const source = `{ products { edges { node { ...F60 } } } } ${fragments.join(" ")}`;
    const started = performance.now();
    const analysis = analyzer.analyse(source);
    expect(performance.now() - started).toBeLessThan(200);
    expect(analysis.violation).toMatchObject({ limit: "aliases", actual: 2 ** 60 });
  });

  it("survives fragment cycles and unknown fragments (validation reports those)", () => {
    const analysis = analyzer.analyse("fragment A on Product { ...B id } fragment B on Product { ...A } { products { edges { node { ...A ...Nope } } } }");
    expect(analysis.operations).toHaveLength(1);
    expect(DocumentAnalyzer.select(analysis, null)!.cost({})).toBe(41);
  });

  it("caches one analysis per document text and selects operations by name", () => {
    const source = "query A { viewer { id } } query B { products { edges { node { id } } } }";
    const first = analyzer.analyse(source);
    expect(analyzer.analyse(source)).toBe(first);
    expect(DocumentAnalyzer.select(first, "B")!.cost({})).toBe(41);
    expect(DocumentAnalyzer.select(first, null)).toBeNull();
    expect(DocumentAnalyzer.select(first, "C")).toBeNull();
    expect(analyzer.analyse("{ nope").syntaxError?.message).toMatch(/Syntax Error/);
  });

  it("counts tokens, stopping one past the limit", () => {
    const tokens = (source: string, maxTokens: number) => new DocumentAnalyzer(schema, { ...LIMITS, maxTokens }).analyse(source).violation;
    expect(tokens("{ a(b: 1) }", 8)).toBeUndefined();
    expect(tokens("{ a(b: 1) }", 7)).toMatchObject({ limit: "tokens", max: 7 });
    expect(tokens("# a comment\n{ a }", 3)).toBeUndefined();
    expect(tokens("# a comment\n{ a }", 2)).toMatchObject({ limit: "tokens", max: 2 });
    expect(tokens("{ a ".repeat(10_000), 50)).toEqual({ limit: "tokens", max: 50, actual: 51 });
  });
});

describe("the document cache", () => {
  it("drops the least recently used entry beyond its entry and size bounds", () => {
    const cache = documentCache<number>(3, 1600);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    cache.get("a");
    cache.set("d", 4);
    expect([cache.get("a"), cache.get("b"), cache.get("c"), cache.get("d")]).toEqual([1, undefined, 3, 4]);
    cache.set("x".repeat(101), 5); // over a sixteenth of the weight bound: not cached at all
    expect(cache.size).toBe(3);
    for (let i = 0; i < 20; i++) cache.set(`${i}`.padEnd(90, "-"), i);
    expect(cache.size).toBeLessThanOrEqual(3);
  });
});

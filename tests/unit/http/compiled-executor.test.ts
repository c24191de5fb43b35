import { buildSchema, execute, parse, type ExecutionResult, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { CompiledOperations, variablesInLiterals } from "../../../src/http/compiled-executor.js";
import { AppError, ErrorCode } from "../../../src/shared/errors.js";

/** Every field answers the arguments it was given (absent and null told apart), or throws what it is asked to. */
function echoSchema(): GraphQLSchema {
  const schema = buildSchema(`
    enum Dir { ASC DESC }
    input Order { field: String! direction: Dir! = DESC }
    input Change { id: ID! title: String note: String flag: Boolean! = false ids: [ID!]! = [] }
    interface Node { id: ID! }
    type Item implements Node { id: ID! title: String }
    type Query { list(order: Order, first: Int! = 30): String node(id: ID!): Node fail(how: String!): String }
    type Mutation { change(input: Change!): String }
  `);
  // Keys sorted: graphql-js and graphql-jit build arguments in different orders.
  const sorted = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
  const echo = (_: unknown, args: unknown) => JSON.stringify(sorted(args));
  const fields = { ...schema.getQueryType()!.getFields(), ...schema.getMutationType()!.getFields() };
  for (const name of ["list", "change"]) fields[name]!.resolve = echo;
  fields.node!.resolve = (_: unknown, { id }: { id: string }) => (id === "none" ? null : { __typename: "Item", id, title: `item ${id}` });
  fields.fail!.resolve = (_: unknown, { how }: { how: string }) => {
    if (how === "app") throw new AppError(ErrorCode.FORBIDDEN, "not yours");
    throw new Error("boom with select * from secrets");
  };
  (schema.getType("Node") as unknown as { resolveType: (v: { __typename: string }) => string }).resolveType = (v) => v.__typename;
  return schema;
}

async function both(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): Promise<[ExecutionResult, ExecutionResult]> {
  const document = parse(query);
  const executor = (await new CompiledOperations(schema).gateway().load({ apollo: {} as never })).executor!;
  const operation = document.definitions[0]!.kind === "OperationDefinition" ? document.definitions[0] : undefined;
  const request = { document, operation, operationName: undefined, context: {}, request: { variables } } as never;
  const compiled = await executor(request);
  // Twice: the second run takes the kept plan.
  expect(await executor(request)).toEqual(compiled);
  const reference = (await execute({ schema, document, variableValues: variables })) as ExecutionResult;
  return [compiled, reference];
}

describe("the compiled executor answers as graphql-js does", () => {
  const schema = echoSchema();
  const cases: [string, string, Record<string, unknown>?][] = [
    ["a whole input variable omitting a non-null field with a default", `mutation($c: Change!) { change(input: $c) }`, { c: { id: "1", title: null } }],
    ["an input variable's omitted nullable fields stay absent", `mutation($c: Change!) { change(input: $c) }`, { c: { id: "1", note: "n" } }],
    ["an omitted variable of an input with a non-null enum default", `query($o: Order) { list(order: $o) }`, { o: { field: "price" } }],
    ["an omitted optional argument keeps the argument's default", `query($n: Int) { list(first: $n) }`, {}],
    ["a variable inside an object literal, left out (graphql-js: absent)", `mutation($t: String, $n: String) { change(input: { id: "1", title: $t, note: $n }) }`, { t: "x" }],
    ["a variable inside a list literal", `mutation($a: ID!) { change(input: { id: "1", ids: [$a, "b"] }) }`, { a: "a" }],
    ["an interface resolved to its type", `query { node(id: "7") { __typename id ... on Item { title } } }`],
    ["a missing node", `query { node(id: "none") { id } }`],
    ["a deliberate error keeps its code, path and locations", `query { fail(how: "app") }`],
    ["an unexpected error keeps its path and locations", `query { fail(how: "raw") }`],
    ["a bad variable is refused, in graphql-js's words", `query($n: Int) { list(first: $n) }`, { n: "ten" }],
    ["a missing required variable is refused", `mutation($c: Change!) { change(input: $c) }`, {}],
  ];
  for (const [name, query, variables] of cases) {
    it(name, async () => {
      const [compiled, reference] = await both(schema, query, variables);
      expect(JSON.parse(JSON.stringify(compiled))).toEqual(JSON.parse(JSON.stringify(reference)));
      for (const [i, error] of (compiled.errors ?? []).entries()) {
        expect(error.extensions).toEqual(reference.errors![i]!.extensions);
        expect(error.originalError?.constructor).toBe(reference.errors![i]!.originalError?.constructor);
        // Apollo answers 400 BAD_USER_INPUT for a refused variable by its node; a field's error needs none.
        if (reference.errors![i]!.nodes?.[0]?.kind === "VariableDefinition") expect(error.nodes?.map((n) => n.kind)).toEqual(["VariableDefinition"]);
      }
    });
  }

  it("sends documents with variables inside literals to graphql-js, and only those", () => {
    expect(variablesInLiterals(parse(`mutation($t: String) { change(input: { id: "1", title: $t }) }`))).toBe(true);
    expect(variablesInLiterals(parse(`query($a: ID!) { list(order: { field: $a }) }`))).toBe(true);
    expect(variablesInLiterals(parse(`query Q($o: Order = { field: "x" }) { list(order: $o) ...F } fragment F on Query { node(id: "1") { id } }`))).toBe(false);
    expect(variablesInLiterals(parse(`query($x: Boolean!) { list @include(if: $x) }`))).toBe(false);
    expect(variablesInLiterals(parse(`query($a: ID!) { ...F } fragment F on Query { change: list(order: { field: $a }) }`))).toBe(true);
  });
});

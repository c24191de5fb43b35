import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { postRaw, RawSocket } from "../../support/raw.js";

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(" ");

/** Each limit at its default, once over HTTP (a query) and once over WebSocket (a subscription). */
const CASES = [
  {
    limit: "depth",
    http: "{ products { edges { node { shop { products { edges { node { shop { products { edges { node { id } } } } } } } } } } } }",
    ws: "subscription { productUpdated(productId: \"x\") { shop { products { edges { node { shop { products { edges { node { shop { id } } } } } } } } } } }",
    max: 10,
  },
  { limit: "aliases", http: `{ ${repeat(21, (i) => `a${i}: __typename`)} }`, ws: `subscription { productUpdated(productId: "x") { ${repeat(21, (i) => `a${i}: id`)} } }`, max: 20 },
  {
    limit: "directives",
    http: `{ viewer { ${repeat(21, () => "id @include(if: true)")} } }`,
    ws: `subscription { productUpdated(productId: "x") { ${repeat(21, () => "id @skip(if: false)")} } }`,
    max: 20,
  },
  { limit: "tokens", http: `{ viewer { ${"id ".repeat(2000)} } }`, ws: `subscription { productUpdated(productId: "x") { ${"id ".repeat(2000)} } }`, max: 2000 },
  {
    limit: "cost",
    http: "{ products(first: 100) { edges { node { shop { products(first: 100) { edges { node { id } } } } } } } }",
    ws: "subscription { productUpdated(productId: \"x\") { shop { products(first: 100) { edges { node { shop { products(first: 100) { edges { node { id } } } } } } } } } }",
    max: 1000,
  },
] as const;

describe("operation limits", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("postgres");
  });
  afterAll(() => gw?.stop());

  describe.each(CASES)("$limit", ({ limit, http, ws, max }) => {
    it("over HTTP: 400, LIMIT_EXCEEDED naming the limit, and the cost extension", async () => {
      const response = await postRaw(gw.url, { query: http });
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "LIMIT_EXCEEDED", limit, max, requestId: expect.any(String) }) })]);
      expect(response.body.extensions.cost).toMatchObject({ maximumQueryCost: 1000 });
    });

    it("over WebSocket: an error message, LIMIT_EXCEEDED naming the limit; the connection stays usable", async () => {
      const socket = await RawSocket.connect(gw.wsUrl);
      socket.subscribe("1", ws);
      const error = await socket.until((m) => m.id === "1" && m.type === "error");
      expect(error.payload).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "LIMIT_EXCEEDED", limit, max }) })]);
      socket.send({ type: "ping" });
      await socket.until((m) => m.type === "pong");
      socket.close();
    });
  });

  it("answers a body over 1 MiB with 413 and LIMIT_EXCEEDED (bodyBytes), and keeps serving", async () => {
    const response = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "bodyBytes" });
    expect(body.extensions.cost).toMatchObject({ requestedQueryCost: 0 });
    // just under the limit, in many chunks, is read whole
    const large = await postRaw(gw.url, { query: "{ __typename }", variables: { pad: "y".repeat(1000 * 1000) } });
    expect(large.status).toBe(200);
    expect(large.body.data).toEqual({ __typename: "Query" });
  });

  it("refuses a page over 100, and a forged cursor, as BAD_USER_INPUT, on both transports", async () => {
    const { shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id);
    const http = await postRaw(gw.url, { query: "{ products(first: 101) { edges { node { id } } } }" });
    expect(http.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    // Found by the fuzz test: a well-formed cursor whose value has the wrong type for its sort column reached SQL.
    const forged = Buffer.from(JSON.stringify(["products:STOCK:a", "", 0])).toString("base64url");
    const cursor = await postRaw(gw.url, { query: `{ products(after: "${forged}", orderBy: { field: STOCK }) { edges { node { id } } } }` });
    expect(cursor.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    const socket = await RawSocket.connect(gw.wsUrl);
    socket.subscribe("1", "subscription S($id: ID!) { productUpdated(productId: $id) { shop { products(first: 101) { edges { node { id } } } } } }", {
      id: toGlobalId("Product", product.id),
    });
    const next = await socket.until((m) => m.id === "1" && m.type === "next");
    expect(next.payload.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    socket.close();
  });

  it("reports extensions.cost on every HTTP response, and on every WebSocket result", async () => {
    const ok = await postRaw(gw.url, { query: "{ products(first: 30) { edges { node { id shop { name } } } pageInfo { hasNextPage } } }" });
    expect(ok.status).toBe(200);
    expect(ok.body.extensions.cost).toEqual({
      requestedQueryCost: 92,
      maximumQueryCost: 1000,
      throttleStatus: { maximumAvailable: expect.any(Number), currentlyAvailable: expect.any(Number), restoreRate: expect.any(Number) },
    });
    for (const [body, code] of [
      [{ query: "{ nope }" }, "GRAPHQL_VALIDATION_FAILED"],
      [{ query: "{ products(" }, "GRAPHQL_PARSE_FAILED"],
      [{ query: "query A { viewer { id } } query B { viewer { id } }" }, "OPERATION_RESOLUTION_FAILURE"],
    ] as const) {
      const refused = await postRaw(gw.url, body);
      expect(refused.status).toBe(400);
      // graphql's own request errors are shown, not masked as internal ones
      expect(refused.body.errors[0].extensions.code).toBe(code);
      expect(refused.body.extensions.cost).toMatchObject({ requestedQueryCost: 0, maximumQueryCost: 1000 });
    }
    // Refused by Apollo before any plugin runs: CSRF prevention, a body without a query.
    const csrf = await fetch(`${gw.url}?query=${encodeURIComponent("{ __typename }")}`);
    expect(csrf.status).toBe(400);
    expect(((await csrf.json()) as any).extensions.cost).toMatchObject({ requestedQueryCost: 0 });
    expect((await postRaw(gw.url, { variables: {} })).body.extensions.cost).toMatchObject({ requestedQueryCost: 0 });
    const badToken = await postRaw(gw.url, { query: "{ viewer { id } }" }, { token: "nope" });
    expect(badToken.status).toBe(401);
    expect(badToken.body.extensions.cost).toMatchObject({ requestedQueryCost: 0 });

    const { shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id);
    const socket = await RawSocket.connect(gw.wsUrl);
    socket.subscribe("1", "subscription S($id: ID!) { productUpdated(productId: $id) { id shop { name } } }", { id: toGlobalId("Product", product.id) });
    const next = await socket.until((m) => m.id === "1" && m.type === "next");
    expect(next.payload.extensions.cost).toMatchObject({ requestedQueryCost: 2, maximumQueryCost: 1000, throttleStatus: expect.any(Object) });
    socket.close();
  });

  it("counts refusals in the metrics, by transport and limit", async () => {
    const text = await (await fetch(gw.url.replace(/graphql$/, "metrics"))).text();
    expect(text).toMatch(/liveshelf_operations_refused_total\{transport="http",reason="depth"\} [1-9]/);
    expect(text).toMatch(/liveshelf_operations_refused_total\{transport="ws",reason="cost"\} [1-9]/);
  });
});

import { createHash, randomUUID } from "node:crypto";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildOrder, buildProduct, buildUser } from "../../support/builders.js";
import { startTestGateway, type Backend, type TestGateway } from "../../support/gateway.js";
import { postRaw, type RawResponse } from "../../support/raw.js";

const PRODUCTS = "query Products($first: Int) { products(first: $first) { edges { node { id title } } } }";
/** A refused field beside a list read straight from SQL (no per-request loader would hide a second run). */
const ORDER = "query Order($id: ID!) { order(id: $id) { id } products(first: 1) { edges { node { id } } } }";

async function metric(gw: TestGateway, line: RegExp): Promise<number> {
  const text = await (await fetch(new URL("/metrics", gw.url))).text();
  return Number(line.exec(text)?.[1] ?? 0);
}
const laneAnswers = (gw: TestGateway) => metric(gw, /^liveshelf_graphql_fast_lane_total (\d+)$/m);
const okQueries = (gw: TestGateway) => metric(gw, /^liveshelf_graphql_operations_total\{transport="http",type="query",outcome="ok"\} (\d+)$/m);

/** The bucket's level moves with every request; everything else of an answer is compared byte for byte. */
const steady = (r: RawResponse) => r.text.replace(/"currentlyAvailable":\d+/, '"currentlyAvailable":0');

/** The same request twice with one request id: the first is Apollo's (a new document), the second the lane's. */
async function twice(gw: TestGateway, body: unknown, token?: string) {
  const headers = { "x-request-id": `lane-${randomUUID()}` };
  const first = await postRaw(gw.url, body, { token, headers });
  const second = await postRaw(gw.url, body, { token, headers });
  return [first, second] as const;
}

describe.each<Backend>(["postgres", "pglite"])("the fast lane on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend, { env: backend === "postgres" ? { REDIS_KEY_PREFIX: `${inject("redisPrefix")}lane-${randomUUID()}:` } : {} });
  });
  afterAll(() => gw?.stop());

  it("answers a document Apollo validated before with Apollo's very bytes, status and content type, counted as an operation", async () => {
    const { shop } = await buildMerchant(gw.database.db);
    await buildProduct(gw.database.db, shop.id, { title: `lane ${randomUUID()}` });
    const [lane, ok] = [await laneAnswers(gw), await okQueries(gw)];
    const [first, second] = await twice(gw, { query: PRODUCTS, variables: { first: 2 }, operationName: "Products" });
    expect(first.status).toBe(200);
    expect(first.body.data.products.edges.length).toBeGreaterThan(0);
    expect(first.body.extensions.cost).toMatchObject({ requestedQueryCost: expect.any(Number), maximumQueryCost: 1000 });
    expect(await laneAnswers(gw)).toBe(lane + 1);
    expect(await okQueries(gw)).toBe(ok + 2);
    expect(second.status).toBe(200);
    expect(second.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(second.headers.get("x-request-id")).toBe(first.headers.get("x-request-id"));
    expect(steady(second)).toBe(steady(first));
  });

  it("hands a result with errors to Apollo, which formats it as ever; the operation ran once", async () => {
    const { shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id);
    const buyer = await buildUser(gw.database.db, "BUYER");
    const order = await buildOrder(gw.database.db, { buyerId: buyer.id, shopId: shop.id, productId: product.id, totalFen: 100 });
    const stranger = await gw.token((await buildUser(gw.database.db, "BUYER")).id, "BUYER");
    // The stranger's role is read once (then kept): before, so that both orders below read the same.
    expect((await postRaw(gw.url, { query: "{ __typename }" }, { token: stranger })).status).toBe(200);
    const lane = await laneAnswers(gw);
    const variables = { id: toGlobalId("Order", order.id) };
    const first = await gw.request(parse(ORDER), variables, stranger);
    const second = await gw.request(parse(ORDER), variables, stranger);
    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      expect(answer.data).toMatchObject({ order: null, products: { edges: [expect.anything()] } });
      expect(answer.errors).toEqual([expect.objectContaining({ path: ["order"], extensions: expect.objectContaining({ code: "FORBIDDEN", requestId: expect.any(String) }) })]);
    }
    expect(second.errors![0]!.message).toBe(first.errors![0]!.message);
    // Read once each: the lane's run is the one Apollo answers with, not run again.
    expect(first.statements.length).toBeGreaterThan(0);
    expect(second.statements.map((s) => s.sql)).toEqual(first.statements.map((s) => s.sql));
    expect(await laneAnswers(gw)).toBe(lane);
  });

  it("leaves variables it cannot coerce to Apollo: 400 BAD_USER_INPUT in the same words", async () => {
    const lane = await laneAnswers(gw);
    const [first, second] = await twice(gw, { query: PRODUCTS, variables: { first: "two" } });
    expect(first.status).toBe(400);
    expect(first.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(second.status).toBe(400);
    expect(steady(second)).toBe(steady(first));
    expect(await laneAnswers(gw)).toBe(lane);
  });

  it("leaves what it does not know to Apollo: persisted queries, other content types, a preferred graphql-response+json", async () => {
    await twice(gw, { query: "{ __typename }" });
    const lane = await laneAnswers(gw);
    const sha256Hash = createHash("sha256").update("{ __typename }").digest("hex");
    const apq = await postRaw(gw.url, { query: "{ __typename }", extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(apq.status).toBe(200);
    expect(apq.body.data).toEqual({ __typename: "Query" });
    const graphqlResponse = await postRaw(gw.url, { query: "{ __typename }" }, { headers: { accept: "application/graphql-response+json" } });
    expect(graphqlResponse.status).toBe(200);
    expect(graphqlResponse.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    const text = await postRaw(gw.url, JSON.stringify({ query: "{ __typename }" }), { raw: true, headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(400);
    expect(await laneAnswers(gw)).toBe(lane);
  });
});

describe("the fast lane and the rate limit", () => {
  let gw: TestGateway;
  let off: TestGateway;
  beforeAll(async () => {
    // A 21-point query fits three times in a 63-point bucket that regains 1 point a second.
    [gw, off] = await Promise.all([
      startTestGateway("pglite", { env: { LIMIT_MAX_COST: "63", RATE_LIMIT_BUCKET_SIZE: "63", RATE_LIMIT_RESTORE_RATE: "1" } }),
      startTestGateway("pglite", { env: { HTTP_FAST_LANE: "off" } }),
    ]);
  });
  afterAll(() => Promise.all([gw?.stop(), off?.stop()]));

  it("pours a request's cost once, whichever path answers or refuses it", async () => {
    const token = await gw.token((await buildUser(gw.database.db, "BUYER")).id, "BUYER");
    const query = "{ products(first: 10) { edges { node { id } } } }";
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await postRaw(gw.url, { query }, { token }));
    expect(answers[0]!.body.extensions.cost).toMatchObject({ requestedQueryCost: 21, throttleStatus: { currentlyAvailable: 42 } });
    // Poured twice, the second would have left nothing for the third.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]!.body.errors[0].extensions.code).toBe("THROTTLED");
    expect(answers[3]!.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await laneAnswers(gw)).toBe(2);
  });

  it("is off with HTTP_FAST_LANE=off: Apollo answers every request, the same", async () => {
    const [first, second] = await twice(off, { query: PRODUCTS, variables: { first: 1 } });
    expect(second.status).toBe(200);
    expect(steady(second)).toBe(steady(first));
    expect(await laneAnswers(off)).toBe(0);
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { startTestGateway, type Backend, type TestGateway } from "../../support/gateway.js";
import { postRaw, RawSocket } from "../../support/raw.js";

/** A bucket of 100 points that refills one point a second: a 91-point query fits once. */
const SMALL_BUCKET = { LIMIT_MAX_COST: "100", RATE_LIMIT_BUCKET_SIZE: "100", RATE_LIMIT_RESTORE_RATE: "1" };
const COSTS_91 = "{ products(first: 30) { edges { node { id shop { name } } } } }";
const COSTS_51 = "subscription S($id: ID!) { productUpdated(productId: $id) { shop { products(first: 24) { edges { node { id } } } } } }";

/** Own key prefix: these buckets are not shared with the other test files of the run. */
const ownBucket = (backend: Backend) => ({ ...SMALL_BUCKET, ...(backend === "postgres" ? { REDIS_KEY_PREFIX: `${inject("redisPrefix")}rl-${randomUUID()}:` } : {}) });

describe.each<Backend>(["postgres", "pglite"])("rate limiting on %s", (backend) => {
  let a: TestGateway;
  beforeAll(async () => {
    a = await startTestGateway(backend, { env: ownBucket(backend) });
  });
  afterAll(() => a?.stop());

  it("throttles a user over HTTP with 429, THROTTLED, the time to retry and the bucket's state", async () => {
    const user = await buildUser(a.database.db, "BUYER");
    const token = await a.token(user.id, "BUYER");
    const first = await postRaw(a.url, { query: COSTS_91 }, { token });
    expect(first.status).toBe(200);
    expect(first.body.extensions.cost).toEqual({
      requestedQueryCost: 91,
      maximumQueryCost: 100,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: 9, restoreRate: 1 },
    });
    const second = await postRaw(a.url, { query: COSTS_91 }, { token });
    expect(second.status).toBe(429);
    expect(second.body.data).toBeUndefined();
    const error = second.body.errors[0];
    expect(error.extensions).toMatchObject({ code: "THROTTLED", retryAfterSeconds: expect.any(Number), retryAfterMs: expect.any(Number) });
    expect(error.extensions.retryAfterSeconds).toBeGreaterThanOrEqual(80);
    expect(error.extensions.retryAfterSeconds).toBeLessThanOrEqual(83);
    expect(second.headers.get("retry-after")).toBe(String(error.extensions.retryAfterSeconds));
    expect(second.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(91);

    // Another user has a bucket of their own.
    const other = await buildUser(a.database.db, "BUYER");
    expect((await postRaw(a.url, { query: COSTS_91 }, { token: await a.token(other.id, "BUYER") })).status).toBe(200);
  });

  it("throttles a subscription over WebSocket from the same bucket as HTTP", async () => {
    const { user, shop } = await buildMerchant(a.database.db);
    const product = await buildProduct(a.database.db, shop.id);
    const token = await a.token(user.id, "MERCHANT");
    expect((await postRaw(a.url, { query: COSTS_91 }, { token })).status).toBe(200);
    const socket = await RawSocket.connect(a.wsUrl, token);
    socket.subscribe("1", COSTS_51, { id: toGlobalId("Product", product.id) });
    const error = await socket.until((m) => m.id === "1" && m.type === "error");
    expect(error.payload[0].extensions).toMatchObject({ code: "THROTTLED", retryAfterSeconds: expect.any(Number) });
    socket.close();
  });

  it("keys anonymous callers by their address", async () => {
    const anonymous = await postRaw(a.url, { query: COSTS_91 });
    const again = await postRaw(a.url, { query: COSTS_91 });
    expect([anonymous.status, again.status]).toContain(429);
  });

});

describe("rate limiting across gateway instances", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = ownBucket("postgres");
    [a, b] = await Promise.all([startTestGateway("postgres", { env }), startTestGateway("postgres", { env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("shares one bucket per user through Redis", async () => {
    const user = await buildUser(a.database.db, "PROMOTER");
    expect((await postRaw(a.url, { query: COSTS_91 }, { token: await a.token(user.id, "PROMOTER") })).status).toBe(200);
    const onB = await postRaw(b.url, { query: COSTS_91 }, { token: await b.token(user.id, "PROMOTER") });
    expect(onB.status).toBe(429);
    expect(onB.body.errors[0].extensions.code).toBe("THROTTLED");
  });
});

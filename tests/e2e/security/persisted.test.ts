import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print, type DocumentNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildManifest, sha256 } from "../../../src/http/persisted-operations.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct } from "../../support/builders.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import * as operations from "../../support/generated/graphql.js";
import { postRaw, RawSocket } from "../../support/raw.js";

// The tests' operations and the live-room overlay's (src/http/overlay), as an operator would list them.
const OPERATIONS_DIRS = [new URL("../../support/operations/", import.meta.url), new URL("../../../src/http/overlay/", import.meta.url)];
const documents = Object.entries(operations).filter(([name]) => name.endsWith("Document")) as [string, DocumentNode][];
const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const getWithHash = (url: string, hash: string) =>
  fetch(`${url}?extensions=${encodeURIComponent(JSON.stringify(apq(hash)))}`, { headers: { "apollo-require-preflight": "1" } }).then((r) => r.json() as Promise<any>);

describe("automatic persisted queries", () => {
  let a: TestGateway;
  let b: TestGateway;
  let embedded: TestGateway;
  beforeAll(async () => {
    [a, b, embedded] = await Promise.all([startTestGateway("postgres"), startTestGateway("postgres"), startTestGateway("pglite")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), embedded?.stop()]);
  });

  it("answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, registers on the full request, then runs from the hash on any instance", async () => {
    const query = `{ products(first: 1) { edges { node { id } } } __typename apq: __typename }`;
    const hash = sha256(query);
    expect((await postRaw(a.url, { extensions: apq(hash) })).body.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const registered = await postRaw(a.url, { query, extensions: apq(hash) });
    expect(registered.body.data.apq).toBe("Query");
    // B never saw the document: the APQ store is in Redis.
    const fromHash = await postRaw(b.url, { extensions: apq(hash) });
    expect(fromHash.body.data.apq).toBe("Query");
    expect(fromHash.body.extensions.cost.requestedQueryCost).toBe(3);
    expect((await getWithHash(b.url, hash)).data.apq).toBe("Query");
    const mismatch = await postRaw(a.url, { query: "{ __typename }", extensions: apq(hash) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0]).toMatchObject({ message: "provided sha does not match query", extensions: { code: "BAD_REQUEST" } });
  });

  it("works in the embedded mode (in-process store)", async () => {
    const query = "{ embedded: __typename }";
    expect((await postRaw(embedded.url, { extensions: apq(sha256(query)) })).body.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    await postRaw(embedded.url, { query, extensions: apq(sha256(query)) });
    expect((await postRaw(embedded.url, { extensions: apq(sha256(query)) })).body.data.embedded).toBe("Query");
  });

  it("applies the limits to a document registered through APQ too", async () => {
    const query = `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    const refused = await postRaw(a.url, { query, extensions: apq(sha256(query)) });
    expect(refused.body.errors[0].extensions).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "aliases" });
    expect((await postRaw(b.url, { extensions: apq(sha256(query)) })).body.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });
});

describe("PERSISTED_QUERIES=allowlist", () => {
  const dir = mkdtempSync(join(tmpdir(), "liveshelf-manifest-"));
  const manifestFile = join(dir, "operations.json");
  let gw: TestGateway;
  beforeAll(async () => {
    const sources = OPERATIONS_DIRS.flatMap((folder) =>
      readdirSync(folder)
        .filter((f) => f.endsWith(".graphql"))
        .map((f) => readFileSync(new URL(f, folder), "utf8")),
    );
    writeFileSync(manifestFile, JSON.stringify(buildManifest(sources)));
    gw = await startTestGateway("postgres", { env: { PERSISTED_QUERIES: "allowlist", OPERATIONS_MANIFEST: manifestFile } });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to start on a manifest that is missing or whose ids are not the hashes of its bodies", async () => {
    const forged = join(dir, "forged.json");
    writeFileSync(forged, JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id: "0".repeat(64), name: "X", type: "query", body: "{ __typename }" }] }));
    for (const file of [forged, join(dir, "missing.json")]) {
      await expect(startTestGateway("pglite", { env: { PERSISTED_QUERIES: "allowlist", OPERATIONS_MANIFEST: file } })).rejects.toThrow(/OPERATIONS_MANIFEST/);
    }
  });

  it("holds the hash of every typed document the clients (and tests) send", () => {
    const ids = new Set((JSON.parse(readFileSync(manifestFile, "utf8")) as { operations: { id: string }[] }).operations.map((o) => o.id));
    expect(documents.length).toBeGreaterThan(5);
    for (const [name, doc] of documents) expect(ids.has(sha256(print(doc))), name).toBe(true);
  });

  it("runs listed operations, by text or by hash alone from the first call, over POST and GET", async () => {
    expect((await gw.request(operations.ViewerDocument, {})).data).toEqual({ viewer: null });
    const hash = sha256(print(operations.ProductsDocument));
    const byHash = await postRaw(gw.url, { variables: { first: 1 }, extensions: apq(hash) });
    expect(byHash.body.data.products.edges).toBeInstanceOf(Array);
    expect((await getWithHash(gw.url, sha256(print(operations.ViewerDocument)))).data).toEqual({ viewer: null });
  });

  it("refuses anything else with OPERATION_NOT_ALLOWED, on HTTP and WebSocket", async () => {
    const text = await postRaw(gw.url, { query: "{ viewer { id name } }" });
    expect(text.status).toBe(400);
    expect(text.body.errors[0].extensions.code).toBe("OPERATION_NOT_ALLOWED");
    expect(text.body.extensions.cost).toBeDefined();
    expect((await postRaw(gw.url, { extensions: apq("0".repeat(64)) })).body.errors[0].extensions.code).toBe("OPERATION_NOT_ALLOWED");

    const { shop } = await buildMerchant(gw.database.db);
    const product = await buildProduct(gw.database.db, shop.id);
    const productId = toGlobalId("Product", product.id);
    const listed = collect(gw.ws(null), operations.ProductUpdatedDocument, { productId });
    await listed.until(() => listed.messages.length >= 1);
    expect(listed.messages[0]!.data!.productUpdated.id).toBe(productId);
    listed.dispose();
    const socket = await RawSocket.connect(gw.wsUrl);
    socket.subscribe("1", "subscription S($id: ID!) { productUpdated(productId: $id) { id } }", { id: productId });
    expect((await socket.until((m) => m.id === "1" && m.type === "error")).payload[0].extensions.code).toBe("OPERATION_NOT_ALLOWED");
    socket.subscribe("2", "", { productId }, apq(sha256(print(operations.ProductUpdatedDocument))));
    expect((await socket.until((m) => m.id === "2" && m.type === "next")).payload.data.productUpdated.id).toBe(productId);
    socket.close();
  });
});

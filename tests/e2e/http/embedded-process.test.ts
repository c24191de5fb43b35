import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print } from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient } from "graphql-ws";
import {
  CreateProductDocument,
  ProductDocument,
  ProductsDocument,
  ProductUpdatedDocument,
  UpdateProductDocument,
  ViewerDocument,
} from "../../support/generated/graphql.js";
import { spawnGateway } from "../../support/process.js";

const post = async (url: string, doc: Parameters<typeof print>[0], variables: unknown, token?: string) =>
  (await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(doc), variables }),
  }).then((r) => r.json())) as { data?: any; errors?: any[] };

describe("the embedded default, as `npm start` runs it", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "liveshelf-embedded-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("seeds demo data, prints working tokens, drains on SIGTERM and keeps its data across restarts", async () => {
    const first = await spawnGateway({ DATA_DIR: dataDir, LOG_LEVEL: "info" });
    expect(Object.keys(first.tokens).sort()).toEqual(["ADMIN", "ANALYST", "BUYER", "MERCHANT", "PROMOTER"]);
    expect(first.users.filter((u) => u.role === "MERCHANT")).toHaveLength(3);
    // The first start says what it is doing, in order.
    const steps = ["starting", "opening database", "migrating database", "migrating database: done", "seeding demo data (only into an empty database): done", "gateway listening"];
    const at = steps.map((msg) => first.output().indexOf(`"msg":"${msg}"`));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    const listed = await post(first.url, ProductsDocument, { first: 50 });
    expect(listed.data.products.edges.length).toBe(12);
    const viewer = await post(first.url, ViewerDocument, {}, first.tokens.MERCHANT);
    expect(viewer.data.viewer.role).toBe("MERCHANT");

    // The first merchant owns the Sihui jade shop: its change reaches a productUpdated subscriber; another
    // merchant is refused and changes nothing.
    const bangle = listed.data.products.edges.map((e: any) => e.node).find((n: any) => n.title.startsWith("Sihui jadeite bangle"));
    const client = createClient({ url: first.url.replace("http", "ws"), webSocketImpl: WebSocket, retryAttempts: 0 });
    const seen: any[] = [];
    const unsubscribe = client.subscribe({ query: print(ProductUpdatedDocument), variables: { productId: bangle.id } }, { next: (m) => seen.push(m), error: () => {}, complete: () => {} });
    const until = async (predicate: () => boolean) => {
      for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(predicate()).toBe(true);
    };
    await until(() => seen.length >= 1);
    const updated = await post(first.url, UpdateProductDocument, { input: { productId: bangle.id, price: "1188.00" } }, first.tokens.MERCHANT);
    expect(updated.data.updateProduct.product.price.amount).toBe("1188.00");
    await until(() => seen.some((m) => m.data?.productUpdated.price.amount === "1188.00"));
    const otherMerchant = first.users.filter((u) => u.role === "MERCHANT")[1]!;
    const refused = await post(first.url, UpdateProductDocument, { input: { productId: bangle.id, price: "1.00" } }, otherMerchant.token);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await post(first.url, ProductDocument, { id: bangle.id })).data.product.price.amount).toBe("1188.00");
    unsubscribe();
    await client.dispose();

    const created = await post(
      first.url,
      CreateProductDocument,
      { input: { shopId: (await post(first.url, ProductDocument, { id: bangle.id })).data.product.shop.id, title: "Kept across restarts", category: "jade/test", price: "1.00", stock: 1 } },
      first.tokens.MERCHANT,
    );
    expect(created.data.createProduct.userErrors).toEqual([]);

    const socket = new WebSocket(first.url.replace("http", "ws"), "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
    await new Promise((resolve) => socket.once("message", resolve));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    first.child.kill("SIGTERM");
    expect(await closed).toBe(1001);
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    const second = await spawnGateway({ DATA_DIR: dataDir });
    try {
      const again = await post(second.url, ProductsDocument, { first: 50 });
      expect(again.data.products.edges.length).toBe(13);
      expect(again.data.products.edges.some((e: any) => e.node.title === "Kept across restarts")).toBe(true);
      // the secret was kept too: a token minted by the first process is still valid
      expect((await post(second.url, ViewerDocument, {}, first.tokens.BUYER)).data.viewer.role).toBe("BUYER");
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 120_000);

  it("refuses a bad configuration, naming the variable", async () => {
    await expect(spawnGateway({ DATA_DIR: dataDir, PORT: "not-a-port" }, 20_000)).rejects.toThrow(/PORT: must be a whole number/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildUser } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";

describe("HTTP endpoints", () => {
  let gw: TestGateway;
  let base: string;
  beforeAll(async () => {
    gw = await startTestGateway("postgres");
    base = gw.url.replace(/\/graphql$/, "");
  });
  afterAll(() => gw?.stop());

  it("answers /healthz and /readyz with the state of Postgres and Redis", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", database: true, bus: true });
  });

  it("exports Prometheus metrics with request counts, latencies and WebSocket connections", async () => {
    await fetch(`${base}/healthz`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/liveshelf_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/);
    expect(text).toContain("liveshelf_http_request_duration_seconds_bucket");
    expect(text).toContain("liveshelf_websocket_connections");

    // an open WebSocket is counted while it is open, and no longer once closed
    const socket = new WebSocket(gw.wsUrl, "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    const open = await (await fetch(`${base}/metrics`)).text();
    expect(open).toMatch(/^liveshelf_websocket_connections 1$/m);
    socket.close();
    await new Promise((resolve) => socket.once("close", resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^liveshelf_websocket_connections 0$/m);
  });

  it("serves GraphiQL and its assets from the installed packages (no CDN)", async () => {
    // Production mode: GraphiQL is for ADMIN and ANALYST (tests/e2e/security covers the refusals).
    const page = await (await fetch(`${gw.url}?token=${await gw.token((await buildUser(gw.database.db, "ANALYST")).id, "ANALYST")}`, { headers: { accept: "text/html" } })).text();
    expect(page).toContain("liveshelf GraphiQL");
    expect(page).not.toMatch(/https?:\/\/(?!localhost)[a-z]/i);
    for (const src of page.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)) {
      const asset = await fetch(`${base}${src[1]}`);
      expect(asset.status, src[1]).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it("keeps CSRF prevention on: a simple GET without a preflight header is refused", async () => {
    const refused = await fetch(`${gw.url}?query=${encodeURIComponent("{ viewer { id } }")}`);
    expect(refused.status).toBe(400);
    const allowed = await fetch(`${gw.url}?query=${encodeURIComponent("{ viewer { id } }")}`, { headers: { "apollo-require-preflight": "1" } });
    expect(await allowed.json()).toMatchObject({ data: { viewer: null } });
  });

  it("answers a bad token with 401 UNAUTHENTICATED, and bad JSON with 400", async () => {
    const bad = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer nope" },
      body: JSON.stringify({ query: "{ viewer { id } }" }),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const expired = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await gw.token((await buildUser(gw.database.db, "BUYER")).id, "BUYER", -10)}` },
      body: JSON.stringify({ query: "{ viewer { id } }" }),
    });
    expect(((await expired.json()) as any).errors[0].message).toMatch(/expired/);
    const junk = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(junk.status).toBe(400);
    expect(junk.headers.get("x-request-id")).toBeTruthy();
  });
});

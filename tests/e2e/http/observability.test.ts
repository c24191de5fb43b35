import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OperationNames } from "../../../src/http/metrics.js";
import type { Logger } from "../../../src/shared/logger.js";
import { buildUser } from "../../support/builders.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { FlashSaleInventoryDocument, ViewerDocument } from "../../support/generated/graphql.js";
import { eventually } from "../../support/price-guard.js";
import { liveSale } from "../../support/scenarios.js";

/** A logger that keeps every line, as the JSON log stream would carry it. */
function recordingLogger(lines: Record<string, unknown>[], base: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push({ level, msg, ...base, ...fields });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (fields) => recordingLogger(lines, { ...base, ...fields }) };
}

const metric = (text: string, name: string, labels: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && labels.split(",").every((pair) => l.includes(pair)));
  return line ? Number(line.split(" ").at(-1)) : 0;
};

describe("observability: one log line per request, operations counted and timed on both doors", () => {
  const lines: Record<string, unknown>[] = [];
  let gw: TestGateway;
  let base: string;
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { log: recordingLogger(lines), env: { INVENTORY_COALESCE_MS: "20" } });
    base = gw.url.replace("/graphql", "");
  });
  afterAll(() => gw?.stop());

  it("logs each GraphQL request at info with operation, duration, status, request id and user; health checks at debug", async () => {
    const user = await buildUser(gw.database.db, "BUYER");
    const token = await gw.token(user.id, "BUYER");
    const response = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": "obs-test-1" },
      body: JSON.stringify({ query: "query WhoAmI { viewer { id } }", operationName: "WhoAmI" }),
    });
    expect(response.status).toBe(200);
    await fetch(`${base}/healthz`, { headers: { "x-request-id": "obs-health-1" } });
    await eventually(() => lines.some((l) => l.requestId === "obs-health-1"), "the health check's line");
    const line = lines.find((l) => l.msg === "request" && l.requestId === "obs-test-1");
    expect(line).toMatchObject({ level: "info", method: "POST", route: "/graphql", status: 200, operationName: "WhoAmI", operationType: "query", outcome: "ok", userId: user.id });
    expect(line!.durationMs).toEqual(expect.any(Number));
    expect(lines.find((l) => l.requestId === "obs-health-1")).toMatchObject({ level: "debug", msg: "request", route: "/healthz", status: 200 });

    const refused = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "obs-test-2" }, body: JSON.stringify({ query: "query Broken { nope }" }) });
    expect(refused.status).toBe(400);
    expect(lines.find((l) => l.requestId === "obs-test-2")).toMatchObject({ level: "info", status: 400, outcome: "error", userId: null });
  });

  it("logs a request its caller abandoned mid-body as 499, not as a database outage (which would refuse the next ones with 503)", async () => {
    // Half a body, then the socket closes: node:http fails the body read with "aborted", code ECONNRESET.
    const socket = connect(gw.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const body = JSON.stringify({ query: "{ __typename }" });
    socket.write(`POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nx-request-id: obs-abandoned\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await eventually(() => lines.some((l) => l.msg === "request" && l.requestId === "obs-abandoned"), "the abandoned request's line");
    expect(lines.find((l) => l.msg === "request" && l.requestId === "obs-abandoned")).toMatchObject({ status: 499 });
    expect(lines.filter((l) => l.level === "warn" || l.level === "error").map((l) => l.msg)).toEqual([]);
    const next = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(next.status).toBe(200);
  });

  it("counts and times WebSocket subscriptions by operation name, and logs each when it ends", async () => {
    const s = await liveSale(gw, { units: 3 });
    const before = await (await fetch(`${base}/metrics`)).text();
    const watcher = collect(gw.ws(null), FlashSaleInventoryDocument, { liveSessionId: s.liveSessionId });
    await watcher.until(() => watcher.messages.length >= 1);
    const refused = collect(gw.ws(null), ViewerDocument, {});
    await refused.until(() => refused.error !== null || refused.messages.length > 0);
    const during = await (await fetch(`${base}/metrics`)).text();
    const ok = 'transport="ws",type="subscription",outcome="ok"';
    expect(metric(during, "liveshelf_graphql_operations_total", ok) - metric(before, "liveshelf_graphql_operations_total", ok)).toBe(1);
    expect(metric(during, "liveshelf_graphql_operations_total", 'transport="ws",outcome="error"')).toBeGreaterThanOrEqual(1);
    expect(metric(during, "liveshelf_graphql_operation_duration_seconds_count", 'transport="ws",operation="FlashSaleInventory"')).toBe(1);
    expect(metric(during, "liveshelf_graphql_operation_duration_seconds_count", 'transport="http",operation="WhoAmI"')).toBe(1);
    expect(metric(during, "liveshelf_graphql_operations_total", 'transport="http",type="query",outcome="ok"')).toBeGreaterThanOrEqual(1);

    watcher.dispose();
    await eventually(() => lines.some((l) => l.msg === "subscription" && l.operationName === "FlashSaleInventory"), "the subscription's line");
    expect(lines.find((l) => l.msg === "subscription" && l.operationName === "FlashSaleInventory")).toMatchObject({ level: "info", userId: null, results: 1, connectionId: expect.any(String) });
    expect(lines.find((l) => l.msg === "subscription refused")).toMatchObject({ level: "info", userId: null, code: "OPERATION_NOT_ALLOWED" });
  });

  it("gives at most 200 operation names their own series", () => {
    const names = new OperationNames();
    expect(names.label(undefined)).toBe("anonymous");
    expect(names.label("not a name")).toBe("other");
    for (let i = 0; i < 200; i++) expect(names.label(`Op${i}`)).toBe(`Op${i}`);
    expect(names.label("Op200")).toBe("other");
    expect(names.label("Op7")).toBe("Op7");
  });
});

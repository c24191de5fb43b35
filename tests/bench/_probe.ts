import "reflect-metadata";
import { spawnGateway } from "../support/process.js";
import { databaseUrl, JWT_SECRET, REDIS_URL } from "../support/services.js";
import { TokenService } from "../../src/shared/auth.js";
import { toGlobalId } from "../../src/shared/ids.js";
import { SHELF_QUERY, SELECTION_QUERY } from "./read-path.js";
import postgres from "postgres";
const name = process.argv[2]!;
const client = postgres(databaseUrl(name), { max: 1 });
const ids = (await client`select distinct promoter_id from shelf_items order by 1 limit 200`).map((r) => Number(r.promoter_id));
await client.end();
const gw = await spawnGateway({ NODE_ENV: "production", DATABASE_URL: databaseUrl(name), REDIS_URL, REDIS_KEY_PREFIX: "probe:", JWT_SECRET, LOG_LEVEL: "warn", RATE_LIMIT_BUCKET_SIZE: "1000000000", RATE_LIMIT_RESTORE_RATE: "1000000000", ...(process.env.GW_EXTRA ? JSON.parse(process.env.GW_EXTRA) : {}) });
const tokens = new TokenService(JWT_SECRET, 3600);
const post = async (query: string, variables: unknown, token?: string) => {
  const r = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return { status: r.status, text: await r.text() };
};
const N = Number(process.env.N ?? 200);
if (process.env.LOAD) {
  const { default: autocannon } = await import("autocannon");
  const which = process.env.LOAD;
  const toks = await Promise.all(ids.map((id) => tokens.mint(id, "PROMOTER" as never)));
  const run = (duration: number) => autocannon({ url: gw.url, connections: 50, duration, requests: [{ setupRequest: (req: any) => {
    const i = Math.floor(Math.random() * ids.length);
    return which === "shelf"
      ? { ...req, method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: SHELF_QUERY, variables: { id: toGlobalId("Promoter", ids[i]!) } }) }
      : { ...req, method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${toks[i]}` }, body: JSON.stringify({ query: SELECTION_QUERY }) };
  }, onResponse: (status: number, body: string) => { if (status !== 200 && bads.length < 3) bads.push(status + ' ' + body.slice(0, 300)); } }] } as any);
  const bads: string[] = [];
  await run(3);
  const r = await run(Number(process.env.SECONDS ?? 10));
  console.log(bads, gw.output().split("\n").filter((l) => /warn|error/.test(l)).slice(0, 6).join("\n")); console.log(which, "rps", r.requests.average, "p50", r.latency.p50, "p99", r.latency.p99, "non2xx", r.non2xx, "errors", r.errors);
  gw.child.kill("SIGTERM"); await gw.exited; process.exit(0);
}
for (const [label, fn] of [
  ["shelf", (i: number) => post(SHELF_QUERY, { id: toGlobalId("Promoter", ids[i % ids.length]!) })],
  ["selection", async (i: number) => post(SELECTION_QUERY, {}, await tokens.mint(ids[i % ids.length]!, "PROMOTER" as never))],
] as const) {
  for (let i = 0; i < 20; i++) await fn(i);
  const t = performance.now();
  let bad = 0; let example = "";
  for (let i = 0; i < N; i++) { const r = await fn(i); if (r.status !== 200 || r.text.includes('"errors"')) { bad++; example = r.text.slice(0, 300); } }
  console.log(label, ((performance.now() - t) / N).toFixed(2), "ms sequential per request; bad", bad, example);
}
gw.child.kill("SIGTERM"); await gw.exited;

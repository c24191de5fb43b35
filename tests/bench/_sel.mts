import { TokenService } from "/work/main/src/shared/auth.js";
import { spawnGateway } from "/work/main/tests/support/process.js";
import { databaseUrl, JWT_SECRET, REDIS_URL } from "/work/main/tests/support/services.js";
import { SELECTION_QUERY } from "/work/main/tests/bench/read-path.js";
const g = await spawnGateway({ NODE_ENV: "production", DATABASE_URL: databaseUrl(process.argv[2]!), REDIS_URL, REDIS_KEY_PREFIX: "x:", JWT_SECRET, LOG_LEVEL: "warn" });
const t = await new TokenService(JWT_SECRET, 3600).mint(Number(process.argv[3]), "PROMOTER" as never);
const r = await fetch(g.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${t}` }, body: JSON.stringify({ query: SELECTION_QUERY }) });
console.log((await r.text()).slice(0, 500));
g.child.kill(); await g.exited;

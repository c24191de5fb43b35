import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { bearerToken, type Viewer } from "../shared/auth.js";
import { send } from "./respond.js";

const nodeModules = fileURLToPath(new URL("../../node_modules/", import.meta.url));

/** GraphiQL's browser files come from the installed packages: the page works with no internet. */
const ASSETS: Record<string, { module: string; type: string }> = {
  "react.js": { module: "react/umd/react.production.min.js", type: "text/javascript" },
  "react-dom.js": { module: "react-dom/umd/react-dom.production.min.js", type: "text/javascript" },
  "graphiql.js": { module: "graphiql/graphiql.min.js", type: "text/javascript" },
  "graphiql.css": { module: "graphiql/graphiql.min.css", type: "text/css" },
  "graphql-ws.js": { module: "graphql-ws/umd/graphql-ws.min.js", type: "text/javascript" },
};

const cache = new Map<string, Buffer>();

export async function graphiqlAsset(name: string): Promise<{ body: Buffer; type: string } | null> {
  const asset = ASSETS[name];
  if (!asset) return null;
  let body = cache.get(name);
  if (!body) {
    body = await readFile(nodeModules + asset.module);
    cache.set(name, body);
  }
  return { body, type: asset.type };
}

/** A browser navigating to /graphql (HTML first in Accept) gets GraphiQL, even with ?query= (a shared link); API GETs do not. */
export function wantsGraphiql(req: IncomingMessage, url: URL): boolean {
  return req.method === "GET" && !url.searchParams.has("extensions") && (req.headers.accept ?? "").trimStart().startsWith("text/html");
}

/** The gate: GraphiQL (which introspects) opens only for viewers allowed to introspect; a bad token is anonymous here. */
export async function serveGraphiql(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  gate: { authenticate(token: string | null): Promise<Viewer | null>; mayIntrospect(viewer: Viewer | null): boolean },
): Promise<void> {
  const viewer = await (async () => gate.authenticate(url.searchParams.get("token") ?? bearerToken(req.headers.authorization)))().catch(() => null);
  if (!gate.mayIntrospect(viewer)) return send(res, 403, "text/plain; charset=utf-8", "GraphiQL is open to ADMIN and ANALYST users here: open it with ?token=<token>.");
  send(res, 200, "text/html; charset=utf-8", graphiqlPage());
}

export function graphiqlPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>liveshelf GraphiQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="/graphiql/graphiql.css" />
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script src="/graphiql/graphql-ws.js"></script>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script>
    // A ?token= in the address (printed by the gateway at start) becomes the Authorization header.
    const params = new URLSearchParams(location.search);
    const token = params.get("token");
    if (token) {
      localStorage.setItem("graphiql:headers", JSON.stringify({ Authorization: "Bearer " + token }, null, 2));
      params.delete("token");
      history.replaceState(null, "", location.pathname + (params.size ? "?" + params : ""));
    }
    const wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
    const httpHeaders = { "apollo-require-preflight": "true" };
    // A WebSocket signs in once, in connection_init: subscriptions take the Authorization of the headers editor at
    // the moment they run, each distinct value on its own lazy client (it holds a socket only while in use).
    const MAX_CLIENTS = 8;
    const byAuthorization = new Map();
    function authorizationOf(headers) {
      for (const [name, value] of Object.entries(headers || {})) if (name.toLowerCase() === "authorization") return String(value);
      return "";
    }
    function fetcherFor(authorization) {
      let entry = byAuthorization.get(authorization);
      if (!entry) {
        const wsClient = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: authorization ? { authorization } : {} });
        entry = { wsClient, fetcher: GraphiQL.createFetcher({ url: "/graphql", wsClient, headers: httpHeaders }) };
        byAuthorization.set(authorization, entry);
        if (byAuthorization.size > MAX_CLIENTS) {
          const [oldest, stale] = byAuthorization.entries().next().value;
          byAuthorization.delete(oldest);
          stale.wsClient.dispose();
        }
      }
      return entry.fetcher;
    }
    const fetcher = (params, options) => fetcherFor(authorizationOf(options && options.headers))(params, options);
    const defaultQuery = [
      "# liveshelf: run this, then subscribe to a room's stock with its id:",
      '#   subscription Countdown { flashSaleInventory(liveSessionId: "<id>") { version sales { status soldUnits remainingUnits } } }',
      "query LiveRooms {",
      "  liveSessions(first: 5, status: LIVE) {",
      "    edges { node { id title viewerCount flashSales { id status remainingUnits flashPrice { amount } product { title } } } }",
      "  }",
      "}",
      "",
    ].join(String.fromCharCode(10));
    // ?query= opens a shared operation (a link in the docs, a teammate's paste).
    const props = { fetcher, defaultQuery, defaultEditorToolsVisibility: true, shouldPersistHeaders: true };
    if (params.get("query")) props.query = params.get("query");
    ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
  </script>
</body>
</html>`;
}

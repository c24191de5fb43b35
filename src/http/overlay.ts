import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { buildManifest } from "./persisted-operations.js";

const here = fileURLToPath(new URL("./overlay/", import.meta.url));
const fontDir = fileURLToPath(new URL("../../node_modules/@fontsource-variable/noto-sans-sc/", import.meta.url));
const FONT_FILE = /^noto-sans-sc-[a-z0-9-]{1,24}-wght-normal\.woff2$/;
const PAGE_PATH = /^\/overlay\/([A-Za-z0-9_-]{1,64})$/;

/** The page's operations as `print()` prints them, with their sha256: what an allowlist manifest of this folder holds. */
const operations = Object.fromEntries(
  buildManifest([readFileSync(here + "overlay.graphql", "utf8")]).operations.map((op) => [op.name, { query: op.body, hash: op.id }]),
);

const cache = new Map<string, Buffer>();
async function cached(path: string): Promise<Buffer> {
  let body = cache.get(path);
  if (!body) {
    body = await readFile(path);
    cache.set(path, body);
  }
  return body;
}

export interface OverlayResponse {
  status: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * The live-room overlay (`/overlay/<liveSessionId>`): a page that streaming software loads as a browser source.
 * Everything it needs comes from the gateway itself (script, styles, graphql-ws, a Chinese web font from the
 * installed @fontsource package), so it works with no internet.
 */
export async function overlayResponse(path: string): Promise<OverlayResponse | null> {
  if (path === "/overlay/assets/overlay.js") return { status: 200, type: "text/javascript; charset=utf-8", body: await cached(here + "overlay.js") };
  if (path === "/overlay/assets/overlay.css") return { status: 200, type: "text/css; charset=utf-8", body: await cached(here + "overlay.css") };
  if (path === "/overlay/fonts/noto-sans-sc.css") {
    const css = (await cached(fontDir + "index.css")).toString("utf8").replaceAll("url(./files/", "url(/overlay/fonts/");
    return { status: 200, type: "text/css; charset=utf-8", body: css };
  }
  if (path.startsWith("/overlay/fonts/")) {
    const name = path.slice("/overlay/fonts/".length);
    if (!FONT_FILE.test(name)) return null;
    const body = await cached(fontDir + "files/" + name).catch(() => null);
    return body && { status: 200, type: "font/woff2", body };
  }
  if (!PAGE_PATH.test(path)) return null;
  return {
    status: 200,
    type: "text/html; charset=utf-8",
    body: overlayPage(),
    // The page may carry a promoter's token in its address: it must not leak through a Referer.
    headers: { "referrer-policy": "no-referrer", "content-security-policy": "default-src 'self'; style-src 'self'; font-src 'self'; connect-src 'self'; img-src 'self' data:" },
  };
}

function overlayPage(): string {
  // JSON inside <script>: "<" escaped so no operation text can close the element.
  const ops = JSON.stringify(operations).replaceAll("<", "\\u003c");
  return `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=1920, height=1080" />
  <title>liveshelf overlay</title>
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="/overlay/fonts/noto-sans-sc.css" />
  <link rel="stylesheet" href="/overlay/assets/overlay.css" />
  <script id="operations" type="application/json">${ops}</script>
  <script src="/graphiql/graphql-ws.js"></script>
  <script src="/overlay/assets/overlay.js" defer></script>
</head>
<body data-connection="connecting">
  <header id="room">
    <h1 id="title"></h1>
    <div id="viewers" class="pill" hidden><span class="label">观看 viewers</span> <span id="viewer-count" class="number">0</span></div>
    <div id="session-ended" class="pill ended" hidden>直播已结束 · Stream ended</div>
  </header>
  <div id="connection" class="pill warn" hidden>重新连接中… reconnecting</div>
  <section id="alerts" aria-live="polite"></section>
  <section id="sales"></section>
  <footer id="cart-panel" hidden>
    <div class="heading">购物车 · In the cart</div>
    <ul id="cart"></ul>
  </footer>
  <div id="problem" class="pill warn" hidden></div>
</body>
</html>`;
}

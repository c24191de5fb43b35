/** Demo buyers seeded for `npm run demo:crowd` (not printed in the start banner). */
export const DEMO_CROWD_PREFIX = "老铁 crowd #";
export const DEMO_CROWD_SIZE = 300;

/** Mints a BUYER token for a user id (the gateway's own HS256 tokens). */
export type MintToken = (userId: number) => Promise<string>;

export interface CrowdOptions {
  /** The gateway's GraphQL endpoint. */
  url: string;
  mint: MintToken;
  /** How many crowd buyers to send (each orders once). */
  buyers: number;
  /** Orders started per second. */
  rate: number;
  /** Orders in flight at once. */
  concurrency: number;
  /** Stop after this long, whatever is left. */
  maxSeconds: number;
  /** A flash sale ID; default: the first RUNNING sale of the first live room. */
  flashSaleId?: string;
  report?: (line: string) => void;
}

export interface CrowdResult {
  flashSaleId: string;
  title: string;
  ordered: number;
  units: number;
  refused: Record<string, number>;
  remainingBefore: number;
  remainingAfter: number;
  status: string;
}

const SALES = `query CrowdSales { liveSessions(first: 20, status: LIVE) { edges { node { title flashSales { id status remainingUnits perBuyerLimit product { title } } } } } }`;
const SALE = `query CrowdSale($id: ID!) { flashSale(id: $id) { id status remainingUnits perBuyerLimit product { title } } }`;
const VIEWER = `query CrowdViewer { viewer { id name } }`;
const ORDER = `mutation CrowdOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id quantity } userErrors { code } } }`;
/** Ids past the last user end the scan; the crowd follows the named demo users, so the scan is short. */
const MAX_SCAN = 2_000;

type Sale = { id: string; status: string; remainingUnits: number; perBuyerLimit: number; product: { title: string } };

async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ data?: T; errors?: { extensions?: { code?: string } }[] }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { extensions?: { code?: string } }[] };
}

async function findSale(options: CrowdOptions): Promise<Sale> {
  if (options.flashSaleId) {
    const found = await graphql<{ flashSale: Sale | null }>(options.url, SALE, { id: options.flashSaleId });
    if (!found.data?.flashSale) throw new Error(`no flash sale ${options.flashSaleId}`);
    return found.data.flashSale;
  }
  const rooms = await graphql<{ liveSessions: { edges: { node: { flashSales: Sale[] } }[] } }>(options.url, SALES);
  const sale = rooms.data?.liveSessions.edges.flatMap((e) => e.node.flashSales).find((s) => s.status === "RUNNING");
  if (!sale) throw new Error("no live room has a RUNNING flash sale (start one, or pass --sale <id>)");
  return sale;
}

/** The demo crowd's user ids, found through the API (the gateway holds the embedded database). */
async function findCrowd(options: CrowdOptions): Promise<number[]> {
  const crowd: number[] = [];
  const batch = 25;
  for (let from = 1; from <= MAX_SCAN && crowd.length < options.buyers; from += batch) {
    const ids = Array.from({ length: batch }, (_, i) => from + i);
    const found = await Promise.all(
      ids.map(async (id) => {
        const answer = await graphql<{ viewer: { name: string } | null }>(options.url, VIEWER, {}, await options.mint(id));
        if (answer.errors?.[0]?.extensions?.code === "UNAUTHENTICATED") return "none" as const;
        return answer.data?.viewer?.name.startsWith(DEMO_CROWD_PREFIX) ? id : null;
      }),
    );
    for (const f of found) if (typeof f === "number") crowd.push(f);
    if (found.includes("none")) break;
  }
  return crowd.slice(0, options.buyers);
}

/**
 * Sends a bounded crowd of demo buyers at a flash sale, paced so an overlay or GraphiQL shows the stock falling:
 * each buyer orders once (1 to the per-buyer limit units), with an idempotency key per sale and buyer, so running
 * the crowd again buys nothing twice. Stops when every buyer has ordered, the sale is no longer running, or time is up.
 */
export async function runCrowd(options: CrowdOptions): Promise<CrowdResult> {
  const report = options.report ?? (() => {});
  const sale = await findSale(options);
  const crowd = await findCrowd(options);
  if (crowd.length === 0) throw new Error(`no demo crowd buyers ("${DEMO_CROWD_PREFIX}…") in this gateway's database: it was seeded before demo:crowd existed; stop the gateway, remove its DATA_DIR and start again`);
  report(`${crowd.length} buyers → "${sale.product.title}" (${sale.remainingUnits} left, up to ${sale.perBuyerLimit} each), ${options.rate}/s`);
  const result: CrowdResult = { flashSaleId: sale.id, title: sale.product.title, ordered: 0, units: 0, refused: {}, remainingBefore: sale.remainingUnits, remainingAfter: sale.remainingUnits, status: sale.status };
  const started = Date.now();
  const deadline = started + options.maxSeconds * 1000;
  let stop = false;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const ticker = setInterval(() => report(`ordered ${result.ordered} (${result.units} units), refused ${JSON.stringify(result.refused)}`), 1000);
  try {
    for (const [i, userId] of crowd.entries()) {
      if (stop || Date.now() > deadline) break;
      const wait = i * (1000 / options.rate) - (Date.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (inFlight >= options.concurrency) await Promise.race(pending);
      const quantity = 1 + ((userId * 7) % Math.max(1, sale.perBuyerLimit));
      inFlight++;
      const order = (async () => {
        const answer = await graphql<{ placeOrder: { order: { quantity: number } | null; userErrors: { code: string }[] } }>(
          options.url,
          ORDER,
          { input: { flashSaleId: sale.id, quantity, idempotencyKey: `demo-crowd-${sale.id}-${userId}` } },
          await options.mint(userId),
        );
        const placed = answer.data?.placeOrder;
        if (placed?.order) {
          result.ordered++;
          result.units += placed.order.quantity;
        } else {
          const code = placed?.userErrors[0]?.code ?? answer.errors?.[0]?.extensions?.code ?? "ERROR";
          result.refused[code] = (result.refused[code] ?? 0) + 1;
          if (code === "SOLD_OUT" || code === "ENDED") stop = true;
        }
      })().finally(() => {
        inFlight--;
        pending.delete(order);
      });
      pending.add(order);
    }
    await Promise.all(pending);
  } finally {
    clearInterval(ticker);
  }
  const after = (await findSale({ ...options, flashSaleId: sale.id })) as Sale;
  result.remainingAfter = after.remainingUnits;
  result.status = after.status;
  report(`done: ordered ${result.ordered} (${result.units} units), refused ${JSON.stringify(result.refused)}; ${after.remainingUnits} left, ${after.status}`);
  return result;
}

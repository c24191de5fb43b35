import { buildProduct } from "../support/builders.js";
import { putOnShelf } from "../support/shelf.js";
import {
  benchDatabase,
  cpuMs,
  GC_ON_SIGNAL,
  graphql,
  histogramSummary,
  mergeHistograms,
  mintToken,
  openFilesLimit,
  round,
  rssAfterGc,
  startGateways,
  startWorker,
  sumOf,
  type Figure,
  type Gateway,
  type Phase,
  type Worker,
} from "./kit.js";
import type { Connected, ConnectRequest, CrowdReport } from "./room-clients.js";
import { makeBuyers, setUpSale } from "./sellout.js";

/**
 * A crowded live room (issue 16, target 3): BENCH_ROOM_SUBSCRIBERS (28,000) anonymous `liveSessionEvents`
 * subscribers over 2 gateway processes, from BENCH_ROOM_CLIENTS (4) client processes. The promoter pins and unpins a
 * product BENCH_ROOM_MESSAGES times, then a small flash sale sells out: every subscriber must receive the final
 * FlashSaleSoldOut. Commit-to-delivery is the event's `at` (read by the mutation just before its transaction) to the
 * client's receipt, on the same clock. The floor: plain `ws` servers (2 processes) broadcasting one pre-serialised
 * frame of the gateway's size to as many sockets, as many times, at the same pace.
 */
const ROOM_QUERY = `subscription Room($s: ID!) { liveSessionEvents(liveSessionId: $s) { __typename
  ... on CartItemPinned { at productId } ... on CartItemUnpinned { at productId } ... on FlashSaleStarted { at flashSaleId }
  ... on FlashSaleSoldOut { at flashSaleId } ... on ViewerCountChanged { at viewers } ... on LiveSessionSnapshot { at viewers } } }`;
const SALE_UNITS = 20;
const SPACING_MS = 500;
/** The gateways' VIEWER_TICK_MS (they are started with the default). */
const VIEWER_TICK_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CrowdResult {
  connectMs: number;
  connected: number;
  connectFailures: Record<string, number>;
  rssPerSubscriber: number;
  rssBefore: number[];
  rssAfter: number[];
  latency: ReturnType<typeof histogramSummary>;
  messages: number;
  meanFrameBytes: number;
  sawFinal: number;
  missedFinal: number;
  closedEarly: number;
  /** Server CPU (all processes) per subscriber while connecting, and per message received in the measured window. */
  cpuMsPerSubscribe: number;
  cpuUsPerMessage: number;
}

async function crowd(
  clients: Worker[],
  servers: number[],
  request: Omit<ConnectRequest, "type" | "count" | "first" | "deadlineMs">,
  subscribers: number,
  events: () => Promise<void>,
  log: (msg: string) => void,
): Promise<CrowdResult> {
  const rssBefore = await rssAfterGc(servers);
  const cpuAtStart = sumOf(servers, cpuMs);
  const per = Math.ceil(subscribers / clients.length);
  const started = performance.now();
  const progress = new Map<Worker, number>();
  clients.forEach((c) => c.on("progress", (m: { ready: number }) => progress.set(c, m.ready)));
  const ticker = setInterval(() => log(`${[...progress.values()].reduce((a, b) => a + b, 0)} of ${subscribers} subscribed`), 15_000);
  const deadlineMs = Number(process.env.BENCH_ROOM_CONNECT_SECONDS ?? 300) * 1000;
  clients.forEach((c, i) => c.send({ ...request, type: "connect", count: Math.min(per, subscribers - per * i), first: per * i, deadlineMs } satisfies ConnectRequest));
  const connected = await Promise.all(clients.map((c) => c.next<Connected>("connected", deadlineMs + 60_000))).finally(() => clearInterval(ticker));
  const connectMs = performance.now() - started;
  const ready = connected.reduce((n, c) => n + c.ready, 0);
  const connectFailures: Record<string, number> = {};
  for (const c of connected) for (const [why, n] of Object.entries(c.failures)) connectFailures[why] = (connectFailures[why] ?? 0) + n;
  const cpuConnecting = sumOf(servers, cpuMs) - cpuAtStart;
  log(`${ready} of ${subscribers} subscribed in ${round(connectMs / 1000)} s${Object.keys(connectFailures).length ? ` (failed: ${JSON.stringify(connectFailures)})` : ""}`);
  // Joins stop moving the viewer count: its last counts go out before the measured messages (a big room gets one at
  // most every 10 ticks of VIEWER_TICK_MS, see modules/live/viewer-counter.ts).
  await sleep(10 * VIEWER_TICK_MS + 2500);
  const rssAfter = await rssAfterGc(servers);
  clients.forEach((c) => c.send({ type: "measure" }));
  await Promise.all(clients.map((c) => c.next("measuring")));
  const cpuBeforeEvents = sumOf(servers, cpuMs);
  await events();
  let reports: CrowdReport[] = [];
  for (const deadline = performance.now() + 60_000; performance.now() < deadline; ) {
    await sleep(500);
    clients.forEach((c) => c.send({ type: "report" }));
    reports = await Promise.all(clients.map((c) => c.next<CrowdReport>("report")));
    if (reports.reduce((n, r) => n + r.missedFinal, 0) === 0) break;
  }
  const cpuEvents = sumOf(servers, cpuMs) - cpuBeforeEvents;
  clients.forEach((c) => c.send({ type: "close" }));
  await Promise.all(clients.map((c) => c.next("closed")));
  const measured = reports.reduce((n, r) => n + r.measured, 0);
  const received = reports.reduce((n, r) => n + r.messages, 0);
  return {
    connectMs,
    connected: ready,
    connectFailures,
    rssBefore,
    rssAfter,
    rssPerSubscriber: (rssAfter.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0)) / Math.max(1, ready),
    latency: histogramSummary(mergeHistograms(reports.map((r) => r.latency))),
    messages: received,
    meanFrameBytes: measured ? Math.round(reports.reduce((n, r) => n + r.measuredBytes, 0) / measured) : 0,
    sawFinal: reports.reduce((n, r) => n + r.sawFinal, 0),
    missedFinal: reports.reduce((n, r) => n + r.missedFinal, 0),
    closedEarly: reports.reduce((n, r) => n + r.closedEarly, 0),
    cpuMsPerSubscribe: round(cpuConnecting / Math.max(1, ready), 2),
    cpuUsPerMessage: round((cpuEvents * 1000) / Math.max(1, received), 1),
  };
}

async function fanoutDelivered(gateways: Gateway[]): Promise<number> {
  let sum = 0;
  for (const g of gateways) {
    const text = await (await fetch(g.url.replace(/\/graphql$/, "/metrics"))).text();
    sum += Number(/^liveshelf_fanout_messages_total (\S+)$/m.exec(text)?.[1] ?? 0);
  }
  return sum;
}

export const roomPhase: Phase = {
  name: "room",
  async run(log) {
    const subscribers = Number(process.env.BENCH_ROOM_SUBSCRIBERS ?? 28_000);
    const clientCount = Number(process.env.BENCH_ROOM_CLIENTS ?? 4);
    const messages = Number(process.env.BENCH_ROOM_MESSAGES ?? 10);
    const files = openFilesLimit();
    const needed = Math.max(Math.ceil(subscribers / 2), Math.ceil(subscribers / clientCount)) + 500;
    if (files.soft < needed) throw new Error(`open files: ${files.soft} allowed (hard ${files.hard}), a process here needs ${needed}: raise ulimit -n or use more processes`);
    const failures: string[] = [];
    const bench = await benchDatabase("room");
    const clients = Array.from({ length: clientCount }, () => startWorker("./room-clients.ts"));
    try {
      await Promise.all(clients.map((c) => c.next("ready", 60_000)));
      // Gateways and floor alike collect their garbage on SIGUSR2: memory is read after a full collection in each (rssAfterGc).
      const { gateways, stop } = await startGateways(2, bench.url, {}, GC_ON_SIGNAL);
      let gateway: CrowdResult;
      let delivered = 0;
      let deliveredConnecting = 0;
      try {
        const db = bench.database.db;
        const sale = await setUpSale(db, gateways[0]!.url, SALE_UNITS);
        const other = await buildProduct(db, sale.shopId, { stock: 10 });
        await putOnShelf(db, sale.promoterId, other.id);
        const otherId = Buffer.from(`Product:${other.id}`).toString("base64url");
        const buyers = await makeBuyers(db, SALE_UNITS);
        log(`2 gateway processes up; ${subscribers} subscribers from ${clientCount} processes`);
        const deliveredBefore = { n: 0 };
        gateway = await crowd(
          clients,
          gateways.map((g) => g.pid),
          { mode: "gateway", urls: gateways.map((g) => g.wsUrl), query: ROOM_QUERY, variables: { s: sale.liveSessionId }, concurrency: 64 },
          subscribers,
          async () => {
            deliveredBefore.n = await fanoutDelivered(gateways);
            for (let k = 0; k < messages; k++) {
              const verb = k % 2 === 0 ? "pinToCart" : "unpinFromCart";
              const reply = await graphql(gateways[k % 2]!.url, sale.promoterToken, `mutation($s: ID!, $p: ID!) { ${verb}(input: { liveSessionId: $s, productId: $p }) { userErrors { code } } }`, { s: sale.liveSessionId, p: otherId });
              if (reply.errors || reply.data?.[verb].userErrors.length) throw new Error(`${verb}: ${JSON.stringify(reply)}`);
              await sleep(SPACING_MS);
            }
            const replies = await Promise.all(
              buyers.map((id, i) =>
                graphql(gateways[i % 2]!.url, mintToken(id, "BUYER"), `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } userErrors { code } } }`, {
                  i: { flashSaleId: sale.flashSaleId, quantity: 1, idempotencyKey: `room-${i}` },
                }).catch((error: Error): { data?: any; errors?: any[] } => ({ errors: [{ message: error.message }] })),
              ),
            );
            // Without every unit sold there is no SOLD_OUT to wait for: say why.
            const refused = replies.filter((r) => !r.data?.placeOrder?.order);
            if (refused.length) log(`${refused.length} of ${buyers.length} orders not placed, the first: ${JSON.stringify(refused[0]).slice(0, 300)}`);
          },
          log,
        );
        delivered = (await fanoutDelivered(gateways)) - deliveredBefore.n;
        deliveredConnecting = deliveredBefore.n;
      } finally {
        await stop();
      }
      log(`gateway: p50 ${gateway.latency.p50} ms, p99 ${gateway.latency.p99} ms, ${gateway.missedFinal} missed SOLD_OUT; floor next (frames of ${gateway.meanFrameBytes} bytes)`);

      const floors = [startWorker("./ws-floor.ts", [], GC_ON_SIGNAL), startWorker("./ws-floor.ts", [], GC_ON_SIGNAL)];
      let floor: CrowdResult;
      try {
        const urls = await Promise.all(floors.map((f) => f.next<{ url: string }>("listening", 60_000)));
        await sleep(500);
        floor = await crowd(
          clients,
          floors.map((f) => f.pid),
          { mode: "floor", urls: urls.map((u) => u.url), concurrency: 64 },
          subscribers,
          async () => {
            for (let k = 0; k <= messages; k++) {
              const typename = k === messages ? "FlashSaleSoldOut" : k % 2 === 0 ? "CartItemPinned" : "CartItemUnpinned";
              floors.forEach((f) => f.send({ type: "broadcast", typename, bytes: gateway.meanFrameBytes }));
              await Promise.all(floors.map((f) => f.next("broadcasted")));
              if (k < messages) await sleep(SPACING_MS);
            }
          },
          log,
        );
      } finally {
        await Promise.all(floors.map((f) => f.stop()));
      }

      if (gateway.missedFinal > 0) failures.push(`${gateway.missedFinal} of ${subscribers} subscribers missed the final SOLD_OUT`);
      if (gateway.connected < subscribers) failures.push(`${subscribers - gateway.connected} subscribers could not subscribe: ${JSON.stringify(gateway.connectFailures)}`);
      const kib = (bytes: number) => round(bytes / 1024, 1);
      const figures: Figure[] = [
        { name: "subscribers (2 processes each side)", value: gateway.connected, floor: floor.connected, target: `${subscribers}`, met: gateway.connected === subscribers },
        { name: "time to connect and subscribe all", value: round(gateway.connectMs / 1000), floor: round(floor.connectMs / 1000), unit: "s" },
        { name: "server RSS per subscriber", value: kib(gateway.rssPerSubscriber), floor: kib(floor.rssPerSubscriber), unit: "KiB", target: "≤ 2× floor", met: gateway.rssPerSubscriber <= 2 * floor.rssPerSubscriber },
        { name: "server CPU per subscribe", value: gateway.cpuMsPerSubscribe, floor: floor.cpuMsPerSubscribe, unit: "ms" },
        { name: "server CPU per message received", value: gateway.cpuUsPerMessage, floor: floor.cpuUsPerMessage, unit: "µs" },
        { name: "commit-to-delivery p50", value: gateway.latency.p50, floor: floor.latency.p50, unit: "ms" },
        { name: "commit-to-delivery p99", value: gateway.latency.p99, floor: floor.latency.p99, unit: "ms", target: "≤ 1.5× floor", met: gateway.latency.p99 <= 1.5 * floor.latency.p99 },
        { name: "commit-to-delivery max", value: gateway.latency.max, floor: floor.latency.max, unit: "ms" },
        { name: "messages sent while connecting (snapshots, viewer counts)", value: deliveredConnecting },
        { name: "messages received (measured window)", value: gateway.messages, floor: floor.messages, target: `${(messages + 1) * subscribers}+` },
        { name: "subscribers that missed the final SOLD_OUT", value: gateway.missedFinal, floor: floor.missedFinal, target: "0", met: gateway.missedFinal === 0 },
      ];
      return {
        figures,
        failures,
        data: {
          subscribers,
          clientProcesses: clientCount,
          gatewayProcesses: 2,
          measuredMessagesPerSubscriber: messages + 1,
          spacingMs: SPACING_MS,
          openFiles: files,
          gateway: { ...gateway, fanoutDeliveredInWindow: delivered, fanoutDeliveredWhileConnecting: deliveredConnecting },
          floor: { processes: 2, ...floor },
        },
      };
    } finally {
      await Promise.all(clients.map((c) => c.stop()));
      await bench.drop();
    }
  },
};

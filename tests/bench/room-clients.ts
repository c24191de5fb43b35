import WebSocket from "ws";
import { addToHistogram, workerChannel, type MsHistogram } from "./kit.js";

/**
 * A crowd of room subscribers in one process, on `ws` directly (no client library: thousands of sockets must stay
 * cheap). "gateway" speaks graphql-transport-ws (connection_init, then one subscribe); "floor" only listens.
 * Each socket comes from its own loopback address (127.x.y.z), as each viewer has its own address: per-address
 * limits see 28,000 viewers, not one, and no two sockets compete for an ephemeral port.
 */
export interface ConnectRequest {
  type: "connect";
  mode: "gateway" | "floor";
  urls: string[];
  count: number;
  /** Index of this process's first socket in the whole crowd (picks its source addresses). */
  first: number;
  query?: string;
  variables?: Record<string, unknown>;
  /** Handshakes in flight at once. */
  concurrency: number;
  /** No socket is started after this many ms, and one not subscribed by then counts as failed. */
  deadlineMs: number;
}

export interface Connected {
  type: "connected";
  ms: number;
  ready: number;
  failed: number;
  failures: Record<string, number>;
}

export interface CrowdReport {
  type: "report";
  /** Commit (the `at` marker) to receipt, per message counted after `measure`. */
  latency: MsHistogram;
  messages: number;
  /** Bytes of the measured messages (the floor's frames are padded to their mean). */
  measuredBytes: number;
  measured: number;
  sawFinal: number;
  /** Subscribed sockets that did not receive the final message. */
  missedFinal: number;
  closedEarly: number;
}

/** Messages that carry the time of their cause; the snapshot and viewer counts are not measured. */
const MEASURED = /"__typename":"(CartItemPinned|CartItemUnpinned|FlashSaleSoldOut|FlashSaleStarted|FlashSaleEnded)"/;
const FINAL = '"__typename":"FlashSaleSoldOut"';
const AT = /"at":"([^"]+)"/;

const channel = workerChannel();
const sockets: { socket: WebSocket; final: boolean; open: boolean; subscribed: boolean }[] = [];
let measuring = false;
let latency: MsHistogram = {};
let messages = 0;
let measuredBytes = 0;
let measured = 0;

function sourceAddress(index: number): string {
  return `127.${10 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
}

async function connect(request: ConnectRequest): Promise<Connected> {
  const started = performance.now();
  const deadline = started + request.deadlineMs;
  const failures: Record<string, number> = {};
  let ready = 0;
  let next = 0;
  const init = JSON.stringify({ type: "connection_init", payload: {} });
  const subscribe = JSON.stringify({ id: "1", type: "subscribe", payload: { query: request.query, variables: request.variables } });
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const url = request.urls[i % request.urls.length]!;
      const socket = new WebSocket(url, request.mode === "gateway" ? "graphql-transport-ws" : undefined, { localAddress: sourceAddress(request.first + i), perMessageDeflate: false });
      const entry = { socket, final: false, open: false, subscribed: false };
      sockets.push(entry);
      const fail = (why: string) => {
        if (entry.open) return;
        failures[why] = (failures[why] ?? 0) + 1;
        resolve();
      };
      const timer = setTimeout(() => fail("not subscribed in time"), Math.max(0, deadline - performance.now()));
      socket.on("open", () => {
        if (request.mode === "gateway") socket.send(init);
      });
      socket.on("error", (error) => fail(error.message.slice(0, 60)));
      socket.on("close", (code) => {
        if (!entry.open) fail(`closed ${code}`);
        entry.open = false;
      });
      socket.on("message", (data) => {
        const text = data.toString();
        if (!entry.open) {
          if (text.includes('"connection_ack"')) return void socket.send(subscribe);
          if (text.includes('"next"')) {
            entry.open = true;
            entry.subscribed = true;
            ready++;
            clearTimeout(timer);
            resolve();
          } else fail(`unexpected ${text.slice(0, 60)}`);
          return;
        }
        if (text.startsWith('{"type":"ping"')) return void socket.send('{"type":"pong"}');
        if (!measuring) return;
        messages++;
        if (MEASURED.test(text)) {
          const at = AT.exec(text)?.[1];
          if (at) addToHistogram(latency, Date.now() - Date.parse(at));
          measuredBytes += text.length;
          measured++;
        }
        if (text.includes(FINAL)) entry.final = true;
      });
    });
  const progress = setInterval(() => channel.send({ type: "progress", ready }), 5000);
  await Promise.all(
    Array.from({ length: Math.min(request.concurrency, request.count) }, async () => {
      while (next < request.count && performance.now() < deadline) await one(next++);
    }),
  );
  clearInterval(progress);
  const notStarted = request.count - next;
  if (notStarted > 0) failures["not started before the deadline"] = notStarted;
  return { type: "connected", ms: performance.now() - started, ready, failed: request.count - ready, failures };
}

channel.on(async (message: { type: string }) => {
  if (message.type === "connect") channel.send(await connect(message as ConnectRequest));
  if (message.type === "measure") {
    latency = {};
    messages = 0;
    measuredBytes = 0;
    measured = 0;
    measuring = true;
    channel.send({ type: "measuring" });
  }
  if (message.type === "report") {
    const live = sockets.filter((s) => s.open);
    const report: CrowdReport = {
      type: "report",
      latency,
      messages,
      measuredBytes,
      measured,
      sawFinal: sockets.filter((s) => s.final).length,
      missedFinal: sockets.filter((s) => s.subscribed && !s.final).length,
      closedEarly: sockets.filter((s) => s.subscribed).length - live.length,
    };
    channel.send(report);
  }
  if (message.type === "close") {
    for (const { socket } of sockets) socket.terminate();
    sockets.length = 0;
    measuring = false;
    channel.send({ type: "closed" });
  }
});
channel.send({ type: "ready" });

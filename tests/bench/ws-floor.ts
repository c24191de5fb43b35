import { WebSocketServer } from "ws";
import { workerChannel } from "./kit.js";

/**
 * The room's floor: a plain `ws` server that sends each socket a first frame on connection, then broadcasts one
 * pre-serialised frame per message to every socket, shaped like the gateway's graphql-transport-ws `next` and
 * padded to the gateway's frame size. The frame's `at` is taken when the broadcast starts.
 */
const channel = workerChannel();
const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });

function frame(typename: string, bytes: number): Buffer {
  const head = `{"id":"1","type":"next","payload":{"data":{"liveSessionEvents":{"__typename":"${typename}","at":"${new Date().toISOString()}","pad":"`;
  const tail = '"}}}}';
  return Buffer.from(head + "x".repeat(Math.max(0, bytes - head.length - tail.length)) + tail);
}

server.on("connection", (socket) => {
  socket.on("error", () => {});
  socket.send(frame("LiveSessionSnapshot", 200));
});
server.on("listening", () => {
  const address = server.address() as { port: number };
  channel.send({ type: "listening", url: `ws://127.0.0.1:${address.port}/graphql` });
});
channel.on((message: { type: string; typename: string; bytes: number }) => {
  if (message.type !== "broadcast") return;
  const started = performance.now();
  const data = frame(message.typename, message.bytes);
  for (const socket of server.clients) socket.send(data);
  channel.send({ type: "broadcasted", ms: performance.now() - started, sockets: server.clients.size });
});

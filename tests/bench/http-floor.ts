import { createServer } from "node:http";
import { workerChannel } from "./kit.js";

/**
 * The sellout's floor: a bare Node HTTP server that reads the request and answers a fixed reply of the gateway's
 * reply size, as fast as this machine can. argv[2]: the reply's size in bytes.
 */
const size = Number(process.argv[2] ?? 100);
const prefix = '{"data":{"placeOrder":{"order":null,"userErrors":[{"code":"SOLD_OUT"}]}},"pad":"';
const reply = Buffer.from(prefix + "x".repeat(Math.max(0, size - prefix.length - 2)) + '"}');
const channel = workerChannel();
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": reply.length });
    res.end(reply);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  channel.send({ type: "listening", url: `http://127.0.0.1:${address.port}/graphql` });
});

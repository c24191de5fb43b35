import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { createLiveshelfClient } from "./client.js";
import { CountdownDocument, LiveRoomsDocument, MeDocument } from "./generated/graphql.js";
import { buyFlashSale } from "./orders.js";

/**
 * Against a running gateway (the embedded demo prints a BUYER token at start):
 *   npx tsx examples/client/src/demo.ts http://localhost:4000/graphql <buyer token>
 * Finds a live room with a running flash sale, watches its countdown, buys one unit, and stops at the next update.
 */
async function main() {
  const [url = "http://localhost:4000/graphql", token = null] = process.argv.slice(2);
  const client = createLiveshelfClient({ url, webSocketImpl: WebSocket, token: async () => token });
  const { viewer } = await client.query(MeDocument);
  console.log(`signed in as ${viewer ? `${viewer.name} (${viewer.role})` : "nobody"}`);
  const rooms = await client.query(LiveRoomsDocument, { first: 20 });
  const room = rooms.liveSessions.edges.map((e) => e.node).find((r) => r.flashSales.some((s) => s.status === "RUNNING"));
  if (!room) throw new Error("no live room with a running flash sale");
  const sale = room.flashSales.find((s) => s.status === "RUNNING")!;
  console.log(`room "${room.title}" (${room.viewerCount} watching): ${sale.product.title} at ${sale.flashPrice.amount} ${sale.flashPrice.currencyCode}, ${sale.remainingUnits} left`);

  let updates = 0;
  await new Promise<void>((resolve, reject) => {
    const finish = () => {
      stop();
      resolve();
    };
    const stop = client.subscribe(CountdownDocument, { liveSessionId: room.id }, {
      next: ({ flashSaleInventory }) => {
        const stock = flashSaleInventory.sales.find((s) => s.flashSaleId === sale.id);
        console.log(`countdown v${flashSaleInventory.version}: ${stock?.remainingUnits} left (${stock?.status})`);
        if (++updates > 1) return finish();
        buyFlashSale(client, { flashSaleId: sale.id, quantity: 1, idempotencyKey: randomUUID() }).then((outcome) => {
          if (outcome.kind === "ordered") return console.log(`ordered ${outcome.orderId}: ${outcome.total}`);
          console.log(`refused ${outcome.code}: ${outcome.show}`);
          finish();
        }, reject);
      },
      error: reject,
    });
  });
  await client.dispose();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * Runs one postgres.js write/close race in its own process (a crash in the driver is an uncaught exception that
 * would take a test runner down) and prints what the queries settled with: `node --import tsx <this> <url> <case>`.
 */
import { connect, type Socket } from "node:net";
import postgres from "postgres";

const [url, scenario] = process.argv.slice(2) as [string, string];
const target = new URL(url);
const codeOf = (e: unknown) => (e as { code?: string })?.code ?? String(e);
const settle = (p: PromiseLike<unknown>) => Promise.resolve(p).then(() => "ok", codeOf);

async function reserved() {
  // porsager/postgres#1208: a reserved connection whose backend was terminated; its next write finds no socket.
  // The next write must find the socket already gone, so the probe waits for the driver to see the close (its
  // `onclose`). Writing before that races the reset instead: the write fails with ECONNRESET, and the reserved
  // connection's next query then never settles (a further upstream defect the gateway does not meet: it never
  // reserves connections).
  let sawClose!: () => void;
  const closed = new Promise<void>((resolve) => (sawClose = resolve));
  const sql = postgres(url, { max: 2, onnotice: () => {}, onclose: () => sawClose() });
  const killer = postgres(url, { max: 1, onnotice: () => {} });
  const conn = await sql.reserve();
  const [{ pid }] = await conn`select pg_backend_pid() as pid`;
  await killer`select pg_terminate_backend(${pid})`;
  await closed;
  const first = await settle(conn`select 1`);
  const second = await settle(conn`select 1`);
  await Promise.all([sql.end({ timeout: 1 }), killer.end({ timeout: 1 })]);
  return { first, second };
}

async function poisoned() {
  // A socket closed while a small write waits for its setImmediate: the connection must still connect again.
  const sockets: Socket[] = [];
  let writesAfterQueue = 0;
  // `socket` (a factory of connected sockets) is a documented option missing from the driver's typings.
  const sql = postgres(url, {
    max: 1,
    connect_timeout: 3,
    onnotice: () => {},
    ...({ socket: () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect(Number(target.port), target.hostname);
        s.once("connect", () => resolve(s));
        s.once("error", reject);
        sockets.push(s);
      }) } as object),
  });
  await sql`select 1`;
  const socket = sockets.at(-1)!;
  const write = socket.write.bind(socket);
  let queued = false;
  socket.write = ((...args: Parameters<Socket["write"]>) => {
    if (queued) writesAfterQueue++;
    return write(...args);
  }) as Socket["write"];
  const pending = settle(sql`select 2`);
  for (let i = 0; i < 20; i++) await null; // the query is handed to the connection and waits behind setImmediate
  queued = true;
  // The close is delivered before the queued write runs (as when it lands in the same turn of the event loop):
  // the driver's 'close' handler runs now, with the write still waiting.
  socket.destroy();
  socket.emit("close", false);
  const first = await pending;
  const started = Date.now();
  const second = await settle(sql`select 3`);
  const secondMs = Date.now() - started;
  await sql.end({ timeout: 1 });
  return { first, writesAfterQueue, second, secondMs };
}

const scenarios: Record<string, () => Promise<unknown>> = { reserved, poisoned };
const result = await scenarios[scenario]!();
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);

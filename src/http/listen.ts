import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { StartupError } from "../config/env.js";

const inUse = (port: number, host: string) => new StartupError(`PORT ${port} is already in use on ${host}`);

/** Fails before any work when the port is taken: one clear line instead of an 'error' event after side effects. */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? inUse(port, host) : new StartupError(`cannot listen on ${host}:${port} (${error.code ?? error.message})`)),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Listens and answers the port actually bound (PORT=0 picks a free one). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? inUse(port, host) : error));
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

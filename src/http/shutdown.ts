import type { Server } from "node:http";
import { within } from "../shared/deadline.js";
import type { Logger } from "../shared/logger.js";

/** One step of the drain: given the milliseconds left, it may use them; the drain stops waiting for it then. */
export type DrainStep = (leftMs: number) => Promise<unknown>;

export interface DrainPlan {
  graceMs: number;
  log: Logger;
  /** Before the listener closes: schedules and background work stop taking new work. */
  beforeClose: DrainStep[];
  server: Server;
  /** Closes every WebSocket (1001), cutting those that do not finish the closing handshake within the time given. */
  closeSockets(deadlineMs: number): Promise<void>;
  /** After the last request and socket, in order: batches, rooms, connections to PostgreSQL and Redis last. */
  afterClose: DrainStep[];
}

/**
 * In-flight requests finish, sockets close with 1001, then the rest stops in order. Everything shares one deadline,
 * so the process is done within graceMs (the last step gets at least 100 ms to close its connections).
 */
export async function drain(plan: DrainPlan): Promise<void> {
  const deadline = Date.now() + plan.graceMs;
  const left = () => Math.max(0, deadline - Date.now());
  plan.log.info("draining", { graceMs: plan.graceMs });
  for (const step of plan.beforeClose) await within(step(left()), left(), undefined);
  const { server } = plan;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A kept-alive connection whose last request just finished is idle: close it rather than wait for its timeout.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  // Sockets get 1001 now; a client that does not complete the closing handshake is cut at the deadline.
  const sockets = plan.closeSockets(left());
  const grace = setTimeout(() => server.closeAllConnections(), left());
  await Promise.all([closed, sockets]);
  clearTimeout(grace);
  clearInterval(idle);
  for (const [i, step] of plan.afterClose.entries()) {
    const last = i === plan.afterClose.length - 1;
    await within(step(left()), last ? Math.max(left(), 100) : left(), undefined);
  }
  plan.log.info("stopped");
}

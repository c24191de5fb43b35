import type { ServerResponse } from "node:http";
import type { AppError } from "../shared/errors.js";
import { noCost } from "./operation-guard.js";

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

/** An error answered before Apollo runs, in GraphQL's response shape (with the request id and a zero cost). */
export function sendGraphQLError(res: ServerResponse, status: number, error: AppError, requestId: string, maxCost: number): void {
  send(
    res,
    status,
    "application/json",
    JSON.stringify({ errors: [{ message: error.message, extensions: { ...error.extensions, requestId } }], extensions: { cost: noCost(maxCost) } }),
  );
}

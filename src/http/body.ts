import type { IncomingMessage } from "node:http";
import { AppError } from "../shared/errors.js";

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends Error {}

/**
 * The caller closed its connection before its request was read (a load generator stopping, a phone losing signal):
 * nobody is left to answer. Node reports it as "aborted" with code ECONNRESET, the code a lost PostgreSQL socket
 * has too, so it gets its own class before anything reads it as an outage.
 */
export class ClientGone extends Error {}

/**
 * The body as text. Read with listeners rather than `for await`: a stream's async iterator costs an iterator, its
 * end-of-stream watch and a promise per chunk, a few % of a small request's CPU. Over `limitBytes` it throws
 * BodyTooLarge (413) and keeps nothing more; a caller gone mid-body throws ClientGone.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    const settle = (error: Error | null) => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      if (error) return reject(error);
      resolve(chunks ? Buffer.concat(chunks).toString("utf8") : (first?.toString("utf8") ?? ""));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      // The rest still flows (discarded, nothing kept) while the 413 goes out, so the client reads its answer.
      if (size > limitBytes) return settle(new BodyTooLarge(`request body over ${limitBytes} bytes`));
      // Most bodies come in one chunk: no array, no concatenation.
      if (chunks) chunks.push(chunk);
      else if (first) chunks = [first, chunk];
      else first = chunk;
    };
    const onEnd = () => settle(null);
    const onError = (error: Error) =>
      settle(req.destroyed ? new ClientGone("the client closed its connection before its request was read", { cause: error }) : error);
    const onClose = () => settle(new ClientGone("the client closed its connection before its request was read"));
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/**
 * A GraphQL POST's body: parsed when it says it is JSON, else the text (Apollo then refuses it in its own words).
 * GETs carry none. Over MAX_BODY_BYTES throws BodyTooLarge (413); JSON that does not parse, BAD_USER_INPUT (400).
 */
export async function readGraphQLBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== "POST") return undefined;
  const text = await readBody(req, MAX_BODY_BYTES);
  if (!(req.headers["content-type"] ?? "").includes("application/json")) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_USER_INPUT", "The request body is not valid JSON.");
  }
}

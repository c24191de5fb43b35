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

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limitBytes) throw new BodyTooLarge(`request body over ${limitBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof BodyTooLarge || !req.destroyed) throw error;
    throw new ClientGone("the client closed its connection before its request was read", { cause: error });
  }
  return Buffer.concat(chunks).toString("utf8");
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

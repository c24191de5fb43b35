import type { Context } from "../context.js";
import type { NodeType } from "./ids.js";

type Fetcher = (ctx: Context, rowId: number) => Promise<unknown | null>;
const fetchers = new Map<string, Fetcher>();

/** Each module registers how to fetch (and authorise) its node types for `node(id:)`. */
export function registerNodeType(type: NodeType, fetch: Fetcher): void {
  fetchers.set(type, fetch);
}

export function nodeFetcher(type: string): Fetcher | undefined {
  return fetchers.get(type);
}

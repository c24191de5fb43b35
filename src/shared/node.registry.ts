import type { Context } from "./context.js";
import type { NodeType } from "./ids.js";

/** Fetches (and authorises) one node for `node(id:)`; null when there is none. */
export type NodeFetcher = (ctx: Context, rowId: number) => Promise<unknown | null>;

/** A module's node types and how to fetch each; the composition root (src/schema.ts) lists every module's. */
export type NodeFetchers = Partial<Record<NodeType, NodeFetcher>>;

export class NodeRegistry {
  private readonly fetchers: Map<string, NodeFetcher>;

  constructor(...groups: NodeFetchers[]) {
    this.fetchers = new Map();
    for (const group of groups) {
      for (const [type, fetch] of Object.entries(group)) {
        if (this.fetchers.has(type)) throw new Error(`node type ${type} is listed twice`);
        this.fetchers.set(type, fetch);
      }
    }
  }

  fetcher(type: string): NodeFetcher | undefined {
    return this.fetchers.get(type);
  }
}

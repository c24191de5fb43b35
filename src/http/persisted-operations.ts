import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import type { RedisClientType } from "redis";
import { ConfigError } from "../config/env.js";
import { AppError, ErrorCode } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Apollo's persisted query manifest format (what `generate-persisted-query-manifest` and Apollo iOS/Kotlin emit). */
export interface ManifestFile {
  format: "apollo-persisted-query-manifest";
  version: 1;
  operations: { id: string; name: string; type: "query" | "mutation" | "subscription"; body: string }[];
}

export class OperationManifest {
  private constructor(private readonly byHash: Map<string, string>) {}

  static fromFile(path: string): OperationManifest {
    try {
      return OperationManifest.from(JSON.parse(readFileSync(path, "utf8")) as ManifestFile, path);
    } catch (error) {
      throw new ConfigError(`invalid configuration:\n  OPERATIONS_MANIFEST: ${(error as Error).message}`);
    }
  }

  /**
   * Apollo's manifest, or a plain `{ "<sha256>": "<document>" }` map: what GraphQL Code Generator's client preset
   * writes as persisted-documents.json with `hashAlgorithm: "sha256"` (examples/client uses it as is).
   */
  static from(file: ManifestFile | Record<string, string>, origin = "manifest"): OperationManifest {
    const entries: { id: string; name: string; body: unknown }[] = isApolloManifest(file)
      ? file.operations.map((op) => ({ id: op.id, name: op.name, body: op.body }))
      : isDocumentMap(file)
        ? Object.entries(file).map(([id, body]) => ({ id, name: id, body }))
        : [];
    if (entries.length === 0) throw new Error(`${origin}: neither an apollo-persisted-query-manifest nor a { sha256: document } map with entries`);
    const byHash = new Map<string, string>();
    for (const op of entries) {
      if (typeof op.body !== "string" || sha256(op.body) !== op.id) throw new Error(`${origin}: operation ${op.name} has an id that is not the sha256 of its body`);
      byHash.set(op.id, op.body);
    }
    return new OperationManifest(byHash);
  }

  /**
   * The document to run for a request that names `hash` (APQ extension) and/or sends `query`: only manifest
   * entries pass. A hash alone is enough, so allow-listed clients need not send documents at all.
   */
  resolve(query: unknown, hash: unknown): string {
    const id = typeof hash === "string" ? hash : typeof query === "string" ? sha256(query) : null;
    const body = id ? this.byHash.get(id) : undefined;
    if (!body) {
      throw new AppError(ErrorCode.OPERATION_NOT_ALLOWED, "Only registered operations are accepted here; this one is not in the operation manifest.");
    }
    return body;
  }

  get size(): number {
    return this.byHash.size;
  }
}

function isApolloManifest(file: unknown): file is ManifestFile {
  return (file as ManifestFile)?.format === "apollo-persisted-query-manifest" && Array.isArray((file as ManifestFile).operations);
}

function isDocumentMap(file: unknown): file is Record<string, string> {
  return typeof file === "object" && file !== null && !Array.isArray(file) && !("format" in file) && Object.keys(file).every((k) => /^[0-9a-f]{64}$/.test(k));
}

/**
 * One manifest entry per operation in the given GraphQL sources, each with the fragments it uses (first use
 * first, as GraphQL Code Generator's typed documents hold them), printed the way `print()` prints a client's
 * document, so the hash a client computes over its printed document is the manifest's.
 */
export function buildManifest(sources: string[]): ManifestFile {
  const definitions = sources.flatMap((s) => parse(s).definitions);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operations: ManifestFile["operations"] = [];
  for (const d of definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION || !d.name) continue;
    const body = print({ kind: Kind.DOCUMENT, definitions: [d, ...fragmentsOf(d, fragments)] });
    operations.push({ id: sha256(body), name: d.name.value, type: d.operation, body });
  }
  return { format: "apollo-persisted-query-manifest", version: 1, operations };
}

function fragmentsOf(root: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): DefinitionNode[] {
  const seen = new Set<string>();
  const ordered: FragmentDefinitionNode[] = [];
  const walk = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (seen.has(name) || !fragment) return;
        seen.add(name);
        ordered.push(fragment);
        walk(fragment);
      },
    });
  walk(root);
  return ordered;
}

/**
 * Apollo's APQ store in Redis, so a document registered through one gateway instance is known to all.
 * A failing Redis reads as a miss: the client then sends the full document, as the APQ protocol provides.
 */
export class RedisApqCache {
  constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly defaultTtlSeconds = 24 * 3600,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.client.get(this.prefix + key)) ?? undefined;
    } catch (error) {
      this.log.warn("persisted query store unavailable", { error: (error as Error)?.message });
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl ?? this.defaultTtlSeconds;
    await this.client.set(this.prefix + key, value, { expiration: { type: "EX", value: ttl } });
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(this.prefix + key)) > 0;
  }
}

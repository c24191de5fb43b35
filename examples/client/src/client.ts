import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import { createClient, type Client as WsClient } from "graphql-ws";
import documents from "./generated/persisted-documents.json" with { type: "json" };

/** A document made by the client preset with `persistedDocuments`: it carries the sha256 of its normalised text. */
type PersistedDocument<R, V> = TypedDocumentNode<R, V> & { __meta__?: { hash?: string } };

export interface LiveshelfClientOptions {
  /** The gateway's GraphQL endpoint, e.g. https://api.example.com/graphql (the WebSocket URL is derived from it). */
  url: string;
  /**
   * The app's sign-in: the current bearer token (null: anonymous). Called with `refresh: true` after the gateway
   * refused or ended the session on an expired token: return a fresh one (from your refresh token or identity provider).
   */
  token: (options: { refresh: boolean }) => Promise<string | null>;
  /**
   * "apq" (default): send the hash first and the document only when the gateway does not know it yet (automatic
   * persisted queries). "hash-only": the gateway runs PERSISTED_QUERIES=allowlist with this client's manifest.
   */
  persisted?: "apq" | "hash-only";
  /** In Node, the `ws` package's WebSocket; browsers and React Native have their own. */
  webSocketImpl?: unknown;
  fetch?: typeof fetch;
}

/** Errors of the request itself (not userErrors): authentication, limits, unknown operations, internal errors. */
export class LiveshelfRequestError extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[], readonly status?: number) {
    super(errors.map((e) => e.message).join("; "));
  }
  /** `extensions.code` of the first error: UNAUTHENTICATED, FORBIDDEN, THROTTLED, OPERATION_NOT_ALLOWED, ... */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code as string | undefined;
  }
}

const PERSISTED = documents as Record<string, string>;

function persisted<R, V>(document: PersistedDocument<R, V>): { hash: string; text: string; operationName: string; type: string } {
  const hash = document.__meta__?.hash;
  const text = hash ? PERSISTED[hash] : undefined;
  if (!hash || !text) throw new Error("not a persisted document: regenerate with `npm run codegen`");
  const definition = document.definitions.find((d) => d.kind === "OperationDefinition");
  if (!definition || definition.kind !== "OperationDefinition") throw new Error("the document holds no operation");
  return { hash, text, operationName: definition.name?.value ?? "", type: definition.operation };
}

/** Retry delays: 0.5 s doubling to 10 s, with jitter so a room of phones does not reconnect in step. */
export const backoff = (attempt: number) => Math.min(10_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);

/**
 * A small typed client for the liveshelf gateway: queries over GET (cacheable, with the preflight header Apollo's
 * CSRF check wants), mutations over POST, both with persisted-query hashes; subscriptions over one graphql-ws
 * connection that reconnects by itself and signs in again with a refreshed token when the old one expires.
 */
export function createLiveshelfClient(options: LiveshelfClientOptions) {
  const fetchImpl = options.fetch ?? fetch;
  const mode = options.persisted ?? "apq";

  async function http<R, V>(document: PersistedDocument<R, V>, variables: V | undefined, refreshed = false): Promise<R> {
    const op = persisted(document);
    const token = await options.token({ refresh: refreshed });
    const headers: Record<string, string> = { "apollo-require-preflight": "true", ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const extensions = { persistedQuery: { version: 1, sha256Hash: op.hash } };
    const send = async (withText: boolean) => {
      let response: Response;
      if (op.type === "query") {
        const params = new URLSearchParams({ operationName: op.operationName, extensions: JSON.stringify(extensions) });
        if (variables !== undefined) params.set("variables", JSON.stringify(variables));
        if (withText) params.set("query", op.text);
        response = await fetchImpl(`${options.url}?${params}`, { headers });
      } else {
        const body = { operationName: op.operationName, variables, extensions, ...(withText ? { query: op.text } : {}) };
        response = await fetchImpl(options.url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
      }
      return { status: response.status, result: (await response.json()) as FormattedExecutionResult<R> };
    };
    let { status, result } = await send(false);
    if (mode === "apq" && result.errors?.[0]?.extensions?.code === "PERSISTED_QUERY_NOT_FOUND") ({ status, result } = await send(true));
    if (result.errors?.length) {
      const error = new LiveshelfRequestError(result.errors, status);
      if (error.code === "UNAUTHENTICATED" && token && !refreshed) return http(document, variables, true);
      throw error;
    }
    return result.data as R;
  }

  let refreshOnConnect = false;
  let ws: WsClient | null = null;
  const socket = () =>
    (ws ??= createClient({
      url: options.url.replace(/^http/, "ws"),
      webSocketImpl: options.webSocketImpl,
      // Connected from the first subscription until dispose(). A lazy client closes when its last subscription ends,
      // and one ending while it reconnects leaves an unhandled rejection ("All Subscriptions Gone", graphql-ws #565).
      lazy: false,
      onNonLazyError: () => {},
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoff(retries))),
      connectionParams: async () => {
        const token = await options.token({ refresh: refreshOnConnect });
        refreshOnConnect = false;
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      on: {
        // 4403: the token expired on the open connection (or was refused): sign in again with a fresh one.
        closed: (event) => {
          if ((event as { code?: number }).code === 4403) refreshOnConnect = true;
        },
      },
    }));

  return {
    query: <R, V>(document: TypedDocumentNode<R, V>, variables?: V) => http(document, variables),
    mutate: <R, V>(document: TypedDocumentNode<R, V>, variables?: V) => http(document, variables),
    /**
     * Starts a subscription; the first message is the current state, so after a reconnect the app is whole again.
     * Returns the function that ends it.
     */
    subscribe<R, V>(document: TypedDocumentNode<R, V>, variables: V, handlers: { next: (data: R) => void; error?: (error: LiveshelfRequestError | Error) => void }) {
      const op = persisted(document);
      return socket().subscribe<R>(
        {
          query: op.text,
          operationName: op.operationName,
          variables: variables as Record<string, unknown>,
          extensions: { persistedQuery: { version: 1, sha256Hash: op.hash } },
        },
        {
          next: (result) => {
            if (result.errors?.length) handlers.error?.(new LiveshelfRequestError(result.errors));
            else if (result.data) handlers.next(result.data as R);
          },
          error: (error) => handlers.error?.(Array.isArray(error) ? new LiveshelfRequestError(error) : error instanceof Error ? error : new Error(String((error as { reason?: string })?.reason ?? error))),
          complete: () => {},
        },
      );
    },
    async dispose() {
      await ws?.dispose();
    },
  };
}

export type LiveshelfClient = ReturnType<typeof createLiveshelfClient>;

import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";

/** Stable `extensions.code` values of thrown errors. Business-rule failures are not thrown: they are userErrors. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  THROTTLED: "THROTTLED",
  LIMIT_EXCEEDED: "LIMIT_EXCEEDED",
  /** The HTTP request itself is malformed (e.g. its target is not a URL). */
  BAD_REQUEST: "BAD_REQUEST",
  OPERATION_NOT_ALLOWED: "OPERATION_NOT_ALLOWED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  /** PostgreSQL or Redis cannot be reached: retryable, HTTP 503 with Retry-After. */
  UNAVAILABLE: "UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

export const unauthenticated = () => new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first: send a bearer token.");
export const forbidden = (what = "this operation") => new AppError(ErrorCode.FORBIDDEN, `You are not allowed to perform ${what}.`);
export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} was not found.`);
export const badInput = (message: string, field?: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

/** Seconds a client is asked to wait (Retry-After) before retrying a request refused during an outage. */
export const RETRY_AFTER_SECONDS = 1;

export const unavailable = (message = "A service this request needs is unavailable; retry shortly.") =>
  new AppError(ErrorCode.UNAVAILABLE, message, { retryAfterSeconds: RETRY_AFTER_SECONDS });

// node-redis's errors for a connection that is closed, offline, timing out or reconnecting. SocketTimeoutError is
// also the reply deadline's (REDIS_REPLY_TIMEOUT_MS, patches/@redis+client+6.3.1.patch): a Redis that hangs.
const REDIS_UNREACHABLE = new Set([
  "ClientClosedError",
  "ClientOfflineError",
  "ConnectionTimeoutError",
  "SocketClosedUnexpectedlyError",
  "SocketTimeoutError",
  "ReconnectStrategyError",
  "DisconnectsClientError",
  "TimeoutError",
]);
// postgres.js's own connection codes (not CONNECTION_ENDED / _DESTROYED: those follow this process's own end()).
const DRIVER_CONNECTION_CODES = new Set(["CONNECTION_CLOSED", "CONNECT_TIMEOUT"]);
// The socket errors postgres.js passes through: Node system errors, which name their syscall. An HTTP request its
// client aborted also says ECONNRESET, with no syscall: that is the caller leaving, not PostgreSQL.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * Is this error (or one it wraps) a failure to reach PostgreSQL or Redis, rather than a bug or a bad request?
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash, not yet accepting connections) and
 * 53300 (too many connections) are outages too.
 */
export function isUnavailable(error: unknown): boolean {
  return unavailableDependency(error) !== null;
}

/** Which dependency an outage error is about: "database" (PostgreSQL), "redis", "other" (an UNAVAILABLE we raised), or null. */
export function unavailableDependency(error: unknown): "database" | "redis" | "other" | null {
  let e: unknown = error;
  for (let hops = 0; hops < 6 && e && typeof e === "object"; hops++) {
    if (e instanceof AppError) return e.extensions.code === ErrorCode.UNAVAILABLE ? "other" : null;
    const name = (e as Error).constructor?.name;
    if (REDIS_UNREACHABLE.has(name)) return "redis";
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      if (DRIVER_CONNECTION_CODES.has(code) || (SOCKET_CODES.has(code) && "syscall" in e)) return "database";
      if (name === "PostgresError" && (code.startsWith("08") || /^57P0[123]$/.test(code) || code === "53300")) return "database";
    }
    e = (e as { originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Codes that GraphQL itself or Apollo attach to request-level failures; safe to show as they are. */
const PASS_THROUGH = new Set<string>([
  ...Object.values(ErrorCode),
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
]);

export interface MaskLog {
  (error: unknown, requestId: string | undefined): void;
}

/**
 * One formatter for HTTP and WebSocket: errors we raised on purpose (AppError, or GraphQL's own request
 * errors) go out as they are; anything else becomes INTERNAL_SERVER_ERROR with the request id, and is logged.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  requestId: string | undefined,
  log: MaskLog,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const code = formatted.extensions?.code;
  // Duck-typed on purpose: Apollo and a test runner may load different copies of graphql (ESM and CJS).
  const graphqlErrorLike = (e: unknown): e is { originalError?: unknown } =>
    typeof e === "object" && e !== null && "extensions" in e && "locations" in e;
  // Apollo wraps graphql's own parse and validation errors (originalError: the GraphQLError); a raw Error at the
  // bottom of the chain is something unexpected, whatever code it claims.
  const onlyGraphQLErrors = (e: unknown, hops = 0): boolean =>
    graphqlErrorLike(e) && (e.originalError == null || (hops < 4 && e.originalError !== e && onlyGraphQLErrors(e.originalError, hops + 1)));
  const deliberate =
    original instanceof AppError ||
    (typeof code === "string" &&
      PASS_THROUGH.has(code) &&
      (graphqlErrorLike(original) ? onlyGraphQLErrors(original) : !(original instanceof Error)));
  if (deliberate && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _drop, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, extensions: requestId ? { ...extensions, requestId } : extensions };
  }
  // Apollo refuses some malformed requests (an APQ hash that does not match its query) with a 4xx and no code.
  const status = (original as { extensions?: { http?: { status?: unknown } } } | null)?.extensions?.http?.status;
  if (graphqlErrorLike(original) && !original.originalError && typeof status === "number" && status >= 400 && status < 500) {
    return { message: formatted.message, extensions: { code: "BAD_REQUEST", ...(requestId ? { requestId } : {}) } };
  }
  if (isUnavailable(original)) {
    const refusal = unavailable();
    return { message: refusal.message, path: formatted.path, extensions: { ...refusal.extensions, ...(requestId ? { requestId } : {}) } };
  }
  log(original, requestId);
  return {
    message: "Internal server error",
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
  };
}

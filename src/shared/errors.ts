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
  OPERATION_NOT_ALLOWED: "OPERATION_NOT_ALLOWED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
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
  log(original, requestId);
  return {
    message: "Internal server error",
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
  };
}

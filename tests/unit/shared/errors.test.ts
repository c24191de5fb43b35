import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { AppError, ErrorCode, formatError, unavailableDependency } from "../../../src/shared/errors.js";

const run = (error: unknown, requestId = "req-1") => {
  const logged: unknown[] = [];
  const formatted = formatError(
    error instanceof GraphQLError ? error.toJSON() : { message: String((error as Error).message), extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["at x"] } },
    error,
    requestId,
    (e, id) => logged.push([e, id]),
  );
  return { formatted, logged };
};

describe("formatError", () => {
  it("masks a raw Error: no message, no stack, the request id, and the original logged with that id", () => {
    const raw = new Error('Failed query: select "price_fen" from "products" where "id" = $1\nparams: 1');
    const { formatted, logged } = run(raw);
    expect(formatted).toEqual({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-1" } });
    expect(JSON.stringify(formatted)).not.toMatch(/select|products|stack|at /);
    expect(logged).toEqual([[raw, "req-1"]]);
  });

  it("masks a resolver's error wrapped by graphql (located, with an original error)", () => {
    const wrapped = new GraphQLError("connection refused 10.0.0.7:5432", { path: ["products"], originalError: new Error("connection refused 10.0.0.7:5432") });
    const { formatted, logged } = run(wrapped);
    expect(formatted).toMatchObject({ message: "Internal server error", path: ["products"], extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-1" } });
    expect(logged).toHaveLength(1);
  });

  it("passes deliberate errors through with their code and the request id, without a stack trace", () => {
    const { formatted, logged } = run(new AppError(ErrorCode.LIMIT_EXCEEDED, "too deep", { limit: "depth", stacktrace: ["at secret"] }));
    expect(formatted).toEqual({ message: "too deep", extensions: { code: "LIMIT_EXCEEDED", limit: "depth", requestId: "req-1" } });
    expect(logged).toEqual([]);
  });

  it("passes graphql's own request errors (parse, validation) but not an error that merely claims a known code", () => {
    expect(run(new GraphQLError("Syntax Error: Unexpected <EOF>.", { extensions: { code: "GRAPHQL_PARSE_FAILED" } })).formatted.message).toMatch(/Syntax Error/);
    // Apollo's ValidationError keeps graphql's error as its originalError.
    const inner = new GraphQLError('Cannot query field "nope" on type "Query".');
    const apollo = new GraphQLError(inner.message, { originalError: inner, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    expect(run(apollo)).toMatchObject({ formatted: { message: inner.message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }, logged: [] });
    const apqMismatch = new GraphQLError("provided sha does not match query", { extensions: { http: { status: 400 } } });
    expect(run(apqMismatch)).toMatchObject({ formatted: { extensions: { code: "BAD_REQUEST" } }, logged: [] });
    const claimed = new GraphQLError("leaky detail", { originalError: new Error("leaky detail"), extensions: { code: "BAD_USER_INPUT" } });
    expect(run(claimed).formatted.message).toBe("Internal server error");
  });
});

describe("unavailableDependency", () => {
  const systemError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code} 127.0.0.1:5432`), { code, errno: -1, syscall });

  it("reads postgres.js's connection errors and the socket errors it passes through as the database being away", () => {
    expect(unavailableDependency(Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" }))).toBe("database");
    expect(unavailableDependency(systemError("ECONNREFUSED", "connect"))).toBe("database");
    expect(unavailableDependency(new GraphQLError("x", { originalError: systemError("ECONNRESET", "read") }))).toBe("database");
  });

  it("does not read an HTTP request its client aborted (ECONNRESET, no syscall) as an outage", () => {
    // What node:http hands a request handler when the caller closes its socket before the body is read.
    const aborted = Object.assign(new Error("aborted"), { code: "ECONNRESET" });
    expect(unavailableDependency(aborted)).toBeNull();
    expect(unavailableDependency(new Error("gone", { cause: aborted }))).toBeNull();
  });
});

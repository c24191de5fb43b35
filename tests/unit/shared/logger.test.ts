import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../../src/shared/logger.js";

const lines = () => {
  const written: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return () => written.map((l) => JSON.parse(l) as Record<string, unknown>);
};

describe("logger", () => {
  afterEach(() => vi.restoreAllMocks());

  it("never lets a field overwrite the line's level, time or msg (a domain BLOCKED is not a log level)", () => {
    const read = lines();
    const log = createLogger("info", { level: "from-base" }).child({ msg: "from-child" });
    log.info("price guard alert", { level: "BLOCKED", time: "yesterday", productId: 7 });
    log.warn("second", { level: "WARNING" });
    const [first, second] = read();
    expect(first).toMatchObject({ level: "info", msg: "price guard alert", productId: 7, "field.level": "BLOCKED", "field.time": "yesterday", "field.msg": "from-child" });
    expect(Date.parse(first!.time as string)).not.toBeNaN();
    expect(second).toMatchObject({ level: "warn", msg: "second", "field.level": "WARNING" });
  });

  it("a child (made on its first line) and its own children carry their fields, and errors keep name and message", () => {
    const read = lines();
    const child = createLogger("info").child({ requestId: "r-1", cause: new Error("boom") });
    child.child({ roomId: 7 }).warn("nested");
    child.info("direct");
    const [nested, direct] = read();
    expect(nested).toMatchObject({ level: "warn", msg: "nested", requestId: "r-1", roomId: 7, cause: { name: "Error", message: "boom" } });
    expect(direct).toMatchObject({ level: "info", msg: "direct", requestId: "r-1" });
    expect(direct).not.toHaveProperty("roomId");
  });

  it("filters by the configured level", () => {
    const read = lines();
    const log = createLogger("warn");
    log.info("hidden", { level: "error" });
    log.error("shown");
    expect(read().map((l) => [l.level, l.msg])).toEqual([["error", "shown"]]);
  });
});

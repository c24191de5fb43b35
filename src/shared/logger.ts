import { pino, type Logger as Pino } from "pino";

type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const RESERVED = new Set(["time", "level", "msg"]);

/**
 * A caller's field never overwrites the line's own time, level or msg (a price guard's BLOCKED is not a log level):
 * a colliding field is kept under "field.<name>". Errors keep their name, message and stack under any key.
 */
function fieldsOf(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    out[RESERVED.has(key) ? `field.${key}` : key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

/**
 * Fields are copied only for a line that is written, and a child (one per request) is made of pino only when it
 * writes its first line: most requests write none below info, and both showed in the order path's profile. Methods
 * live on the prototype: a request's (or subscription's) logger is one small object, no closures (call them as
 * methods, `log.info(…)`, not detached).
 */
class Wrapped implements Logger {
  private made: Pino | null;

  constructor(
    private readonly parent: Pino,
    private readonly bindings?: Record<string, unknown>,
  ) {
    this.made = bindings ? null : parent;
  }

  private pino(): Pino {
    return (this.made ??= this.parent.child(fieldsOf(this.bindings)));
  }

  private at(level: Level, msg: string, fields: Record<string, unknown> | undefined) {
    if (this.parent.isLevelEnabled(level)) this.pino()[level](fieldsOf(fields), msg);
  }

  debug(msg: string, fields?: Record<string, unknown>) {
    this.at("debug", msg, fields);
  }

  info(msg: string, fields?: Record<string, unknown>) {
    this.at("info", msg, fields);
  }

  warn(msg: string, fields?: Record<string, unknown>) {
    this.at("warn", msg, fields);
  }

  error(msg: string, fields?: Record<string, unknown>) {
    this.at("error", msg, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new Wrapped(this.pino(), fields);
  }
}

/**
 * Structured JSON lines on stdout, one object per event (pino): `{"level":"info","time":"<ISO>","msg":…,…fields}`.
 * Written synchronously through process.stdout, so a line is out before the process exits.
 */
export function createLogger(level: Level | "silent", base: Record<string, unknown> = {}): Logger {
  const p = pino(
    {
      level,
      base: fieldsOf(base),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    process.stdout,
  );
  return new Wrapped(p);
}

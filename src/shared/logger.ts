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

function wrap(p: Pino): Logger {
  return {
    debug: (msg, fields) => p.debug(fieldsOf(fields), msg),
    info: (msg, fields) => p.info(fieldsOf(fields), msg),
    warn: (msg, fields) => p.warn(fieldsOf(fields), msg),
    error: (msg, fields) => p.error(fieldsOf(fields), msg),
    child: (fields) => new LazyChild(p, fields),
  };
}

/**
 * A child logger made on its first line: most requests never log, and a pino child costs hundreds of bytes, which
 * a subscription holds as long as it lasts (a room of 28,000 viewers holds 28,000 contexts).
 */
class LazyChild implements Logger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Pino,
    private readonly fields: Record<string, unknown>,
  ) {}

  private get real(): Logger {
    return (this.made ??= wrap(this.parent.child(fieldsOf(this.fields))));
  }

  debug(msg: string, fields?: Record<string, unknown>) {
    this.real.debug(msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>) {
    this.real.info(msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>) {
    this.real.warn(msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>) {
    this.real.error(msg, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return this.real.child(fields);
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
  return wrap(p);
}

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
    child: (fields) => wrap(p.child(fieldsOf(fields))),
  };
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

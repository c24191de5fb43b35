import { sql, type SQL } from "drizzle-orm";
import { check, type PgColumn } from "drizzle-orm/pg-core";
import { columnLimit, type TextRule } from "../../shared/text.js";

/** The column side of a free-text field's documented limit (src/shared/text.ts): at most max × 4 code points. */
export const textLimit = (name: string, column: PgColumn | SQL, rule: TextRule | number) =>
  check(name, sql`char_length(${column}) <= ${sql.raw(String(typeof rule === "number" ? rule : columnLimit(rule)))}`);

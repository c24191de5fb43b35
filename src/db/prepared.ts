import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "./client.js";

/**
 * Statements built once per database handle (drizzle would otherwise build their SQL anew at every call): `build`
 * runs on a handle's first use, and what it made is kept as long as the handle lives.
 */
export function perHandle<T>(build: (db: DbOrTx) => T): (db: DbOrTx) => T {
  const made = new WeakMap<DbOrTx, T>();
  return (db) => {
    let statements = made.get(db);
    if (statements === undefined) made.set(db, (statements = build(db)));
    return statements;
  };
}

/**
 * Ids as one bigint[] parameter in array text (`= any($1::bigint[])`): the same SQL for any number of ids, so
 * postgres.js does not prepare a new statement for every count.
 */
export const idArray = (ids: readonly number[]) => `{${ids.join(",")}}`;

/**
 * A string as an SQL literal, for a statement that must be planned each time it runs. A prepared statement's plan is
 * cached on its connection with the statistics of the moment, and a table that grows fast (a sale's orders) outgrows
 * it: analyzed nearly empty, the cached plan scanned the whole table at every execution. A statement with no
 * parameters goes by the simple protocol and is never prepared (client.ts), so PostgreSQL plans it with the table
 * as it is. Quotes are doubled (standard_conforming_strings, on since PostgreSQL 9.1); a backslash or a NUL, which
 * that setting would make mean something else, is refused.
 */
export function plannedEachTime(text: string): SQL {
  if (/[\\\0]/.test(text)) throw new Error("a literal for a statement planned each time holds neither a backslash nor a NUL");
  return sql.raw(`'${text.replaceAll("'", "''")}'`);
}

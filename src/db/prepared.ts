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

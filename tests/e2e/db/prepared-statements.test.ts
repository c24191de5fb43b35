import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, resultRows, type Database } from "../../../src/db/client.js";
import { plannedEachTime } from "../../../src/db/prepared.js";

/** The statements of these tests the pool's one connection has prepared (not postgres.js's own: types, begin, commit). */
async function prepared(database: Database): Promise<string[]> {
  const rows = resultRows<{ statement: string }>(
    await database.db.execute(sql`select statement from pg_prepared_statements where statement like 'select $1::int%' order by prepare_time`),
  );
  return rows.map((r) => r.statement);
}

describe("prepared statements on PostgreSQL", () => {
  let bounded: Database;
  let none: Database;
  beforeAll(async () => {
    [bounded, none] = await Promise.all([
      openDatabase({ url: inject("databaseUrl"), poolSize: 1, maxPrepared: 3 }),
      openDatabase({ url: inject("databaseUrl"), poolSize: 1, maxPrepared: 0 }),
    ]);
  });
  afterAll(() => Promise.all([bounded?.close(), none?.close()]));

  it("prepares the first distinct texts, in transactions too, and sends the rest unprepared, answering all the same", async () => {
    const { db } = bounded;
    expect(resultRows<{ a: number }>(await db.execute(sql`select ${1}::int as a`))).toEqual([{ a: 1 }]);
    expect(resultRows<{ a: number }>(await db.execute(sql`select ${2}::int as a`))).toEqual([{ a: 2 }]);
    const inTransaction = await db.transaction(async (tx) =>
      Promise.all([tx.execute(sql`select ${3}::int + 1 as b`), tx.execute(sql`select ${4}::int + 2 as c`), tx.execute(sql`select ${5}::int + 3 as d`)]),
    );
    expect(inTransaction.map((r) => resultRows(r)[0])).toEqual([{ b: 4 }, { c: 6 }, { d: 8 }]);
    // The bound is three texts: the first, then the transaction's first two (its third and later ones are not).
    expect(await prepared(bounded)).toEqual(["select $1::int as a", "select $1::int + 1 as b", "select $1::int + 2 as c"]);
    expect(resultRows<{ d: number }>(await db.execute(sql`select ${6}::int + 3 as d`))).toEqual([{ d: 9 }]);
    expect(await prepared(bounded)).toHaveLength(3);
  });

  it("never counts a statement without parameters (simple protocol, planned each time) against the bound", async () => {
    const few = await openDatabase({ url: inject("databaseUrl"), poolSize: 1, maxPrepared: 2 });
    try {
      for (const n of [1, 2, 3]) expect(resultRows(await few.db.execute(sql`select ${plannedEachTime(`it's ${n}`)}::text as t`))).toEqual([{ t: `it's ${n}` }]);
      await few.db.execute(sql`select ${7}::int as a`);
      expect(await prepared(few)).toEqual(["select $1::int as a"]);
    } finally {
      await few.close();
    }
  });

  it("refuses a literal that standard_conforming_strings would read otherwise", () => {
    expect(() => plannedEachTime("a\\'b")).toThrow(/backslash/);
    expect(() => plannedEachTime("a\u0000b")).toThrow(/NUL/);
  });

  it("prepares nothing with a bound of 0", async () => {
    await none.db.execute(sql`select ${1}::int as a`);
    await none.db.transaction((tx) => tx.execute(sql`select ${1}::int + 1 as b`));
    expect(await prepared(none)).toEqual([]);
  });
});

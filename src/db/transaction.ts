import type { DbOrTx, Tx } from "./client.js";

/** Something a transaction wants done once its writes are visible to everyone: publishing an event. */
export type Effect = () => Promise<unknown> | unknown;

const scheduled = new WeakMap<Tx, Effect[]>();

/**
 * Runs `work` in a transaction; what it schedules with `afterCommit` runs once the outermost transaction has
 * committed, in the order scheduled, and never if it rolls back. Called inside another `transaction` it is a
 * savepoint whose effects join the outer ones (and are dropped with the savepoint). Every module publishes
 * through this, so no subscriber hears of a write that did not happen (or before it can read it).
 */
export async function transaction<T>(db: DbOrTx, work: (tx: Tx) => Promise<T>): Promise<T> {
  const effects: Effect[] = [];
  let result: T;
  try {
    result = await db.transaction(async (tx) => {
      scheduled.set(tx, effects);
      return work(tx);
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  const outer = scheduled.get(db as Tx);
  if (outer) outer.push(...effects);
  else await runEffects(effects);
  return result;
}

/** Thrown inside `transaction` to roll it back (its effects dropped) and answer `value` instead. */
export class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super("transaction rolled back on purpose");
  }
}

/** Schedules `effect` for after the commit of the transaction `tx` belongs to (see `transaction`). */
export function afterCommit(tx: Tx, effect: Effect): void {
  const effects = scheduled.get(tx);
  if (!effects) throw new Error("afterCommit needs a transaction opened with transaction()");
  effects.push(effect);
}

/** Effects report their own failures (a publisher logs and goes on); one failing never stops the next. */
async function runEffects(effects: Effect[]): Promise<void> {
  for (const effect of effects) {
    try {
      await effect();
    } catch {
      // The write has committed; an event that could not be published is the publisher's to log.
    }
  }
}

import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { resultRows, type DbOrTx } from "../../db/client.js";
import { ledgerAccounts, ledgerEntries } from "../../db/schema/index.js";
import { balancedLines } from "./ledger.rules.js";
import type { LedgerAccountKind, Posting } from "./ledger.types.js";

/** Account ids of (kind, owner) pairs, creating the accounts that do not exist yet. */
export async function accountIds(db: DbOrTx, keys: { kind: LedgerAccountKind; ownerId: number }[]): Promise<Map<string, number>> {
  const json = JSON.stringify(keys.map((k) => ({ k: k.kind, o: k.ownerId })));
  await db.execute(sql`
    insert into ledger_accounts (kind, owner_id)
    select distinct k::ledger_account_kind, o from jsonb_to_recordset(${json}::jsonb) as x(k text, o bigint)
    on conflict (kind, owner_id) do nothing`);
  const rows = await db
    .select()
    .from(ledgerAccounts)
    .where(sql`(${ledgerAccounts.kind}::text, ${ledgerAccounts.ownerId}) in (select k, o from jsonb_to_recordset(${json}::jsonb) as x(k text, o bigint))`);
  return new Map(rows.map((r) => [`${r.kind}:${r.ownerId}`, r.id]));
}

/** Writes one balanced posting (inside the caller's transaction); returns its id. */
export async function post(db: DbOrTx, posting: Posting): Promise<number> {
  const lines = balancedLines(posting.lines);
  const [{ id }] = resultRows<{ id: string | number }>(await db.execute(sql`select nextval('ledger_posting_seq') as id`)) as [{ id: string | number }];
  const postingId = Number(id);
  if (lines.length === 0) return postingId;
  const ids = await accountIds(db, lines);
  await db.insert(ledgerEntries).values(
    lines.map((l) => ({
      postingId,
      accountId: ids.get(`${l.kind}:${l.ownerId}`)!,
      kind: posting.kind,
      amountFen: l.amountFen,
      orderId: posting.orderId ?? null,
      refundId: posting.refundId ?? null,
      at: posting.at,
    })),
  );
  return postingId;
}

/** Balances (sums of entries) of accounts, by kind and owner; missing accounts are 0. */
export async function balances(db: DbOrTx, kinds: LedgerAccountKind[], ownerId: number, before?: Date): Promise<Record<string, number>> {
  const rows = await db
    .select({ kind: ledgerAccounts.kind, fen: sql<string>`coalesce(sum(${ledgerEntries.amountFen}), 0)` })
    .from(ledgerAccounts)
    .leftJoin(ledgerEntries, and(eq(ledgerEntries.accountId, ledgerAccounts.id), before ? lt(ledgerEntries.at, before) : undefined))
    .where(and(inArray(ledgerAccounts.kind, kinds), eq(ledgerAccounts.ownerId, ownerId)))
    .groupBy(ledgerAccounts.kind);
  const out: Record<string, number> = Object.fromEntries(kinds.map((k) => [k, 0]));
  for (const r of rows) out[r.kind] = Number(r.fen);
  return out;
}

/** Entries of an owner's accounts of these kinds in [from, to), oldest first. */
export function entriesOf(db: DbOrTx, kinds: LedgerAccountKind[], ownerId: number, from: Date, to: Date, limit: number) {
  return db
    .select({
      postingId: ledgerEntries.postingId,
      account: ledgerAccounts.kind,
      kind: ledgerEntries.kind,
      amountFen: ledgerEntries.amountFen,
      orderId: ledgerEntries.orderId,
      refundId: ledgerEntries.refundId,
      at: ledgerEntries.at,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(and(inArray(ledgerAccounts.kind, kinds), eq(ledgerAccounts.ownerId, ownerId), gte(ledgerEntries.at, from), lt(ledgerEntries.at, to)))
    .orderBy(ledgerEntries.at, ledgerEntries.postingId)
    .limit(limit);
}

/** Postings whose entries do not sum to zero (must be none). */
export async function unbalancedPostings(db: DbOrTx): Promise<number> {
  const [row] = resultRows<{ n: string | number }>(
    await db.execute(sql`select count(*) as n from (select posting_id from ledger_entries group by posting_id having sum(amount_fen) <> 0) x`),
  );
  return Number(row!.n);
}

import { and, desc, eq, gte, inArray, lt, lte, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { afterSalesCases, afterSalesEvents, type AfterSalesCaseRow } from "../../db/schema/index.js";
import type { CaseReason, CaseStatus } from "./after-sales.rules.js";

/** null when the order has an open case already (the partial unique index decides, whatever runs at once). */
export async function insertCase(db: DbOrTx, values: typeof afterSalesCases.$inferInsert): Promise<AfterSalesCaseRow | null> {
  const [row] = await db.insert(afterSalesCases).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export async function lockCase(db: DbOrTx, id: number): Promise<AfterSalesCaseRow | null> {
  const [row] = await db.select().from(afterSalesCases).where(eq(afterSalesCases.id, id)).for("update");
  return row ?? null;
}

export async function updateCase(db: DbOrTx, id: number, values: Partial<typeof afterSalesCases.$inferInsert>): Promise<AfterSalesCaseRow> {
  const [row] = await db.update(afterSalesCases).set(values).where(eq(afterSalesCases.id, id)).returning();
  return row!;
}

export function insertEvents(db: DbOrTx, events: (typeof afterSalesEvents.$inferInsert)[]) {
  return db.insert(afterSalesEvents).values(events);
}

export async function openCaseOfOrder(db: DbOrTx, orderId: number): Promise<AfterSalesCaseRow | null> {
  const [row] = await db.select().from(afterSalesCases).where(and(eq(afterSalesCases.orderId, orderId), ne(afterSalesCases.status, "CLOSED")));
  return row ?? null;
}

/** What the platform already paid on an order by 先行赔付 (it counts against what may still be asked back). */
export async function compensatedFen(db: DbOrTx, orderId: number): Promise<number> {
  const [row] = await db
    .select({ fen: sql<string>`coalesce(sum(${afterSalesCases.paidFen}), 0)` })
    .from(afterSalesCases)
    .where(and(eq(afterSalesCases.orderId, orderId), eq(afterSalesCases.payment, "COMPENSATION")));
  return Number(row!.fen);
}

export function casesByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(afterSalesCases).where(inArray(afterSalesCases.id, [...ids]));
}

export function eventsByCaseIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(afterSalesEvents).where(inArray(afterSalesEvents.caseId, [...ids])).orderBy(afterSalesEvents.id);
}

/** Cases whose merchant let the answer deadline pass (strictly before `asOf`), oldest first. */
export function passiveDue(db: DbOrTx, asOf: Date, limit: number) {
  return db
    .select({ id: afterSalesCases.id })
    .from(afterSalesCases)
    .where(and(eq(afterSalesCases.status, "AWAITING_MERCHANT"), lt(afterSalesCases.answerDueAt, asOf)))
    .orderBy(afterSalesCases.answerDueAt)
    .limit(limit);
}

/** Open cases whose 15 days are up at `asOf`. */
export function closeDue(db: DbOrTx, asOf: Date, limit: number) {
  return db
    .select({ id: afterSalesCases.id })
    .from(afterSalesCases)
    .where(and(ne(afterSalesCases.status, "CLOSED"), lte(afterSalesCases.closesBy, asOf)))
    .orderBy(afterSalesCases.closesBy)
    .limit(limit);
}

export interface CaseFilter {
  buyerId?: number;
  shopIds?: number[];
  statuses?: CaseStatus[];
  reasons?: CaseReason[];
  openedFrom?: Date;
  openedTo?: Date;
}

/** A page of cases, newest first (keyset on id). */
export function casePage(db: DbOrTx, filter: CaseFilter, afterId: number | null, limit: number) {
  return db
    .select()
    .from(afterSalesCases)
    .where(
      and(
        filter.buyerId !== undefined ? eq(afterSalesCases.buyerId, filter.buyerId) : undefined,
        filter.shopIds ? inArray(afterSalesCases.shopId, filter.shopIds) : undefined,
        filter.statuses?.length ? inArray(afterSalesCases.status, filter.statuses) : undefined,
        filter.reasons?.length ? inArray(afterSalesCases.reason, filter.reasons) : undefined,
        filter.openedFrom ? gte(afterSalesCases.openedAt, filter.openedFrom) : undefined,
        filter.openedTo ? lt(afterSalesCases.openedAt, filter.openedTo) : undefined,
        afterId !== null ? lt(afterSalesCases.id, afterId) : undefined,
      ),
    )
    .orderBy(desc(afterSalesCases.id))
    .limit(limit + 1);
}

/** The open cases of a buyer or of shops, newest first: a subscription's snapshot. */
export function openCases(db: DbOrTx, scope: { buyerId?: number; shopIds?: number[] }, limit: number) {
  return db
    .select({ id: afterSalesCases.id })
    .from(afterSalesCases)
    .where(
      and(
        ne(afterSalesCases.status, "CLOSED"),
        scope.buyerId !== undefined ? eq(afterSalesCases.buyerId, scope.buyerId) : inArray(afterSalesCases.shopId, scope.shopIds!.length ? scope.shopIds! : [-1]),
      ),
    )
    .orderBy(desc(afterSalesCases.id))
    .limit(limit);
}

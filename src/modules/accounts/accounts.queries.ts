import { and, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { idArray, perHandle } from "../../db/prepared.js";
import { userIdentities, users, type UserRow } from "../../db/schema/index.js";
import type { Role } from "../../shared/auth.js";

// Every authenticated request's role is read through this when not cached (a crowd of new buyers: one each).
const usersByIdsStatement = perHandle((db) =>
  db.select().from(users).where(sql`${users.id} = any(${sql.placeholder("ids")}::bigint[])`).prepare("users_by_ids"),
);

export function usersByIds(db: DbOrTx, ids: readonly number[]) {
  return usersByIdsStatement(db).execute({ ids: idArray(ids) });
}

export async function setBanned(db: DbOrTx, id: number, banned: boolean) {
  const [row] = await db.update(users).set({ banned }).where(eq(users.id, id)).returning();
  return row ?? null;
}

export async function setRole(db: DbOrTx, id: number, role: Role) {
  const [row] = await db.update(users).set({ role }).where(eq(users.id, id)).returning();
  return row ?? null;
}

export async function userByIdentity(db: DbOrTx, issuer: string, subject: string): Promise<UserRow | null> {
  const [row] = await db
    .select({ user: users })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, subject)));
  return row?.user ?? null;
}

class IdentityTaken extends Error {}

/**
 * A new user linked to (issuer, subject), in one transaction; null when the link already exists (another request
 * or process provisioned it first: the caller reads it again).
 */
export async function insertUserWithIdentity(
  db: DbOrTx,
  values: { name: string; role: Role; issuer: string; subject: string; at: Date },
): Promise<UserRow | null> {
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ name: values.name, role: values.role, createdAt: values.at }).returning();
      const [link] = await tx
        .insert(userIdentities)
        .values({ issuer: values.issuer, subject: values.subject, userId: user!.id, createdAt: values.at })
        .onConflictDoNothing()
        .returning();
      if (!link) throw new IdentityTaken();
      return user!;
    });
  } catch (error) {
    if (error instanceof IdentityTaken) return null;
    throw error;
  }
}

export async function insertUser(db: DbOrTx, values: { name: string; role: Role; at: Date }): Promise<UserRow> {
  const [row] = await db.insert(users).values({ name: values.name, role: values.role, createdAt: values.at }).returning();
  return row!;
}

export async function usersWithRole(db: DbOrTx, role: Role, limit: number): Promise<UserRow[]> {
  return db.select().from(users).where(eq(users.role, role)).orderBy(users.id).limit(limit);
}

export async function linkIdentity(db: DbOrTx, values: { issuer: string; subject: string; userId: number; at: Date }): Promise<boolean> {
  const [row] = await db
    .insert(userIdentities)
    .values({ issuer: values.issuer, subject: values.subject, userId: values.userId, createdAt: values.at })
    .onConflictDoNothing()
    .returning();
  return Boolean(row);
}

export function usersPage(db: DbOrTx, filter: { role?: Role; afterId?: number; limit: number }) {
  return db
    .select()
    .from(users)
    .where(and(filter.role ? eq(users.role, filter.role) : undefined, filter.afterId !== undefined ? gt(users.id, filter.afterId) : undefined))
    .orderBy(users.id)
    .limit(filter.limit + 1);
}

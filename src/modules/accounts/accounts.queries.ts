import { eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { users } from "../../db/schema/index.js";

export function usersByIds(db: DbOrTx, ids: readonly number[]) {
  return db.select().from(users).where(inArray(users.id, [...ids]));
}

export async function setBanned(db: DbOrTx, id: number, banned: boolean) {
  const [row] = await db.update(users).set({ banned }).where(eq(users.id, id)).returning();
  return row ?? null;
}

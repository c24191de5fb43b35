import { asc } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { users } from "../db/schema/index.js";
import type { Role, TokenService } from "../shared/auth.js";

/** One token for the first user of each role, printed at start so GraphiQL is usable at once. */
export async function demoTokens(db: Db, tokens: TokenService) {
  const rows = await db.select().from(users).orderBy(asc(users.id));
  const firstPerRole = new Map<string, (typeof rows)[number]>();
  for (const row of rows) if (!firstPerRole.has(row.role)) firstPerRole.set(row.role, row);
  return Promise.all(
    [...firstPerRole.values()].map(async (u) => ({ role: u.role, name: u.name, userId: u.id, token: await tokens.mint(u.id, u.role as Role) })),
  );
}

import { asc } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { users } from "../db/schema/index.js";
import type { Role, TokenService } from "../shared/auth.js";

const MAX_PRINTED = 12;

/**
 * A token for each demo user (every role, and each merchant: trying another shop's product shows the ownership
 * checks), printed at start so GraphiQL is usable at once. Embedded mode only.
 */
export async function demoTokens(db: Db, tokens: TokenService) {
  const rows = await db.select().from(users).orderBy(asc(users.id)).limit(MAX_PRINTED);
  return Promise.all(rows.map(async (u) => ({ role: u.role, name: u.name, userId: u.id, token: await tokens.mint(u.id, u.role as Role) })));
}

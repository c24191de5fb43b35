import { asc, isNull, notLike } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { liveSessions, users } from "../db/schema/index.js";
import type { Role, TokenService } from "../shared/auth.js";
import { toGlobalId } from "../shared/ids.js";
import { DEMO_CROWD_PREFIX } from "./demo-crowd.js";

const MAX_PRINTED = 12;

/**
 * A token for each demo user (every role, and each merchant: trying another shop's product shows the ownership
 * checks), printed at start so GraphiQL is usable at once. Embedded mode only.
 */
export async function demoTokens(db: Db, tokens: TokenService) {
  const rows = await db.select().from(users).where(notLike(users.name, `${DEMO_CROWD_PREFIX}%`)).orderBy(asc(users.id)).limit(MAX_PRINTED);
  return Promise.all(rows.map(async (u) => ({ role: u.role, name: u.name, userId: u.id, token: await tokens.mint(u.id, u.role as Role) })));
}

/** The demo's live room and its host, for the overlay link printed at start. */
export async function demoRoom(db: Db): Promise<{ liveSessionId: string; promoterId: number } | null> {
  const [room] = await db.select().from(liveSessions).where(isNull(liveSessions.endedAt)).orderBy(asc(liveSessions.id)).limit(1);
  return room ? { liveSessionId: toGlobalId("LiveSession", room.id), promoterId: room.promoterId } : null;
}

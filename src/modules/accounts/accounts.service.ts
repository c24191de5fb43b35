import { registerEnumType } from "type-graphql";
import type { Context } from "../../context.js";
import type { Db } from "../../db/client.js";
import type { EventBus } from "../../realtime/bus.js";
import { Role } from "../../shared/auth.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";
import { setBanned, usersByIds } from "./accounts.queries.js";
import { toUser, type User } from "./user.type.js";

/**
 * A banned account keeps no live subscriptions: checked when it subscribes and again on `accessChanged`.
 * Reads the row afresh (a subscription's context outlives its loaders' truth). Anonymous viewers pass.
 */
export async function assertActiveAccount(ctx: Context): Promise<void> {
  if (!ctx.viewer) return;
  const [row] = await usersByIds(ctx.db, [ctx.viewer.userId]);
  if (row?.banned) throw forbidden("live updates for a banned account");
}

export enum AccountErrorCode {
  CANNOT_BAN_SELF = "CANNOT_BAN_SELF",
}
registerEnumType(AccountErrorCode, { name: "AccountErrorCode", description: "Why an account change was refused." });

const BAN_CACHE_MS = 30_000;
const BAN_CACHE_SIZE = 50_000;

export class AccountsService {
  /** userId → banned, as read at `at`: every request of a signed-in user asks, so the answer is kept a while. */
  private readonly bans = new Map<number, { banned: boolean; at: number }>();
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(private readonly deps: { bus: EventBus; db: Db }) {}

  /** Every process forgets what it knew of a user whose rights changed anywhere (accessChanged on "all"). */
  async start(): Promise<void> {
    this.unsubscribe = await this.deps.bus.subscribe("accessChanged", "all", ({ userId }) => this.bans.delete(userId));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Whether a signed-in user is banned (HTTP requests and WebSocket connections of banned users are refused). */
  async isBanned(userId: number): Promise<boolean> {
    const known = this.bans.get(userId);
    if (known && Date.now() - known.at < BAN_CACHE_MS) return known.banned;
    const [row] = await usersByIds(this.deps.db, [userId]);
    if (this.bans.size >= BAN_CACHE_SIZE) this.bans.delete(this.bans.keys().next().value!);
    const banned = row?.banned ?? false;
    this.bans.set(userId, { banned, at: Date.now() });
    return banned;
  }

  /** Admin: bans or reinstates an account. Its live subscriptions are re-checked at once (accessChanged). */
  async setUserBanned(ctx: Context, userGlobalId: string, banned: boolean): Promise<{ user: User | null; userErrors: UserErrorValue<AccountErrorCode>[] }> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.ADMIN) throw forbidden("banning accounts");
    const userId = idOf("User", userGlobalId, "userId");
    if (userId === ctx.viewer.userId && banned) {
      return { user: null, userErrors: [userError(AccountErrorCode.CANNOT_BAN_SELF, "An admin cannot ban itself.", "userId")] };
    }
    const row = await setBanned(ctx.db, userId, banned);
    if (!row) throw notFound("User");
    await this.accessChanged(ctx, userId);
    ctx.log.info(banned ? "account banned" : "account reinstated", { userId, by: ctx.viewer.userId });
    return { user: toUser(row), userErrors: [] };
  }

  /** After a commit that changed what a user may see: their live subscriptions re-check their access. */
  async accessChanged(ctx: Context, userId: number): Promise<void> {
    this.bans.delete(userId);
    for (const key of [userId, "all"]) {
      await this.deps.bus.publish("accessChanged", key, { userId }).catch((error) => ctx.log.warn("could not publish accessChanged", { userId, error }));
    }
  }
}

import { registerEnumType } from "type-graphql";
import type { Db } from "../../db/client.js";
import type { Context } from "../../shared/context.js";
import type { EventBus } from "../../realtime/bus.js";
import { Role, type Viewer } from "../../shared/auth.js";
import { forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import { userError, type UserErrorValue } from "../../shared/user-errors.js";
import { connectionOf, decodeCursor, pageSize, type PageArgs } from "../../shared/pagination.js";
import { setBanned, setRole, usersByIds, usersPage } from "./accounts.queries.js";
import type { IdentityService } from "./identity.service.js";
import { toUser, type User } from "./user.type.js";

/**
 * A banned account keeps no live subscriptions: a subscription's guard (`guardedStream`'s `refresh`) calls this when
 * the viewer subscribes and again on `accessChanged`. Reads the row afresh (a subscription's context outlives its
 * loaders' truth) and returns the viewer with the role the user has now, so the checks that follow judge that role;
 * the caller's viewer is left as it was.
 */
export function activeViewer(db: Db): (viewer: Viewer) => Promise<Viewer> {
  return async (viewer) => {
    const [row] = await usersByIds(db, [viewer.userId]);
    if (!row || row.banned) throw forbidden("live updates for a banned account");
    return { ...viewer, role: row.role as Role };
  };
}

export enum AccountErrorCode {
  CANNOT_BAN_SELF = "CANNOT_BAN_SELF",
  CANNOT_CHANGE_OWN_ROLE = "CANNOT_CHANGE_OWN_ROLE",
}
registerEnumType(AccountErrorCode, { name: "AccountErrorCode", description: "Why an account change was refused." });

export class AccountsService {
  constructor(private readonly deps: { bus: EventBus; identity: IdentityService }) {}

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

  /** Staff: every user, oldest first (e.g. to find a user provisioned from the identity provider and give it a role). */
  async users(ctx: Context, page: PageArgs, role: Role | null | undefined) {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.ADMIN && ctx.viewer.role !== Role.ANALYST) throw forbidden("listing users");
    const limit = pageSize(page.first);
    const key = `users:${role ?? "ALL"}`;
    const after = decodeCursor(page.after, key);
    const rows = await usersPage(ctx.db, { role: role ?? undefined, afterId: after?.id, limit });
    return connectionOf(
      { nodes: rows.slice(0, limit).map(toUser), hasNextPage: rows.length > limit },
      (user) => ({ key, value: user.rowId, id: user.rowId }),
      Boolean(after),
    );
  }

  /** Admin: gives a user another role (the database's role is the one that counts, whatever tokens claim). */
  async setUserRole(ctx: Context, userGlobalId: string, role: Role): Promise<{ user: User | null; userErrors: UserErrorValue<AccountErrorCode>[] }> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.role !== Role.ADMIN) throw forbidden("changing roles");
    const userId = idOf("User", userGlobalId, "userId");
    if (userId === ctx.viewer.userId) {
      return { user: null, userErrors: [userError(AccountErrorCode.CANNOT_CHANGE_OWN_ROLE, "An admin cannot change its own role; another admin can.", "userId")] };
    }
    const row = await setRole(ctx.db, userId, role);
    if (!row) throw notFound("User");
    await this.accessChanged(ctx, userId);
    ctx.log.info("role changed", { userId, role, by: ctx.viewer.userId });
    return { user: toUser(row), userErrors: [] };
  }

  /**
   * After a commit that changed what a user may do or see: this process forgets the user's role at once, every
   * other process on "all", and the user's live subscriptions re-check their access.
   */
  async accessChanged(ctx: Context, userId: number): Promise<void> {
    this.deps.identity.forget(userId);
    for (const key of [userId, "all"] as const) {
      await this.deps.bus.publish("accessChanged", key, { userId }).catch((error) => ctx.log.warn("could not publish accessChanged", { userId, error }));
    }
  }
}

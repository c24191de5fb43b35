import { Arg, Args, Authorized, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { forbidden } from "../../shared/errors.js";
import { parseGlobalId } from "../../shared/ids.js";
import type { NodeFetchers, NodeRegistry } from "../../shared/node.registry.js";
import { Node } from "../../shared/node.type.js";
import { UserErrorType, type UserErrorValue } from "../../shared/user-errors.js";
import { AccountErrorCode, type AccountsService } from "./accounts.service.js";
import { PageArgs } from "../../shared/pagination.js";
import { toUser, User, UserConnection } from "./user.type.js";

const AccountUserErrorType = UserErrorType("AccountUserError", AccountErrorCode);

@InputType("SetUserBannedInput", { description: "Ban or reinstate an account." })
class SetUserBannedInput {
  @Field(() => ID, { description: "The user." })
  userId!: string;

  @Field(() => Boolean, { description: "true bans, false reinstates." })
  banned!: boolean;
}

@ObjectType("SetUserBannedPayload", { description: "Result of setUserBanned." })
class SetUserBannedPayload {
  @Field(() => User, { nullable: true, description: "The user as saved; null when userErrors is not empty." })
  user!: User | null;

  @Field(() => [AccountUserErrorType], { description: "Rules that refused the change." })
  userErrors!: UserErrorValue<AccountErrorCode>[];
}

@InputType("SetUserRoleInput", { description: "Give a user another role." })
class SetUserRoleInput {
  @Field(() => ID, { description: "The user." })
  userId!: string;

  @Field(() => Role, { description: "The new role; it counts from the user's next request, and its live subscriptions re-check at once." })
  role!: Role;
}

@ObjectType("SetUserRolePayload", { description: "Result of setUserRole." })
class SetUserRolePayload {
  @Field(() => User, { nullable: true, description: "The user as saved; null when userErrors is not empty." })
  user!: User | null;

  @Field(() => [AccountUserErrorType], { description: "Rules that refused the change." })
  userErrors!: UserErrorValue<AccountErrorCode>[];
}

/** Accounts' node type, for `node(id:)`: a user sees itself; staff see anyone. */
export const accountNodes: NodeFetchers = {
  User: async (ctx, id) => {
    const self = ctx.viewer?.userId === id;
    if (!self && ctx.viewer?.role !== Role.ADMIN && ctx.viewer?.role !== Role.ANALYST) throw forbidden("reading other users");
    const row = await ctx.loaders.userById.load(id);
    return row ? toUser(row) : null;
  },
};

@Resolver()
export class AccountsResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly nodes: NodeRegistry,
  ) {}

  @Query(() => User, { nullable: true, description: "The signed-in user; null without a token." })
  async viewer(@Ctx() ctx: Context) {
    if (!ctx.viewer) return null;
    const row = await ctx.loaders.userById.load(ctx.viewer.userId);
    return row ? toUser(row) : null;
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => UserConnection, { description: "Staff: users, oldest first, optionally of one role (users appear on their first request with the platform's token)." })
  users(@Args(() => PageArgs) page: PageArgs, @Arg("role", () => Role, { nullable: true, description: "Only users of this role." }) role: Role | null, @Ctx() ctx: Context) {
    return this.accounts.users(ctx, page, role);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SetUserBannedPayload, { description: "Admin: ban or reinstate an account; its live subscriptions end at once when banned." })
  setUserBanned(@Arg("input", () => SetUserBannedInput) input: SetUserBannedInput, @Ctx() ctx: Context) {
    return this.accounts.setUserBanned(ctx, input.userId, input.banned);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SetUserRolePayload, {
    description: "Admin: change a user's role. The database's role is authoritative: tokens' role claims only seed a user provisioned on first sight.",
  })
  setUserRole(@Arg("input", () => SetUserRoleInput) input: SetUserRoleInput, @Ctx() ctx: Context) {
    return this.accounts.setUserRole(ctx, input.userId, input.role);
  }

  @Query(() => Node, { nullable: true, description: "Any object by its global ID; null if there is none." })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const parsed = parseGlobalId(id);
    const fetch = parsed && this.nodes.fetcher(parsed.type);
    return fetch ? fetch(ctx, parsed.id) : null;
  }
}

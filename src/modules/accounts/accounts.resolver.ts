import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { Context } from "../../context.js";
import { Role } from "../../shared/auth.js";
import { forbidden } from "../../shared/errors.js";
import { parseGlobalId } from "../../shared/ids.js";
import { nodeFetcher, registerNodeType } from "../../shared/node.registry.js";
import { Node } from "../../shared/node.type.js";
import { toUser, User } from "./user.type.js";

registerNodeType("User", async (ctx, id) => {
  const self = ctx.viewer?.userId === id;
  if (!self && ctx.viewer?.role !== Role.ADMIN && ctx.viewer?.role !== Role.ANALYST) throw forbidden("reading other users");
  const row = await ctx.loaders.userById.load(id);
  return row ? toUser(row) : null;
});

@Resolver()
export class AccountsResolver {
  @Query(() => User, { nullable: true, description: "The signed-in user; null without a token." })
  async viewer(@Ctx() ctx: Context) {
    if (!ctx.viewer) return null;
    const row = await ctx.loaders.userById.load(ctx.viewer.userId);
    return row ? toUser(row) : null;
  }

  @Query(() => Node, { nullable: true, description: "Any object by its global ID; null if there is none." })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const parsed = parseGlobalId(id);
    const fetch = parsed && nodeFetcher(parsed.type);
    return fetch ? fetch(ctx, parsed.id) : null;
  }
}

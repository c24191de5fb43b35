import { Field, ObjectType } from "type-graphql";
import { Role } from "../../shared/auth.js";
import { toGlobalId } from "../../shared/ids.js";
import { Node } from "../../shared/node.type.js";
import type { UserRow } from "../../db/schema/index.js";

@ObjectType("User", { implements: Node, description: "A person using the platform, in one role." })
export class User extends Node {
  readonly __typename = "User";
  rowId!: number;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => Role, { description: "The user's role." })
  role!: Role;

  @Field(() => Boolean, { description: "Banned accounts keep no live subscriptions." })
  banned!: boolean;
}

export function toUser(row: UserRow): User {
  return Object.assign(new User(), { id: toGlobalId("User", row.id), rowId: row.id, name: row.name, role: row.role as Role, banned: row.banned });
}

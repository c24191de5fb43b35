import { Field, ObjectType } from "type-graphql";
import { PageInfo } from "../../shared/pagination.js";
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

@ObjectType("UserEdge", { description: "A user in a page of results." })
export class UserEdge {
  @Field(() => User, { description: "The user." })
  node!: User;

  @Field(() => String, { description: "Opaque cursor of this edge." })
  cursor!: string;
}

@ObjectType("UserConnection", { description: "A page of users, oldest first." })
export class UserConnection {
  @Field(() => [UserEdge], { description: "The users of this page." })
  edges!: UserEdge[];

  @Field(() => PageInfo, { description: "Where this page sits in the list." })
  pageInfo!: PageInfo;
}

export function toUser(row: UserRow): User {
  return Object.assign(new User(), { id: toGlobalId("User", row.id), rowId: row.id, name: row.name, role: row.role as Role, banned: row.banned });
}

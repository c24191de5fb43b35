import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { users } from "../../../../src/db/schema/index.js";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildUser } from "../../../support/builders.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";

export const accountsRows: MatrixRow[] = [
  {
    covers: "Mutation.setUserBanned",
    document: `mutation MatrixBan($input: SetUserBannedInput!) { setUserBanned(input: $input) { user { id banned } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const target = await buildUser(db, "BUYER");
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { userId: toGlobalId("User", target.id), banned: true } },
        snapshot: () => db.select().from(users).where(eq(users.id, target.id)),
      };
    },
    // Only admins ban; the owner column is an admin.
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" }),
    allowed: (data) => expect(data.setUserBanned.user.banned).toBe(true),
  },
  {
    covers: "Mutation.setUserRole",
    document: `mutation MatrixRole($input: SetUserRoleInput!) { setUserRole(input: $input) { user { id role } userErrors { code } } }`,
    async setup(db) {
      const admin = await buildUser(db, "ADMIN");
      const target = await buildUser(db, "BUYER");
      return {
        owner: { id: admin.id, role: "ADMIN" },
        variables: { input: { userId: toGlobalId("User", target.id), role: "MERCHANT" } },
        snapshot: () => db.select().from(users).where(eq(users.id, target.id)),
      };
    },
    // Only admins change roles, whatever role a token claims (the database's role is the one that counts).
    expect: outcomes("FORBIDDEN", { anonymous: "UNAUTHENTICATED", owner: "allowed", ADMIN: "allowed" }),
    allowed: (data) => expect(data.setUserRole.user.role).toBe("MERCHANT"),
  },
  {
    // A user is visible to themselves and to staff.
    covers: "Node:User",
    document: NODE_QUERY,
    async setup(db) {
      const user = await buildUser(db, "BUYER");
      return { owner: { id: user.id, role: "BUYER" }, variables: { id: toGlobalId("User", user.id) } };
    },
    expect: outcomes("FORBIDDEN", { owner: "allowed", ADMIN: "allowed", ANALYST: "allowed" }),
    allowed: (data, f) => expect(data.node).toEqual({ __typename: "User", id: f.variables.id }),
  },
];

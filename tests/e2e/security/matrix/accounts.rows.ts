import { expect } from "vitest";
import { toGlobalId } from "../../../../src/shared/ids.js";
import { buildUser } from "../../../support/builders.js";
import { NODE_QUERY, outcomes, type MatrixRow } from "./matrix.js";

export const accountsRows: MatrixRow[] = [
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

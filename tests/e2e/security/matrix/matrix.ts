import type { Db } from "../../../../src/db/client.js";
import type { Role } from "../../../../src/shared/auth.js";

/**
 * The role × operation × ownership matrix: one row per mutation and per node type, one column per kind of
 * viewer. A module adds its rows in `<module>.rows.ts` and lists them in `rows.ts`; matrix.test.ts fails while a
 * mutation or a Node type of the schema has no row.
 */
export const VIEWERS = ["anonymous", "owner", "BUYER", "MERCHANT", "PROMOTER", "ADMIN", "ANALYST"] as const;
/** "owner": the user the row's fixture makes the owner of the object; a role: a fresh user of that role who owns nothing. */
export type ViewerKind = (typeof VIEWERS)[number];

/**
 * "allowed"; "userErrors": authorised, but the payload's business rules refuse the call for this viewer (a fresh
 * promoter acting on its own, empty shelf); or the `extensions.code` the viewer must get. Unless allowed, the
 * database must be unchanged.
 */
export type Outcome = "allowed" | "userErrors" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND";

export interface Fixture {
  owner: { id: number; role: Role | `${Role}` };
  variables: Record<string, unknown>;
  /** Rows the operation could change, read the same way before and after a refused call. */
  snapshot?: () => Promise<unknown>;
}

export interface MatrixRow {
  /** `Mutation.<field>` or `Node:<Type>`: what the row covers in the schema. */
  covers: string;
  document: string;
  /** Builds fresh data for one cell, so cells never see each other's effects. */
  setup: (db: Db) => Promise<Fixture>;
  expect: Record<ViewerKind, Outcome>;
  /** Optional checks of an allowed call's data (the root field is non-null and userErrors empty either way). */
  allowed?: (data: any, fixture: Fixture) => void;
}

/** Every viewer the same outcome, but for those listed. */
export function outcomes(all: Outcome, except: Partial<Record<ViewerKind, Outcome>> = {}): Record<ViewerKind, Outcome> {
  return Object.fromEntries(VIEWERS.map((v) => [v, except[v] ?? all])) as Record<ViewerKind, Outcome>;
}

export const NODE_QUERY = "query MatrixNode($id: ID!) { node(id: $id) { __typename id } }";

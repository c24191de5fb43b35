import { ArgsType, Field, Int, ObjectType } from "type-graphql";
import { badInput } from "./errors.js";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge of the previous page." })
  after?: string | null;
}

@ObjectType({ description: "Relay page information." })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether more edges follow this page." })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "Whether edges precede this page (true when `after` was given)." })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first edge of this page." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge of this page; pass it as `after`." })
  endCursor!: string | null;
}

export function pageSize(first: number | null | undefined): number {
  if (first == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, "first");
  }
  return first;
}

/** A keyset cursor: the sort value and the row id of the last row seen. */
export interface Cursor {
  key: string;
  value: string | number;
  id: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.value, cursor.id]), "utf8").toString("base64url");
}

export function decodeCursor(text: string | null | undefined, key: string): Cursor | null {
  if (text == null) return null;
  try {
    const [k, value, id] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown[];
    if (k === key && (typeof value === "string" || typeof value === "number") && Number.isSafeInteger(id)) {
      return { key, value, id: id as number };
    }
  } catch {
    /* reported below */
  }
  throw badInput("after is not a cursor of this list and order.", "after");
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
}

export function connectionOf<T>(page: Page<T>, cursorOf: (node: T) => Cursor, hadCursor: boolean) {
  const edges = page.nodes.map((node) => ({ node, cursor: encodeCursor(cursorOf(node)) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A page of a list in id order, newest first, fetched with one row more than `limit` to tell if more follow. */
export function newestFirstConnection<R, N extends { rowId: number }>(rows: R[], limit: number, key: string, toNode: (row: R) => N, hadCursor: boolean) {
  return connectionOf(
    { nodes: rows.slice(0, limit).map(toNode), hasNextPage: rows.length > limit },
    (node) => ({ key, value: node.rowId, id: node.rowId }),
    hadCursor,
  );
}

import { isObjectType, type GraphQLInterfaceType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGatewaySchema } from "../../../src/schema.js";
import { buildUser } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { postRaw } from "../../support/raw.js";
import { VIEWERS, type MatrixRow, type ViewerKind } from "./matrix/matrix.js";
import { MATRIX_ROWS } from "./matrix/rows.js";

describe("role × operation × ownership matrix", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway("postgres");
  });
  afterAll(() => gw?.stop());

  it("has a row for every mutation and every Node type of the schema", async () => {
    const schema = await buildGatewaySchema();
    const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`);
    const nodes = schema.getPossibleTypes(schema.getType("Node") as GraphQLInterfaceType).filter(isObjectType).map((t) => `Node:${t.name}`);
    const covered = new Set(MATRIX_ROWS.map((r) => r.covers));
    expect([...mutations, ...nodes].filter((c) => !covered.has(c))).toEqual([]);
    expect(MATRIX_ROWS.length * VIEWERS.length).toBeGreaterThanOrEqual(35);
  });

  async function tokenFor(viewer: ViewerKind, owner: { id: number; role: string }): Promise<string | null> {
    if (viewer === "anonymous") return null;
    if (viewer === "owner") return gw.token(owner.id, owner.role as never);
    return gw.token((await buildUser(gw.database.db, viewer)).id, viewer);
  }

  describe.each(MATRIX_ROWS.map((row) => [row.covers, row] as [string, MatrixRow]))("%s", (_covers, row) => {
    it.each(VIEWERS.map((v) => [v, row.expect[v]] as const))("as %s: %s", async (viewer, outcome) => {
      const fixture = await row.setup(gw.database.db);
      const token = await tokenFor(viewer, fixture.owner);
      const before = await fixture.snapshot?.();
      const response = await postRaw(gw.url, { query: row.document, variables: fixture.variables }, { token });
      const field = Object.keys(response.body.data ?? {})[0];
      if (outcome === "allowed") {
        expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
        const value = response.body.data[field!];
        expect(value).toBeTruthy();
        if (value && "userErrors" in value) expect(value.userErrors).toEqual([]);
        row.allowed?.(response.body.data, fixture);
      } else if (outcome === "userErrors") {
        expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
        expect(response.body.data[field!].userErrors.length, JSON.stringify(response.body.data)).toBeGreaterThan(0);
        if (fixture.snapshot) expect(await fixture.snapshot()).toEqual(before);
      } else {
        expect(response.body.errors?.[0]?.extensions?.code, JSON.stringify(response.body)).toBe(outcome);
        // Nothing leaks in the data, and nothing changed.
        expect(Object.values(response.body.data ?? {}).every((v) => v === null)).toBe(true);
        if (fixture.snapshot) expect(await fixture.snapshot()).toEqual(before);
      }
    });
  });
});

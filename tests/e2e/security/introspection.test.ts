import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildUser } from "../../support/builders.js";
import { startTestGateway, type TestGateway } from "../../support/gateway.js";
import { postRaw } from "../../support/raw.js";

const INTROSPECTION = getIntrospectionQuery();
const graphiql = (url: string, query = "") => fetch(`${url}${query}`, { headers: { accept: "text/html" } });

describe("introspection and GraphiQL", () => {
  let production: TestGateway;
  let embedded: TestGateway;
  beforeAll(async () => {
    [production, embedded] = await Promise.all([startTestGateway("postgres"), startTestGateway("pglite")]);
  });
  afterAll(async () => {
    await Promise.all([production?.stop(), embedded?.stop()]);
  });

  it("are open to everyone in the embedded default", async () => {
    expect(embedded.database.kind).toBe("pglite");
    const result = await postRaw(embedded.url, { query: INTROSPECTION });
    expect(result.body.data.__schema.queryType.name).toBe("Query");
    expect((await graphiql(embedded.url)).status).toBe(200);
  });

  it("are open to ADMIN and ANALYST only in production", async () => {
    for (const role of ["ADMIN", "ANALYST"] as const) {
      const token = await production.token((await buildUser(production.database.db, role)).id, role);
      expect((await postRaw(production.url, { query: INTROSPECTION }, { token })).body.data.__schema.queryType.name, role).toBe("Query");
      expect((await graphiql(production.url, `?token=${token}`)).status, role).toBe(200);
      expect((await fetch(production.url, { headers: { accept: "text/html", authorization: `Bearer ${token}` } })).status, role).toBe(200);
    }
    for (const role of [null, "BUYER", "MERCHANT", "PROMOTER"] as const) {
      const token = role && (await production.token((await buildUser(production.database.db, role)).id, role));
      const refused = await postRaw(production.url, { query: "{ __type(name: \"Product\") { fields { name } } }" }, { token });
      expect(refused.status, String(role)).toBe(403);
      expect(refused.body.errors[0].extensions.code).toBe("FORBIDDEN");
      expect(refused.body.data).toBeUndefined();
      const page = await graphiql(production.url, token ? `?token=${token}` : "");
      expect(page.status, String(role)).toBe(403);
      expect(await page.text()).not.toContain("<script");
    }
    const malformed = await fetch(production.url, { headers: { accept: "text/html", authorization: "Basic eDp5" } });
    expect(malformed.status).toBe(403);
  });

  it("still answers __typename to everyone (clients need it for caching)", async () => {
    expect((await postRaw(production.url, { query: "{ __typename viewer { __typename } }" })).body.data.__typename).toBe("Query");
  });
});

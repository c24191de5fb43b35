import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userIdentities, users } from "../../../src/db/schema/index.js";
import { freshDatabase, runCli } from "../../support/fresh-database.js";
import { startTestGateway } from "../../support/gateway.js";
import { SetUserRoleDocument, UsersDocument, ViewerDocument } from "../../support/generated/graphql.js";
import { TestIdentityProvider } from "../../support/identity-provider.js";
import { REDIS_URL } from "../../support/services.js";

describe("the first admin (npm run admin)", () => {
  let idp: TestIdentityProvider;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    idp = await TestIdentityProvider.start();
    await idp.addKey("ES256");
    database = await freshDatabase("admin");
  });
  afterAll(async () => {
    await database?.drop();
    await idp?.stop();
  });

  it("is created from the shell on an empty database, signs in with the platform's token, and administers", async () => {
    const env = { DATABASE_URL: database.url, REDIS_URL, JWKS_URL: idp.jwksUrl, JWT_ISSUER: idp.issuer, JWT_SECRET: "", LOG_LEVEL: "error" };
    const created = await runCli("admin", ["create", "--name", "运营 Root", "--subject", "ops-root"], env);
    expect(created.stderr).toMatch(/created ADMIN user \d+ \(运营 Root\)/);
    expect(created.code).toBe(0);
    const again = await runCli("admin", ["create", "--name", "Copy", "--subject", "ops-root"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already user/);
    const bad = await runCli("admin", ["create", "--name", "Who", "--role", "MERCHANT"], env);
    expect(bad.code).toBe(1);

    const gw = await startTestGateway("postgres", { env: { ...idp.env(), DATABASE_URL: database.url, JWT_SECRET: "", REDIS_KEY_PREFIX: `liveshelf-admin-${process.pid}:` } });
    try {
      expect(gw.tokens).toBeNull();
      const rows = await gw.database.db.select().from(users);
      expect(rows.map((r) => [r.name, r.role])).toEqual([["运营 Root", "ADMIN"]]);
      const [link] = await gw.database.db.select().from(userIdentities).where(eq(userIdentities.userId, rows[0]!.id));
      expect(link).toMatchObject({ issuer: idp.issuer, subject: "ops-root" });

      const adminToken = await idp.token({ sub: "ops-root", role: "BUYER" });
      expect((await gw.request(ViewerDocument, {}, adminToken)).data!.viewer).toMatchObject({ name: "运营 Root", role: "ADMIN" });
      await gw.request(ViewerDocument, {}, await idp.token({ sub: "analyst-to-be", name: "数据分析" }));
      // the admin finds the newcomer among the users, and gives it its role
      const buyers = await gw.request(UsersDocument, { role: "BUYER" as never, first: 10 }, adminToken);
      expect(buyers.data!.users.edges.map((e) => e.node.name)).toEqual(["数据分析"]);
      const promoted = await gw.request(SetUserRoleDocument, { input: { userId: buyers.data!.users.edges[0]!.node.id, role: "ANALYST" as never } }, adminToken);
      expect(promoted.data!.setUserRole).toMatchObject({ user: { role: "ANALYST" }, userErrors: [] });
      const listed = await gw.request(UsersDocument, { first: 1 }, await idp.token({ sub: "analyst-to-be" }));
      expect(listed.data!.users.edges.map((e) => e.node.role)).toEqual(["ADMIN"]);
      expect(listed.data!.users.pageInfo.hasNextPage).toBe(true);
      const refused = await gw.request(UsersDocument, { first: 1 }, await idp.token({ sub: "just-a-buyer" }));
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    } finally {
      await gw.stop();
    }

    const setRole = await runCli("admin", ["set-role", "--user", "2", "--role", "ADMIN"], env);
    expect(setRole.code).toBe(0);
    expect(setRole.stderr).toMatch(/is now ADMIN/);
  });
});

describe("the first admin from the environment (BOOTSTRAP_ADMIN_SUBJECT)", () => {
  it("is made once on an empty database, even by processes starting together, and left alone afterwards", async () => {
    const idp = await TestIdentityProvider.start();
    await idp.addKey("EdDSA");
    const database = await freshDatabase("envadmin");
    const env = {
      ...idp.env(),
      DATABASE_URL: database.url,
      JWT_SECRET: "",
      REDIS_KEY_PREFIX: `liveshelf-envadmin-${process.pid}:`,
      BOOTSTRAP_ADMIN_SUBJECT: "ops-env",
      BOOTSTRAP_ADMIN_NAME: "值班运营",
    };
    try {
      const gateways = await Promise.all([startTestGateway("postgres", { env }), startTestGateway("postgres", { env })]);
      try {
        const rows = await gateways[0]!.database.db.select().from(users);
        expect(rows.map((r) => [r.name, r.role])).toEqual([["值班运营", "ADMIN"]]);
        const token = await idp.token({ sub: "ops-env" });
        for (const gw of gateways) expect((await gw.request(ViewerDocument, {}, token)).data!.viewer).toMatchObject({ role: "ADMIN", name: "值班运营" });
      } finally {
        await Promise.all(gateways.map((gw) => gw.stop()));
      }
      const again = await startTestGateway("postgres", { env });
      try {
        expect(await again.database.db.select().from(users)).toHaveLength(1);
      } finally {
        await again.stop();
      }
    } finally {
      await database.drop();
      await idp.stop();
    }
  });
});

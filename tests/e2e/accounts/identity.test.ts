import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userIdentities, users } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import {
  PriceGuardAlertsDocument,
  SetUserBannedDocument,
  SetUserRoleDocument,
  UpdateProductDocument,
  ViewerDocument,
} from "../../support/generated/graphql.js";
import { TestIdentityProvider } from "../../support/identity-provider.js";
import { postRaw } from "../../support/raw.js";

const subject = () => `idp-${randomUUID()}`;

async function identityRows(gw: TestGateway, issuer: string, sub: string) {
  return gw.database.db.select().from(userIdentities).where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, sub)));
}

describe("the platform's tokens (JWKS)", () => {
  let idp: TestIdentityProvider;
  let gw: TestGateway;
  let rsa: string;
  let ec: string;
  let ed: string;
  beforeAll(async () => {
    idp = await TestIdentityProvider.start();
    rsa = await idp.addKey("RS256");
    ec = await idp.addKey("ES256");
    ed = await idp.addKey("EdDSA");
    gw = await startTestGateway("postgres", { env: idp.env() });
  });
  afterAll(async () => {
    await gw?.stop();
    await idp?.stop();
  });

  it.each([
    ["RS256", () => rsa],
    ["ES256", () => ec],
    ["EdDSA", () => ed],
  ])("provisions a user on first sight of a valid %s token, once", async (_alg, kid) => {
    const sub = subject();
    const token = await idp.token({ sub, role: "merchant", name: "玉器小王" }, { kid: kid() });
    const first = await gw.request(ViewerDocument, {}, token);
    expect(first.status).toBe(200);
    expect(first.data!.viewer).toMatchObject({ name: "玉器小王", role: "MERCHANT" });
    const again = await gw.request(ViewerDocument, {}, await idp.token({ sub, role: "MERCHANT" }, { kid: kid() }));
    expect(again.data!.viewer!.id).toBe(first.data!.viewer!.id);
    const links = await identityRows(gw, idp.issuer, sub);
    expect(links).toHaveLength(1);
    const [user] = await gw.database.db.select().from(users).where(eq(users.id, links[0]!.userId));
    expect(user).toMatchObject({ role: "MERCHANT", name: "玉器小王" });
  });

  it("provisions a token without a role claim as a BUYER", async () => {
    const sub = subject();
    const result = await gw.request(ViewerDocument, {}, await idp.token({ sub }));
    expect(result.data!.viewer).toMatchObject({ role: "BUYER", name: `buyer-${sub}` });
  });

  it("refuses a staff role on a token's word, and provisions nothing", async () => {
    const sub = subject();
    const response = await postRaw(gw.url, { query: "{ viewer { id } }" }, { token: await idp.token({ sub, role: "ADMIN" }) });
    expect(response.status).toBe(403);
    expect(response.body.errors[0].extensions.code).toBe("FORBIDDEN");
    expect(await identityRows(gw, idp.issuer, sub)).toHaveLength(0);
  });

  it("refuses wrong issuer, audience, expired, over-long, unsigned-by-the-provider and HS256 tokens", async () => {
    const sub = subject();
    const unpublished = await idp.addKey("ES256", false);
    const hs = await new SignJWT({ role: "BUYER" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuer(idp.issuer)
      .setAudience(idp.audience)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("x".repeat(40)));
    const bad = {
      issuer: await idp.token({ sub }, { issuer: "https://elsewhere.test/" }),
      audience: await idp.token({ sub }, { audience: "someone-else" }),
      expired: await idp.token({ sub }, { issuedAgoSeconds: 700, lifetimeSeconds: 600 }),
      longLived: await idp.token({ sub }, { lifetimeSeconds: 7 * 24 * 3600 }),
      unpublishedKey: await idp.token({ sub }, { kid: unpublished }),
      hs256: hs,
      tampered: (await idp.token({ sub, role: "BUYER" })).replace(/\.([^.]+)\./, (_m, body: string) => `.${body.slice(0, -2)}AA.`),
    };
    for (const [what, token] of Object.entries(bad)) {
      const response = await postRaw(gw.url, { query: "{ viewer { id } }" }, { token });
      expect({ what, status: response.status, code: response.body?.errors?.[0]?.extensions?.code }).toEqual({ what, status: 401, code: "UNAUTHENTICATED" });
    }
    expect(await identityRows(gw, idp.issuer, sub)).toHaveLength(0);
  });

  it("keeps the key set, and fetches it again only for a kid it does not hold (rotation)", async () => {
    const sub = subject();
    await gw.request(ViewerDocument, {}, await idp.token({ sub }, { kid: rsa }));
    const before = idp.fetches;
    for (let i = 0; i < 5; i++) {
      const ok = await gw.request(ViewerDocument, {}, await idp.token({ sub, nonce: i }, { kid: [rsa, ec, ed][i % 3] }));
      expect(ok.data!.viewer).not.toBeNull();
    }
    expect(idp.fetches).toBe(before);
    const rotated = await idp.addKey("RS256");
    const viewer = await gw.request(ViewerDocument, {}, await idp.token({ sub }, { kid: rotated }));
    expect(viewer.data!.viewer).not.toBeNull();
    expect(idp.fetches).toBe(before + 1);
  });

  it("answers 503 while the provider's keys cannot be fetched for a key it does not hold, and recovers", async () => {
    const kid = await idp.addKey("ES256");
    const token = await idp.token({ sub: subject() }, { kid });
    idp.down = true;
    try {
      const response = await postRaw(gw.url, { query: "{ viewer { id } }" }, { token });
      expect(response.status).toBe(503);
      expect(response.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      idp.down = false;
    }
    expect((await gw.request(ViewerDocument, {}, token)).data!.viewer).not.toBeNull();
  });

  it("provisions one user when a new subject's first requests race on two gateway processes", async () => {
    const other = await startTestGateway("postgres", { env: idp.env() });
    try {
      const sub = subject();
      const token = await idp.token({ sub, role: "PROMOTER" });
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? other : gw).request(ViewerDocument, {}, token)));
      const ids = new Set(results.map((r) => r.data!.viewer!.id));
      expect(ids.size).toBe(1);
      const links = await identityRows(gw, idp.issuer, sub);
      expect(links).toHaveLength(1);
      expect(await gw.database.db.select().from(users).where(eq(users.name, `promoter-${sub}`))).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});

describe("configurable claim names", () => {
  it("reads the user id, role and name from the claims the operator names (a dotted path reaches nested ones)", async () => {
    const idp = await TestIdentityProvider.start();
    await idp.addKey("ES256");
    const gw = await startTestGateway("pglite", {
      env: idp.env({ JWT_USER_CLAIM: "uid", JWT_ROLE_CLAIM: "app.role", JWT_NAME_CLAIM: "nickname" }),
    });
    try {
      const uid = subject();
      const result = await gw.request(ViewerDocument, {}, await idp.token({ sub: "ignored", uid, app: { role: "PROMOTER" }, nickname: "主播小李" }));
      expect(result.data!.viewer).toMatchObject({ role: "PROMOTER", name: "主播小李" });
      expect(await identityRows(gw, idp.issuer, uid)).toHaveLength(1);
      const noUid = await postRaw(gw.url, { query: "{ viewer { id } }" }, { token: await idp.token({ sub: subject() }) });
      expect(noUid.status).toBe(401);
    } finally {
      await gw.stop();
      await idp.stop();
    }
  });
});

describe("the database's role is authoritative", () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestGateway("postgres"), startTestGateway("postgres")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("a token claiming another role changes nothing a user may do: a merchant's BUYER token is the merchant's, a buyer's ADMIN token a buyer's", async () => {
    const { user: merchant, shop } = await buildMerchant(a.database.db);
    const product = await buildProduct(a.database.db, shop.id);
    const asBuyer = await a.token(merchant.id, "BUYER");
    expect((await a.request(ViewerDocument, {}, asBuyer)).data!.viewer!.role).toBe("MERCHANT");
    const updated = await a.request(UpdateProductDocument, { input: { productId: toGlobalId("Product", product.id), stock: 7 } }, asBuyer);
    expect(updated.data!.updateProduct.userErrors).toEqual([]);
    expect(updated.data!.updateProduct.product!.stock).toBe(7);

    const buyer = await buildUser(a.database.db, "BUYER");
    const victim = await buildUser(a.database.db, "PROMOTER");
    const forged = await a.request(SetUserBannedDocument, { input: { userId: toGlobalId("User", victim.id), banned: true } }, await a.token(buyer.id, "ADMIN"));
    expect(forged.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const [row] = await a.database.db.select().from(users).where(eq(users.id, victim.id));
    expect(row!.banned).toBe(false);
  });

  it("reads the roles of a crowd's first requests in one statement per turn, then from the process's cache", async () => {
    const crowd = await Promise.all(Array.from({ length: 40 }, () => buildUser(a.database.db, "BUYER")));
    const tokens = await Promise.all(crowd.map((u) => a.token(u.id, "BUYER")));
    // (the flash-sale sweeper runs meanwhile: count only reads of users)
    const userReads = () => a.statements.filter((sql) => /from "users"/.test(sql)).length;
    a.statements.length = 0;
    const viewers = await Promise.all(tokens.map((token) => a.identity.authenticate(token)));
    expect(viewers.map((v) => v!.userId)).toEqual(crowd.map((u) => u.id));
    expect(userReads()).toBe(1);
    a.statements.length = 0;
    const again = await Promise.all(tokens.map((token) => postRaw(a.url, { query: "{ viewer { role } }" }, { token })));
    expect(again.every((r) => r.body.data.viewer.role === "BUYER")).toBe(true);
    // each request's viewer field loads its row; the authentication itself reads nothing
    expect(userReads()).toBe(40);
  });

  it("a token for a user that does not exist is refused", async () => {
    const response = await postRaw(a.url, { query: "{ viewer { id } }" }, { token: await a.token(2_000_000_000, "ADMIN") });
    expect(response.status).toBe(401);
  });

  it("an admin's role change counts on the next request on every process, and ends the demoted admin's feeds", async () => {
    const admin = await buildUser(a.database.db, "ADMIN");
    const target = await buildUser(a.database.db, "ADMIN");
    const targetToken = await a.token(target.id, "ADMIN");
    expect((await a.request(ViewerDocument, {}, targetToken)).data!.viewer!.role).toBe("ADMIN");
    const feed = collect(a.ws(targetToken), PriceGuardAlertsDocument, {});
    await new Promise((r) => setTimeout(r, 200));
    expect(feed.completed).toBe(false);

    const changed = await b.request(SetUserRoleDocument, { input: { userId: toGlobalId("User", target.id), role: "BUYER" as never } }, await b.token(admin.id, "ADMIN"));
    expect(changed.data!.setUserRole).toMatchObject({ user: { role: "BUYER" }, userErrors: [] });
    const [row] = await a.database.db.select().from(users).where(eq(users.id, target.id));
    expect(row!.role).toBe("BUYER");

    await feed.until(() => feed.completed);
    expect(feed.messages.at(-1)!.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const deadline = Date.now() + 5_000;
    let role = "ADMIN";
    while (role !== "BUYER" && Date.now() < deadline) {
      role = (await a.request(ViewerDocument, {}, targetToken)).data!.viewer!.role;
      if (role !== "BUYER") await new Promise((r) => setTimeout(r, 50));
    }
    expect(role).toBe("BUYER");
    const refused = await a.request(SetUserBannedDocument, { input: { userId: toGlobalId("User", admin.id), banned: true } }, targetToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const own = await b.request(SetUserRoleDocument, { input: { userId: toGlobalId("User", admin.id), role: "BUYER" as never } }, await b.token(admin.id, "ADMIN"));
    expect(own.data!.setUserRole.userErrors.map((e) => e.code)).toEqual(["CANNOT_CHANGE_OWN_ROLE"]);
  });
});

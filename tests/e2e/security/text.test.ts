import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveSessions, products } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { buildMerchant, buildProduct, buildUser } from "../../support/builders.js";
import { BACKENDS, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { CreateProductDocument, StartLiveSessionDocument } from "../../support/generated/graphql.js";

/** The text examples, end to end: refused as BAD_USER_INPUT naming the field, nothing stored; emoji counted as characters. */
describe.each(BACKENDS)("text input on %s", (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(backend);
  });
  afterAll(() => gw?.stop());

  it("refuses NUL, 500,001 characters, 5,001-character descriptions and invisible titles; keeps trimmed text at its maximum", async () => {
    const { user, shop } = await buildMerchant(gw.database.db);
    const token = await gw.token(user.id, "MERCHANT");
    const base = { shopId: toGlobalId("Shop", shop.id), title: "Jade bangle", category: "jade/bangle", price: "99.00", stock: 1 };
    const create = (change: Record<string, unknown>) => gw.request(CreateProductDocument, { input: { ...base, ...change } }, token);
    const cases: [Record<string, unknown>, string][] = [
      [{ title: "Jade\u0000bangle" }, "input.title"],
      [{ description: "nul \u0000 inside" }, "input.description"],
      [{ title: "half \uD83D emoji" }, "input.title"],
      [{ category: "x".repeat(500_001) }, "input.category"],
      [{ description: "d".repeat(5_001) }, "input.description"],
      [{ title: "\u200B\u200B\u200B" }, "input.title"],
      [{ title: "   " }, "input.title"],
      [{ title: "😀".repeat(121) }, "input.title"],
    ];
    for (const [change, field] of cases) {
      const result = await create(change);
      expect(result.status).toBe(200);
      expect(result.errors?.[0]?.extensions, field).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    expect(await gw.database.db.select().from(products).where(eq(products.shopId, shop.id))).toEqual([]);

    // 120 emoji are 120 characters (240 UTF-16 units): accepted, and the text is stored trimmed
    const emoji = await create({ title: `  ${"😀".repeat(120)}  `, description: "d".repeat(5_000) });
    expect(emoji.data!.createProduct.userErrors).toEqual([]);
    const [stored] = await gw.database.db.select().from(products).where(eq(products.shopId, shop.id));
    expect(stored!.title).toBe("😀".repeat(120));
    expect(stored!.description).toHaveLength(5_000);
  });

  it("counts a live session's title in characters: 61 emoji pass, 101 do not", async () => {
    const promoter = await buildUser(gw.database.db, "PROMOTER");
    const token = await gw.token(promoter.id, "PROMOTER");
    const ok = await gw.request(StartLiveSessionDocument, { input: { title: "🔥".repeat(61) } }, token);
    expect(ok.data!.startLiveSession.userErrors).toEqual([]);
    const long = await gw.request(StartLiveSessionDocument, { input: { title: "🔥".repeat(101) } }, token);
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.title" });
    const rows = await gw.database.db.select().from(liveSessions).where(eq(liveSessions.promoterId, promoter.id));
    expect(rows.map((r) => r.title)).toEqual(["🔥".repeat(61)]);
  });

  it("has a column limit in the database too", async () => {
    const { shop } = await buildMerchant(gw.database.db);
    await expect(buildProduct(gw.database.db, shop.id, { title: "t".repeat(481) })).rejects.toThrow();
    await expect(buildProduct(gw.database.db, shop.id, { category: "c".repeat(401) })).rejects.toThrow();
    expect((await buildProduct(gw.database.db, shop.id, { title: "t".repeat(480) })).title).toHaveLength(480);
  });
});

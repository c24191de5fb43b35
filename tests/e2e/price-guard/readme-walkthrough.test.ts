import { readFileSync } from "node:fs";
import { asc, eq } from "drizzle-orm";
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartItems, products, users } from "../../../src/db/schema/index.js";
import { toGlobalId } from "../../../src/shared/ids.js";
import { collect, startTestGateway, type TestGateway } from "../../support/gateway.js";
import { alertSubscribersReach } from "../../support/price-guard.js";

/** The README's graphql blocks, parsed: each operation by name, exactly as a reader would paste it. */
function readmeOperations(): Map<string, DocumentNode> {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const operations = new Map<string, DocumentNode>();
  for (const block of blocks) {
    for (const definition of parse(block).definitions) {
      const op = definition as OperationDefinitionNode;
      if (op.kind === "OperationDefinition" && op.name) operations.set(op.name.value, { kind: Kind.DOCUMENT, definitions: [op] });
    }
  }
  return operations;
}

describe("the README's price-guard walkthrough, on a fresh embedded start", () => {
  let gw: TestGateway;
  const ops = readmeOperations();
  const op = (name: string) => {
    const doc = ops.get(name);
    if (!doc) throw new Error(`the README has no operation ${name}`);
    return doc as never;
  };
  beforeAll(async () => {
    gw = await startTestGateway("pglite", { env: { SEED_DEMO: "auto" } });
  });
  afterAll(() => gw?.stop());

  it("alerts WARNING at a 5.00 subsidy and refuses 20.00 as BLOCKED, nothing saved", async () => {
    const db = gw.database.db;
    const first = async (role: "ADMIN" | "PROMOTER") => (await db.select().from(users).where(eq(users.role, role)).orderBy(asc(users.id)).limit(1))[0]!;
    const adminToken = await gw.token((await first("ADMIN")).id, "ADMIN");
    const promoterToken = await gw.token((await first("PROMOTER")).id, "PROMOTER");
    const [set] = await db.select().from(products).where(eq(products.title, "Imported skincare set (bonded)"));
    const product = toGlobalId("Product", set!.id);

    const alerts = collect<{ priceGuardAlerts: { level: string; offer: string; handPrice: { amount: string }; floor: { amount: string }; product: { title: string } } }>(
      gw.ws(adminToken),
      op("Alerts"),
      {},
    );
    await alertSubscribersReach(gw, 1);

    const shelved = (await gw.request(op("Shelve"), { product } as never, promoterToken)) as { data: any; errors?: unknown };
    expect(shelved.errors).toBeUndefined();
    expect(shelved.data.addToShelf.userErrors).toEqual([]);
    expect(shelved.data.addToShelf.shelf.map((i: { product: { title: string } }) => i.product.title)).toContain("Imported skincare set (bonded)");

    const started = (await gw.request(op("Start"), undefined, promoterToken)) as { data: any };
    expect(started.data.startLiveSession.userErrors).toEqual([]);
    const session = started.data.startLiveSession.liveSession.id as string;

    const warned = (await gw.request(op("Pin"), { session, product } as never, promoterToken)) as { data: any; errors?: unknown };
    expect(warned.errors).toBeUndefined();
    expect(warned.data.pinToCart).toEqual({ cartItem: { subsidy: { amount: "5.00" } }, userErrors: [] });
    await alerts.until(() => alerts.messages.length >= 1);
    expect(alerts.messages[0]!.data!.priceGuardAlerts).toMatchObject({
      level: "WARNING",
      offer: "CART_SUBSIDY",
      handPrice: { amount: "291.10" },
      floor: { amount: "280.00" },
      product: { title: "Imported skincare set (bonded)" },
    });

    const blocked = (await gw.request(op("Pin"), { session, product, subsidy: "20.00" } as never, promoterToken)) as { data: any };
    expect(blocked.data.pinToCart.cartItem).toBeNull();
    expect(blocked.data.pinToCart.userErrors.map((e: { code: string }) => e.code)).toEqual(["PRICE_GUARD"]);
    await alerts.until(() => alerts.messages.length >= 2);
    expect(alerts.messages[1]!.data!.priceGuardAlerts).toMatchObject({ level: "BLOCKED", handPrice: { amount: "276.10" } });
    const pinned = await db.select().from(cartItems).where(eq(cartItems.productId, set!.id));
    expect(pinned.map((c) => c.subsidyFen)).toEqual([500]);

    const violations = (await gw.request(op("Violations"), undefined, adminToken)) as { data: any; errors?: unknown };
    expect(violations.errors).toBeUndefined();
    expect(violations.data.priceGuardViolations.edges).toEqual([]);
    alerts.dispose();
  });
});

import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db, DbOrTx } from "../db/client.js";
import {
  agreedPrices,
  commissionPlanPromoters,
  commissionPlans,
  distributionApplications,
  orders,
  products,
  promoterProfiles,
  sampleRequests,
  shelfItems,
  shopRatings,
  shops,
  users,
} from "../db/schema/index.js";
import { eligibilityFacts, evaluateEligibility, nextChinaMidnight } from "../modules/alliance/index.js";
import type { Logger } from "../shared/logger.js";
import { DEMO_CROWD_PREFIX, DEMO_CROWD_SIZE } from "./demo-crowd.js";
import { seedDemoLive } from "./demo-live.js";
import { seedDemoMoney } from "./demo-money.js";
import { seedDemoAfterSales } from "./demo-after-sales.js";
import { DAY_MS } from "../shared/clock.js";

/**
 * Demo data for the embedded default, drawn from the seeds: shops of the jade belts (Sihui, Ruili) and the
 * clothing belts (Hangzhou, Changshu), a cross-border shop with its bonded warehouse, a promoter, a buyer.
 * The jade and clothing shops are approved for distribution (on their real orders and ratings) and have
 * commission plans; the promoter is onboarded and has a shelf. Runs only on an empty database.
 */
export async function seedDemo(db: Db, log: Logger, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const existing = await tx.select({ id: users.id }).from(users).limit(1);
    if (existing.length > 0) return false;

    const people = await tx
      .insert(users)
      .values([
        { name: "Platform Admin", role: "ADMIN" },
        { name: "Ops Analyst", role: "ANALYST" },
        { name: "Lao Tie (buyer)", role: "BUYER" },
        { name: "Sihui Jade Workshop (merchant)", role: "MERCHANT" },
        { name: "Hangzhou Sijiqing Apparel (merchant)", role: "MERCHANT" },
        { name: "Global Bonded Goods (merchant)", role: "MERCHANT" },
        { name: "Xu Fangtao (promoter)", role: "PROMOTER" },
      ])
      .returning();
    const by = (name: string) => people.find((p) => p.name.startsWith(name))!.id;

    const [jade, apparel, bonded, promoterShop] = await tx
      .insert(shops)
      .values([
        { ownerId: by("Sihui"), name: "四会玉石源头工厂", industryBelt: "JADE_SIHUI", creditScore: 96 },
        { ownerId: by("Hangzhou"), name: "杭州四季青女装", industryBelt: "CLOTHING_HANGZHOU", creditScore: 92 },
        { ownerId: by("Global"), name: "全球购保税店", kind: "CROSS_BORDER", bondedWarehouse: "Ningbo Meishan Bonded Port", creditScore: 90 },
        { ownerId: by("Xu"), name: "徐方滔玉雕小店", industryBelt: "JADE_ZHENPING", creditScore: 88 },
      ])
      .returning();

    const item = (shopId: number, title: string, category: string, yuan: number, stock: number, belt: string, extra = {}) => ({
      shopId,
      title,
      category,
      priceFen: Math.round(yuan * 100),
      stock,
      originBelt: belt as "OTHER",
      description: `${title} — demo product`,
      ...extra,
    });
    const catalog = await tx.insert(products).values([
      item(jade!.id, "Sihui jadeite bangle, ice type", "jade/bangle", 1288, 40, "JADE_SIHUI"),
      item(jade!.id, "Hetian jade pendant, carved lotus", "jade/pendant", 399, 120, "JADE_SIHUI"),
      item(jade!.id, "Ruili jadeite bead bracelet", "jade/bracelet", 259, 300, "JADE_RUILI"),
      item(jade!.id, "Xiuyan jade tea tray", "jade/homeware", 688, 25, "JADE_XIUYAN"),
      item(jade!.id, "Zhenping jade carving, small", "jade/carving", 199, 10000, "JADE_ZHENPING"),
      item(apparel!.id, "Double-faced wool coat", "clothing/coat", 599, 500, "CLOTHING_HANGZHOU"),
      item(apparel!.id, "Silk shirt, Hangzhou silk", "clothing/shirt", 239, 800, "CLOTHING_HANGZHOU"),
      item(apparel!.id, "Changshu down jacket", "clothing/jacket", 459, 650, "CLOTHING_CHANGSHU"),
      item(apparel!.id, "Tong'erbao leather jacket", "clothing/jacket", 1299, 60, "CLOTHING_TONGERBAO"),
      item(bonded!.id, "Imported skincare set (bonded)", "beauty/skincare", 329, 2000, "OTHER", {
        crossBorder: true,
        bondedWarehouse: "Ningbo Meishan Bonded Port",
      }),
      item(bonded!.id, "Imported infant formula, 800 g (bonded)", "baby/formula", 268, 3000, "OTHER", {
        crossBorder: true,
        bondedWarehouse: "Ningbo Meishan Bonded Port",
      }),
      item(promoterShop!.id, "Hand-carved jade pendant by Xu", "jade/pendant", 520, 80, "JADE_ZHENPING"),
    ]).returning();
    const product = (title: string) => catalog.find((p) => p.title.startsWith(title))!;
    await seedAlliance(tx, {
      admin: by("Platform Admin"),
      buyer: by("Lao Tie"),
      promoter: by("Xu"),
      merchants: [by("Sihui"), by("Hangzhou"), by("Global")],
      // The bonded shop is in the alliance too: the README's price-guard walkthrough pins its skincare set.
      approvedShops: [jade!.id, apparel!.id, bonded!.id],
      catalog,
      product,
      now,
    });
    await seedDemoLive(tx, now);
    await seedDemoMoney(tx, now);
    await seedDemoAfterSales(tx, now);
    // Price guard (R12): the bonded skincare set (list 329.00) carries an agreed hand price of 280.00. Pinned with a
    // 5.00 subsidy a buyer reaches 291.10 (WARNING, within 5%); with 20.00, 276.10 (BLOCKED). See the README.
    const skincare = product("Imported skincare");
    await tx.insert(agreedPrices).values({ productId: skincare.id, agreedPriceFen: 28_000, unitsPerOrder: 1, gifts: ["travel-size toner"], filedBy: by("Global"), filedAt: now });
    // The crowd that `npm run demo:crowd` sends at the demo's flash sale (last, so the named demo users keep ids 1…).
    await tx.insert(users).values(Array.from({ length: DEMO_CROWD_SIZE }, (_, i) => ({ name: `${DEMO_CROWD_PREFIX}${String(i + 1).padStart(3, "0")}`, role: "BUYER" as const })));
    log.info("seeded demo data", { users: people.length, crowd: DEMO_CROWD_SIZE, shops: 4, products: catalog.length, agreedPrices: 1 });
    return true;
  });
}


/** Sales and ratings that really pass the eligibility check, approved applications, plans, a shelf and a sample request. */
async function seedAlliance(
  tx: DbOrTx,
  d: {
    admin: number;
    buyer: number;
    promoter: number;
    merchants: number[];
    approvedShops: number[];
    catalog: (typeof products.$inferSelect)[];
    product: (title: string) => typeof products.$inferSelect;
    now: Date;
  },
) {
  const now = d.now;
  const daysAgo = (n: number) => new Date(now.getTime() - n * DAY_MS);
  for (const [i, shopId] of d.approvedShops.entries()) {
    const sold = d.catalog.filter((p) => p.shopId === shopId).slice(0, 3);
    const placed = await tx
      .insert(orders)
      .values(
        sold.map((p, n) => ({
          buyerId: d.buyer,
          shopId,
          productId: p.id,
          quantity: n + 1,
          unitPriceFen: p.priceFen,
          totalFen: p.priceFen * (n + 1),
          handPriceFen: p.priceFen,
          status: "RECEIVED" as const,
          idempotencyKey: randomUUID(),
          createdAt: daysAgo(3 + n),
          receivedAt: daysAgo(1 + n),
        })),
      )
      .returning();
    await tx.insert(shopRatings).values(
      placed.map((o, n) => ({ shopId, orderId: o.id, descriptionScore: 5, serviceScore: 5, logisticsScore: n === 2 ? 4 : 5, createdAt: o.receivedAt! })),
    );
    const checks = evaluateEligibility((await eligibilityFacts(tx, shopId, daysAgo(0.5)))!);
    await tx.insert(distributionApplications).values({
      shopId,
      applicantId: d.merchants[i]!,
      status: "APPROVED",
      checks,
      submittedAt: daysAgo(0.5),
      reviewerId: d.admin,
      reviewedAt: daysAgo(0.4),
      reviewNote: "Demo: approved on review.",
      updatedAt: daysAgo(0.4),
    });
  }

  const general = await tx
    .insert(commissionPlans)
    .values(
      d.catalog
        .filter((p) => d.approvedShops.includes(p.shopId))
        .map((p, n) => ({ shopId: p.shopId, productId: p.id, kind: "GENERAL" as const, rateBps: 1_000 + 500 * (n % 4), createdAt: now, updatedAt: now })),
    )
    .returning();
  const carving = general.find((g) => g.productId === d.product("Zhenping").id)!;
  await tx
    .update(commissionPlans)
    .set({ pendingRateBps: carving.rateBps - 500, pendingEffectiveAt: nextChinaMidnight(now) })
    .where(eq(commissionPlans.id, carving.id));
  const targeted = await tx
    .insert(commissionPlans)
    .values([
      { shopId: d.approvedShops[1]!, kind: "SHOP_TARGETED" as const, rateBps: 2_500, createdAt: now, updatedAt: now },
      { shopId: d.approvedShops[0]!, productId: d.product("Sihui").id, kind: "PRODUCT_TARGETED" as const, rateBps: 3_500, createdAt: now, updatedAt: now },
    ])
    .returning();
  await tx.insert(commissionPlanPromoters).values(targeted.map((t) => ({ planId: t.id, promoterId: d.promoter })));

  await tx.insert(promoterProfiles).values({
    userId: d.promoter,
    promotionPid: "ks_pid_xufangtao",
    pidBoundAt: now,
    payoutChannel: "ALIPAY",
    payoutAccountName: "Xu Fangtao",
    payoutAccountTail: "8866",
    payoutSignedAt: now,
    updatedAt: now,
  });
  const shelf = ["Sihui", "Double-faced", "Ruili", "Changshu", "Zhenping", "Hetian"].map((t) => d.product(t));
  await tx.insert(shelfItems).values(shelf.map((p, n) => ({ promoterId: d.promoter, productId: p.id, position: n + 1, addedAt: now })));
  await tx.insert(sampleRequests).values({
    promoterId: d.promoter,
    productId: shelf[0]!.id,
    shopId: shelf[0]!.shopId,
    note: "For Friday's jade live session.",
    requestedAt: now,
  });
}

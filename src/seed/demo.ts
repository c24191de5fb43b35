import { sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { agreedPrices, products, shops, users } from "../db/schema/index.js";
import type { Logger } from "../shared/logger.js";

/**
 * Demo data for the embedded default, drawn from the seeds: shops of the jade belts (Sihui, Ruili) and the
 * clothing belts (Hangzhou, Changshu), a cross-border shop with its bonded warehouse, a promoter, a buyer.
 * Runs only on an empty database.
 */
export async function seedDemo(db: Db, log: Logger): Promise<boolean> {
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
    const goods = await tx.insert(products).values([
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
    // Price guard (R12): the bonded skincare set (list 329.00) carries an agreed hand price of 280.00. Pinned with a
    // 5.00 subsidy a buyer reaches 291.10 (WARNING, within 5%); with 20.00, 276.10 (BLOCKED). See the README.
    const skincare = goods.find((g) => g.title.startsWith("Imported skincare"))!;
    await tx.insert(agreedPrices).values({ productId: skincare.id, agreedPriceFen: 28_000, unitsPerOrder: 1, gifts: ["travel-size toner"], filedBy: by("Global"), filedAt: sql`now()` });
    log.info("seeded demo data", { users: people.length, shops: 4, products: goods.length, agreedPrices: 1 });
    return true;
  });
}

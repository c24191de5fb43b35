import { and, asc, desc, eq, gt, gte, lt, lte, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { idArray, perHandle } from "../../db/prepared.js";
import { products, shops, users, type ShopRow } from "../../db/schema/index.js";

// The loaders run these on every request.
const statementsFor = perHandle((db) => {
  const ids = sql`${sql.placeholder("ids")}::bigint[]`;
  return {
    shops: db.select().from(shops).where(sql`${shops.id} = any(${ids})`).prepare("shops_by_ids"),
    products: db.select().from(products).where(sql`${products.id} = any(${ids})`).prepare("products_by_ids"),
  };
});

export function shopsByIds(db: DbOrTx, ids: readonly number[]): Promise<ShopRow[]> {
  return statementsFor(db).shops.execute({ ids: idArray(ids) });
}

export function productsByIds(db: DbOrTx, ids: readonly number[]) {
  return statementsFor(db).products.execute({ ids: idArray(ids) });
}

export async function productById(db: DbOrTx, id: number, forUpdate = false) {
  const query = db.select().from(products).where(eq(products.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  return row ?? null;
}

export async function shopById(db: DbOrTx, id: number) {
  const [row] = await db.select().from(shops).where(eq(shops.id, id));
  return row ?? null;
}

export interface ProductListQuery {
  shopId?: number;
  category?: string;
  industryBelt?: string;
  crossBorder?: boolean;
  minPriceFen?: number;
  maxPriceFen?: number;
  sort: "ID" | "PRICE" | "STOCK" | "TITLE";
  descending: boolean;
  after?: { value: string | number; id: number } | null;
  limit: number;
}

const SORT_COLUMNS = { ID: products.id, PRICE: products.priceFen, STOCK: products.stock, TITLE: products.title } as const;

/** Keyset page: (sort value, id) strictly after the cursor; one more row than asked tells if a next page exists. */
export async function listProducts(db: DbOrTx, q: ProductListQuery) {
  const column = SORT_COLUMNS[q.sort];
  const conditions: SQL[] = [];
  if (q.shopId !== undefined) conditions.push(eq(products.shopId, q.shopId));
  if (q.category !== undefined) conditions.push(eq(products.category, q.category));
  if (q.industryBelt !== undefined) conditions.push(sql`${products.originBelt} = ${q.industryBelt}`);
  if (q.crossBorder !== undefined) conditions.push(eq(products.crossBorder, q.crossBorder));
  if (q.minPriceFen !== undefined) conditions.push(gte(products.priceFen, q.minPriceFen));
  if (q.maxPriceFen !== undefined) conditions.push(lte(products.priceFen, q.maxPriceFen));
  if (q.after) {
    const beyond = q.descending ? lt : gt;
    if (q.sort === "ID") conditions.push(beyond(products.id, q.after.id));
    else {
      conditions.push(
        or(beyond(column, q.after.value as never), and(eq(column, q.after.value as never), beyond(products.id, q.after.id)))!,
      );
    }
  }
  const direction = q.descending ? desc : asc;
  const rows = await db
    .select()
    .from(products)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(...(q.sort === "ID" ? [direction(products.id)] : [direction(column), direction(products.id)]))
    .limit(q.limit + 1);
  return { nodes: rows.slice(0, q.limit), hasNextPage: rows.length > q.limit };
}

export async function insertProduct(db: DbOrTx, values: typeof products.$inferInsert) {
  const [row] = await db.insert(products).values(values).returning();
  return row!;
}

export async function updateProductRow(db: DbOrTx, id: number, changes: Partial<typeof products.$inferInsert>, at: Date) {
  const [row] = await db
    .update(products)
    .set({ ...changes, version: sql`${products.version} + 1`, updatedAt: at })
    .where(eq(products.id, id))
    .returning();
  return row!;
}

/** Takes units out of a product's stock in the caller's transaction (a flash sale's allocation, a cart order); null when there are not enough. */
export async function takeStock(db: DbOrTx, productId: number, units: number) {
  const [row] = await db
    .update(products)
    .set({ stock: sql`${products.stock} - ${units}`, version: sql`${products.version} + 1` })
    .where(and(eq(products.id, productId), sql`${products.stock} >= ${units}`))
    .returning({ stock: products.stock });
  return row ?? null;
}

/** Gives units back to a product's stock in the caller's transaction (an ended sale's unsold units). */
export async function returnStock(db: DbOrTx, productId: number, units: number) {
  if (units <= 0) return;
  await db
    .update(products)
    .set({ stock: sql`${products.stock} + ${units}`, version: sql`${products.version} + 1` })
    .where(eq(products.id, productId));
}

/** Locks the shop row (NO KEY: orders referencing it are not held up). */
export async function lockShop(db: DbOrTx, shopId: number) {
  const [row] = await db.select().from(shops).where(eq(shops.id, shopId)).for("no key update");
  return row ?? null;
}

export async function setShopStatus(db: DbOrTx, shopId: number, status: "NORMAL" | "CART_DISABLED") {
  const [row] = await db.update(shops).set({ status }).where(eq(shops.id, shopId)).returning();
  return row!;
}

/** Governance (R17) keeps the score as the start value plus its credit entries; this is the value everything reads. */
export async function setCreditScore(db: DbOrTx, shopId: number, creditScore: number) {
  await db.update(shops).set({ creditScore }).where(eq(shops.id, shopId));
}

export async function setShopOwner(db: DbOrTx, shopId: number, ownerId: number) {
  const [row] = await db.update(shops).set({ ownerId }).where(eq(shops.id, shopId)).returning();
  return row ?? null;
}

export async function insertShop(db: DbOrTx, values: typeof shops.$inferInsert) {
  const [row] = await db.insert(shops).values(values).returning();
  return row!;
}

/** Shops of an owner that still count (not CLOSED or REJECTED), locking the owner's user row against a racing open. */
export async function liveShopCountForUpdate(db: DbOrTx, ownerId: number): Promise<number> {
  await db.select({ id: users.id }).from(users).where(eq(users.id, ownerId)).for("update");
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(shops)
    .where(and(eq(shops.ownerId, ownerId), notInArray(shops.status, ["CLOSED", "REJECTED"])));
  return row?.n ?? 0;
}

/** Decides a review: only a shop still UNDER_REVIEW changes (null otherwise). */
export async function decideShopReview(db: DbOrTx, shopId: number, values: { status: "NORMAL" | "REJECTED"; reviewerId: number; reviewedAt: Date; reviewNote: string | null }) {
  const [row] = await db
    .update(shops)
    .set(values)
    .where(and(eq(shops.id, shopId), eq(shops.status, "UNDER_REVIEW")))
    .returning();
  return row ?? null;
}

export function shopsPage(db: DbOrTx, filter: { status?: string; ownerId?: number; afterId?: number; limit: number }) {
  return db
    .select()
    .from(shops)
    .where(
      and(
        filter.status ? eq(shops.status, filter.status as ShopRow["status"]) : undefined,
        filter.ownerId !== undefined ? eq(shops.ownerId, filter.ownerId) : undefined,
        filter.afterId !== undefined ? gt(shops.id, filter.afterId) : undefined,
      ),
    )
    .orderBy(asc(shops.id))
    .limit(filter.limit + 1);
}

/** Ids of the shops a user owns (ownership checks of other modules go through the catalog's face). */
export async function shopIdsOwnedBy(db: DbOrTx, ownerId: number): Promise<number[]> {
  const rows = await db.select({ id: shops.id }).from(shops).where(eq(shops.ownerId, ownerId));
  return rows.map((r) => r.id);
}

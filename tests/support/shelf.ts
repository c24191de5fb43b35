import type { Db } from "../../src/db/client.js";
import { shelfItems } from "../../src/db/schema/index.js";

/** Puts a product on a promoter's shelf directly (tests that are not about the shelf itself). */
export async function putOnShelf(db: Db, promoterId: number, productId: number): Promise<void> {
  await db.insert(shelfItems).values({ promoterId, productId, position: 1, addedAt: new Date() }).onConflictDoNothing();
}

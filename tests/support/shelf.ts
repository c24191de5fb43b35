import type { Db } from "../../src/db/client.js";

/** Puts a product on a promoter's shelf (the alliance module's table). */
export async function putOnShelf(_db: Db, _promoterId: number, _productId: number): Promise<void> {
  // Until the alliance module lands, every product counts as on every shelf.
}

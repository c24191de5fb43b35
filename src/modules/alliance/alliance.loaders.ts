import DataLoader from "dataloader";
import type { DbOrTx } from "../../db/client.js";
import { byIdLoader } from "../../shared/loader.js";
import {
  applicationsByIds,
  latestApplicationsByShopIds,
  ownShopsByPromoterIds,
  planPromotersByPlanIds,
  plansByIds,
  plansByShopIds,
  profilesByUserIds,
  sampleRequestsByIds,
} from "./alliance.queries.js";

/** One row per key (or null) from a batch query keyed by `keyOf`. */
function oneByKey<R, K extends number>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K) {
  return new DataLoader<K, R | null>(async (keys) => {
    const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  }, { maxBatchSize: 500 });
}

/** Every row per key, in the batch query's order. */
function manyByKey<R, K extends number>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K) {
  return new DataLoader<K, R[]>(async (keys) => {
    const byKey = new Map<K, R[]>();
    for (const row of await fetch(keys)) {
      const list = byKey.get(keyOf(row)) ?? [];
      list.push(row);
      byKey.set(keyOf(row), list);
    }
    return keys.map((key) => byKey.get(key) ?? []);
  }, { maxBatchSize: 500 });
}

export function allianceLoaders(db: DbOrTx) {
  return {
    distributionApplicationById: byIdLoader((ids) => applicationsByIds(db, ids)),
    latestDistributionApplicationByShopId: oneByKey((ids: readonly number[]) => latestApplicationsByShopIds(db, ids), (r) => r.shopId),
    commissionPlanById: byIdLoader((ids) => plansByIds(db, ids)),
    commissionPlansByShopId: manyByKey((ids: readonly number[]) => plansByShopIds(db, ids), (r) => r.shopId),
    planPromotersByPlanId: manyByKey((ids: readonly number[]) => planPromotersByPlanIds(db, ids), (r) => r.planId),
    promoterProfileByUserId: oneByKey((ids: readonly number[]) => profilesByUserIds(db, ids), (r) => r.userId),
    ownShopByPromoterId: oneByKey((ids: readonly number[]) => ownShopsByPromoterIds(db, ids), (r) => r.promoterId),
    sampleRequestById: byIdLoader((ids) => sampleRequestsByIds(db, ids)),
  };
}

declare module "../../shared/context.js" {
  interface Loaders extends ReturnType<typeof allianceLoaders> {}
}

// SQL for the catalog's providers and price history (server/db/schema/catalog.ts).
import { and, desc, eq, isNull, or } from 'drizzle-orm';
import type { Db } from '../client';
import { catalogPriceHistory, catalogProviders, type CatalogProviderRow, type PriceHistoryRow } from '../schema/catalog';

export type CatalogRepository = ReturnType<typeof createCatalogRepository>;

export function createCatalogRepository(db: Db) {
  return {
    insertProvider(row: { id: string; ownerUserId: string | null; origin: string; nowMs: number }): CatalogProviderRow {
      return db
        .insert(catalogProviders)
        .values({ id: row.id, ownerUserId: row.ownerUserId, origin: row.origin, createdAtMs: row.nowMs })
        .returning()
        .get();
    },

    /** The configured provider (owner null) or the person's own one at `origin`. */
    findProvider(ownerUserId: string | null, origin: string): CatalogProviderRow | undefined {
      const owner = ownerUserId === null ? isNull(catalogProviders.ownerUserId) : eq(catalogProviders.ownerUserId, ownerUserId);
      return db
        .select()
        .from(catalogProviders)
        .where(and(owner, eq(catalogProviders.origin, origin)))
        .get();
    },

    allProviders(): CatalogProviderRow[] {
      return db.select().from(catalogProviders).all();
    },

    /** Configured providers and the person's own, configured first. */
    providersVisibleTo(userId: string): CatalogProviderRow[] {
      return db
        .select()
        .from(catalogProviders)
        .where(or(isNull(catalogProviders.ownerUserId), eq(catalogProviders.ownerUserId, userId)))
        .orderBy(catalogProviders.createdAtMs)
        .all()
        .sort((a, b) => Number(a.ownerUserId !== null) - Number(b.ownerUserId !== null));
    },

    recordLoad(providerId: string, load: { name: string | null; servicesJson: string; refusedJson: string; nowMs: number }): void {
      db.update(catalogProviders)
        .set({ name: load.name, servicesJson: load.servicesJson, refusedJson: load.refusedJson, lastLoadedAtMs: load.nowMs, lastErrorJson: null })
        .where(eq(catalogProviders.id, providerId))
        .run();
    },

    recordFailure(providerId: string, failure: { errorJson: string; refusedJson?: string }): void {
      db.update(catalogProviders)
        .set({ lastErrorJson: failure.errorJson, ...(failure.refusedJson === undefined ? {} : { refusedJson: failure.refusedJson }) })
        .where(eq(catalogProviders.id, providerId))
        .run();
    },

    deleteOwnedProvider(ownerUserId: string, providerId: string): boolean {
      return (
        db
          .delete(catalogProviders)
          .where(and(eq(catalogProviders.id, providerId), eq(catalogProviders.ownerUserId, ownerUserId)))
          .run().changes === 1
      );
    },

    latestPrice(serviceId: string, origin: string): PriceHistoryRow | undefined {
      return db
        .select()
        .from(catalogPriceHistory)
        .where(and(eq(catalogPriceHistory.serviceId, serviceId), eq(catalogPriceHistory.origin, origin)))
        .orderBy(desc(catalogPriceHistory.observedAtMs), desc(catalogPriceHistory.id))
        .get();
    },

    insertPrice(row: { serviceId: string; origin: string; pricingJson: string; priceMsat: number | null; nowMs: number }): void {
      db.insert(catalogPriceHistory)
        .values({ serviceId: row.serviceId, origin: row.origin, pricingJson: row.pricingJson, priceMsat: row.priceMsat, observedAtMs: row.nowMs })
        .run();
    },

    priceHistory(serviceId: string, origin: string, limit: number): PriceHistoryRow[] {
      return db
        .select()
        .from(catalogPriceHistory)
        .where(and(eq(catalogPriceHistory.serviceId, serviceId), eq(catalogPriceHistory.origin, origin)))
        .orderBy(desc(catalogPriceHistory.observedAtMs), desc(catalogPriceHistory.id))
        .limit(limit)
        .all();
    },
  };
}

// The service catalog: providers whose `/.well-known/l402.json` the agent reads (configured ones for
// everybody, plus ones a person added by URL for themselves), the services last loaded from each, and
// the history of advertised prices. Per-user allow/block lives in governance settings (serviceRules),
// so the policy that refuses a payment and the catalog that hides a service read the same rule.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const catalogProviders = sqliteTable(
  'catalog_providers',
  {
    id: text('id').primaryKey(),
    // Null: a configured provider everybody sees; otherwise the person who added it.
    ownerUserId: text('owner_user_id'),
    origin: text('origin').notNull(),
    // Provider name(s) as the manifest gives them; null until first loaded.
    name: text('name'),
    // The services last loaded (CatalogService[] as JSON); kept when a refresh fails.
    servicesJson: text('services_json').notNull().default('[]'),
    lastLoadedAtMs: integer('last_loaded_at_ms'),
    // The last refresh's failure ({ reason, detail }), null when it succeeded.
    lastErrorJson: text('last_error_json'),
    // Services the last load refused ([{ name, reason, detail }], e.g. a path off the provider's origin).
    refusedJson: text('refused_json').notNull().default('[]'),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [uniqueIndex('catalog_providers_owner_origin').on(t.ownerUserId, t.origin)],
);

export const catalogPriceHistory = sqliteTable(
  'catalog_price_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serviceId: text('service_id').notNull(),
    origin: text('origin').notNull(),
    // The pricing as advertised ({ model, ... }), JSON; a row is added only when it changes.
    pricingJson: text('pricing_json').notNull(),
    // The fixed price, or a formula's base; null for dynamic prices.
    priceMsat: integer('price_msat'),
    observedAtMs: integer('observed_at_ms').notNull(),
  },
  (t) => [index('catalog_price_history_service').on(t.serviceId, t.origin, t.observedAtMs)],
);

export type CatalogProviderRow = typeof catalogProviders.$inferSelect;
export type PriceHistoryRow = typeof catalogPriceHistory.$inferSelect;

/**
 * The service catalog: providers' manifests loaded through the catalog source port, refreshed on a
 * timer, with the history of advertised prices and each person's allow/block rule per service.
 *
 * Configured providers (the sandbox market by default) are visible to everybody; a provider added by
 * URL in settings is visible to the person who added it, and is only kept when its manifest loads
 * (the port's guard decides which addresses may be reached). A service id that a configured provider
 * already uses cannot be claimed by an added one, so nobody can shadow the market's services.
 *
 * Allow/block is stored as governance service rules (`always_allow` / `block`): the policy that
 * refuses a payment and the catalog that hides a service from planning read the same rule.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CatalogService } from '../../../shared/catalog';
import type { GovernanceSettings, ServiceRuleKind } from '../../../shared/governance';
import { createPeriodicJob, type Leases } from '../../domain/background';
import type { Governance } from '../../domain/governance';
import type { CatalogSourcePort, CatalogSourceRefusal } from '../../domain/ports/catalog-source';
import { manifestToCatalog, resolvesToOrigin, SKIP_REASONS, type SkippedService } from './manifest-to-catalog';

/** The catalog's rows as the store keeps them (server/db/repositories/catalog-repository.ts). */
export interface ProviderRecord {
  id: string;
  ownerUserId: string | null;
  origin: string;
  name: string | null;
  servicesJson: string;
  lastLoadedAtMs: number | null;
  lastErrorJson: string | null;
  /** Services the last load refused (RefusedService[] as JSON). */
  refusedJson: string;
  createdAtMs: number;
}
export interface PriceRecord {
  serviceId: string;
  origin: string;
  pricingJson: string;
  priceMsat: number | null;
  observedAtMs: number;
}
export interface CatalogStore {
  insertProvider(row: { id: string; ownerUserId: string | null; origin: string; nowMs: number }): ProviderRecord;
  findProvider(ownerUserId: string | null, origin: string): ProviderRecord | undefined;
  allProviders(): ProviderRecord[];
  providersVisibleTo(userId: string): ProviderRecord[];
  recordLoad(providerId: string, load: { name: string | null; servicesJson: string; refusedJson: string; nowMs: number }): void;
  /** `refusedJson`: set when the load got as far as judging the services (e.g. every one was refused). */
  recordFailure(providerId: string, failure: { errorJson: string; refusedJson?: string }): void;
  deleteOwnedProvider(ownerUserId: string, providerId: string): boolean;
  latestPrice(serviceId: string, origin: string): PriceRecord | undefined;
  insertPrice(row: { serviceId: string; origin: string; pricingJson: string; priceMsat: number | null; nowMs: number }): void;
  priceHistory(serviceId: string, origin: string, limit: number): PriceRecord[];
}

export interface CatalogServiceDeps {
  source: CatalogSourcePort;
  store: CatalogStore;
  governance: Pick<Governance, 'settingsFor'>;
  /** Provider URLs everybody sees (the sandbox market's URL in sandbox mode). */
  configuredProviderUrls: readonly string[];
  /** Runs after a refresh loaded a provider (the quote service warms its fixed prices); awaited. */
  onRefreshed?: () => Promise<void>;
  /** This instance's leases: the periodic refresh runs on one instance at a time (the catalog is stored). */
  leases: Pick<Leases, 'withLease'>;
  now?: () => number;
}

export type CatalogLoadRefusal = CatalogSourceRefusal | 'invalid_manifest' | 'no_services';
/** A service of a provider's manifest that the catalog refused, with its named reason (shown on the Services page). */
export type RefusedService = SkippedService;
export type ServicePreference = 'allow' | 'block' | null;

export interface CatalogEntryView extends CatalogService {
  preference: ServicePreference;
  /** The person added this service's provider (as opposed to a configured one). */
  ownProvider: boolean;
}
export interface ProviderView {
  id: string;
  origin: string;
  name: string | null;
  own: boolean;
  serviceCount: number;
  lastLoadedAtMs: number | null;
  lastError: { reason: string; detail: string } | null;
  /** Services of its manifest that were refused at the last load, each with a named reason. */
  refused: RefusedService[];
}

export type AddProviderResult =
  | { ok: true; provider: ProviderView }
  | { ok: false; reason: CatalogLoadRefusal | 'provider_exists'; detail: string };

const PREFERENCE_TO_RULE: Record<'allow' | 'block', ServiceRuleKind> = { allow: 'always_allow', block: 'block' };

export function createCatalogService(deps: CatalogServiceDeps) {
  const now = deps.now ?? Date.now;

  /** Makes sure every configured provider has a row; call once at start-up. */
  function ensureConfigured(): void {
    for (const url of deps.configuredProviderUrls) {
      const origin = new URL(url).origin;
      if (!deps.store.findProvider(null, origin)) deps.store.insertProvider({ id: randomUUID(), ownerUserId: null, origin, nowMs: now() });
    }
  }

  type Loaded =
    | { ok: true; services: CatalogService[]; refused: RefusedService[]; name: string | null }
    | { ok: false; reason: CatalogLoadRefusal; detail: string; refused?: RefusedService[] };

  async function load(origin: string): Promise<Loaded> {
    const document = await deps.source.readManifest(origin);
    if (!document.ok) return document;
    const mapped = manifestToCatalog(document.manifest, document.origin);
    if (!mapped.ok) return { ok: false, reason: mapped.reason === 'invalid_origin' ? 'invalid_url' : 'invalid_manifest', detail: mapped.detail };
    if (mapped.services.length === 0) {
      const why = mapped.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
      return { ok: false, reason: 'no_services', detail: `the manifest lists no usable service${why ? ` (${why})` : ''}`, refused: mapped.skipped };
    }
    const names = [...new Set(mapped.services.map((s) => s.providerName))];
    return { ok: true, services: mapped.services, refused: mapped.skipped, name: names.join(', ') };
  }

  /** A price row when the advertised pricing differs from the last one recorded (or none was). */
  function recordPrices(services: readonly CatalogService[], nowMs: number): void {
    for (const service of services) {
      const pricingJson = JSON.stringify(service.pricing);
      if (deps.store.latestPrice(service.id, service.origin)?.pricingJson === pricingJson) continue;
      const priceMsat = service.pricing.model === 'fixed' ? service.pricing.priceMsat : service.pricing.model === 'formula' ? service.pricing.baseMsat : null;
      deps.store.insertPrice({ serviceId: service.id, origin: service.origin, pricingJson, priceMsat, nowMs });
    }
  }

  async function refreshProvider(provider: ProviderRecord): Promise<Loaded> {
    const loaded = await load(provider.origin);
    if (!loaded.ok) {
      // The services loaded last time stay usable; the failure is shown beside the provider.
      const errorJson = JSON.stringify({ reason: loaded.reason, detail: loaded.detail });
      deps.store.recordFailure(provider.id, { errorJson, ...(loaded.refused ? { refusedJson: JSON.stringify(loaded.refused) } : {}) });
      return loaded;
    }
    const services = provider.ownerUserId === null ? loaded.services : withoutConfiguredIds(loaded.services);
    const nowMs = now();
    deps.store.recordLoad(provider.id, { name: loaded.name, servicesJson: JSON.stringify(services), refusedJson: JSON.stringify(loaded.refused), nowMs });
    recordPrices(services, nowMs);
    return loaded;
  }

  function configuredIds(): Set<string> {
    return new Set(deps.store.allProviders().filter((p) => p.ownerUserId === null).flatMap((p) => servicesOf(p).map((s) => s.id)));
  }

  function withoutConfiguredIds(services: CatalogService[]): CatalogService[] {
    const taken = configuredIds();
    return services.filter((s) => !taken.has(s.id));
  }

  /** Reloads the given providers' manifests; one failing provider does not stop the others. */
  async function refreshProviders(providers: ReturnType<CatalogStore['allProviders']>): Promise<{ loaded: number; failed: number }> {
    let loaded = 0;
    let failed = 0;
    for (const provider of providers) {
      const result = await refreshProvider(provider);
      if (result.ok) loaded++;
      else failed++;
    }
    if (loaded > 0) await deps.onRefreshed?.();
    return { loaded, failed };
  }

  /** The operator's providers: what everybody's catalog needs before the server takes requests. */
  function refreshConfigured() {
    ensureConfigured();
    return refreshProviders(deps.store.allProviders().filter((p) => p.ownerUserId === null));
  }

  /**
   * Providers people added. Kept apart so start-up never waits on them: anyone can add a slow one.
   * Run after refreshConfigured, so an added provider's ids are checked against fresh configured ones.
   */
  function refreshAdded() {
    return refreshProviders(deps.store.allProviders().filter((p) => p.ownerUserId !== null));
  }

  async function refreshAll(): Promise<{ loaded: number; failed: number }> {
    const configured = await refreshConfigured();
    const added = await refreshAdded();
    return { loaded: configured.loaded + added.loaded, failed: configured.failed + added.failed };
  }

  function preferencesOf(userId: string): Map<string, ServicePreference> {
    const rules = deps.governance.settingsFor(userId).serviceRules;
    return new Map(rules.map((r) => [r.serviceId, r.rule === 'block' ? 'block' : r.rule === 'always_allow' ? 'allow' : null]));
  }

  /** Every service the person can see, with their preference for it. */
  function entriesFor(userId: string): CatalogEntryView[] {
    const preferences = preferencesOf(userId);
    const seen = new Set<string>();
    const entries: CatalogEntryView[] = [];
    for (const provider of deps.store.providersVisibleTo(userId)) {
      for (const service of servicesOf(provider)) {
        if (seen.has(service.id)) continue;
        seen.add(service.id);
        entries.push({ ...service, preference: preferences.get(service.id) ?? null, ownProvider: provider.ownerUserId !== null });
      }
    }
    return entries;
  }

  return {
    ensureConfigured,
    refreshAll,
    refreshConfigured,
    refreshAdded,

    /** Every loaded service of every provider, each id once (configured providers first). */
    allServices(): CatalogService[] {
      const providers = deps.store.allProviders().sort((a, b) => Number(a.ownerUserId !== null) - Number(b.ownerUserId !== null));
      const byId = new Map<string, CatalogService>();
      for (const service of providers.flatMap(servicesOf)) if (!byId.has(service.id)) byId.set(service.id, service);
      return [...byId.values()];
    },

    /** What the planner may choose from for this person: everything visible except what they blocked. */
    servicesFor(userId: string): CatalogService[] {
      return entriesFor(userId)
        .filter((e) => e.preference !== 'block')
        .map(({ preference: _preference, ownProvider: _own, ...service }) => service);
    },

    /** Whether a provider the operator configured (not one a person added) publishes this service at this origin. */
    listedByOperator(serviceId: string, origin: string): boolean {
      return deps.store
        .allProviders()
        .some((p) => p.ownerUserId === null && servicesOf(p).some((s) => s.id === serviceId && s.origin === origin));
    },

    /** One service by id, as this person sees it (blocked ones included: a running task may name one). */
    serviceFor(userId: string, serviceId: string): CatalogService | undefined {
      const entry = entriesFor(userId).find((e) => e.id === serviceId);
      if (!entry) return undefined;
      const { preference: _preference, ownProvider: _own, ...service } = entry;
      return service;
    },

    entriesFor,

    /**
     * Provider id -> name as the manifests give them: the providers this person sees (null: the
     * configured ones only, for operators' views). Configured providers come first and win, so a
     * provider someone added cannot rename one of the operator's.
     */
    providerNames(viewer: string | null): Map<string, string> {
      const providers = viewer === null ? deps.store.allProviders().filter((p) => p.ownerUserId === null) : deps.store.providersVisibleTo(viewer);
      const names = new Map<string, string>();
      for (const service of providers.flatMap(servicesOf)) if (!names.has(service.providerId)) names.set(service.providerId, service.providerName);
      return names;
    },

    providersFor(userId: string): ProviderView[] {
      return deps.store.providersVisibleTo(userId).map((p) => toProviderView(p, userId));
    },

    /** Adds a provider for this person after its manifest loaded and mapped to at least one service. */
    async addProvider(userId: string, url: string): Promise<AddProviderResult> {
      let origin: string;
      try {
        origin = new URL(url.trim()).origin;
      } catch {
        return { ok: false, reason: 'invalid_url', detail: 'not a URL' };
      }
      if (deps.store.findProvider(null, origin) || deps.store.findProvider(userId, origin)) {
        return { ok: false, reason: 'provider_exists', detail: 'that provider is already in your catalog' };
      }
      const loaded = await load(url);
      if (!loaded.ok) return { ok: false, reason: loaded.reason, detail: loaded.detail };
      const services = withoutConfiguredIds(loaded.services);
      if (services.length === 0) return { ok: false, reason: 'no_services', detail: 'every service of that manifest is already in the catalog' };
      const row = deps.store.insertProvider({ id: randomUUID(), ownerUserId: userId, origin, nowMs: now() });
      const nowMs = now();
      deps.store.recordLoad(row.id, { name: loaded.name, servicesJson: JSON.stringify(services), refusedJson: JSON.stringify(loaded.refused), nowMs });
      recordPrices(services, nowMs);
      const saved = deps.store.findProvider(userId, origin);
      if (!saved) throw new Error('the provider just added is gone');
      return { ok: true, provider: toProviderView(saved, userId) };
    },

    removeProvider(userId: string, providerId: string): boolean {
      return deps.store.deleteOwnedProvider(userId, providerId);
    },

    /**
     * The person's settings with their allow/block rule for a service set (or cleared, with null).
     * Only computed here: saving goes through the settings-change service, which asks for a fresh
     * proof when the rule loosens the guard (e.g. unblocking, or always allowing).
     */
    withPreference(
      userId: string,
      serviceId: string,
      preference: ServicePreference,
    ): { ok: true; settings: GovernanceSettings } | { ok: false; reason: 'service_not_found' } {
      if (!entriesFor(userId).some((e) => e.id === serviceId)) return { ok: false, reason: 'service_not_found' };
      const settings = deps.governance.settingsFor(userId);
      const existing = settings.serviceRules.find((r) => r.serviceId === serviceId);
      const rule = preference === null ? null : PREFERENCE_TO_RULE[preference];
      const others = settings.serviceRules.filter((r) => r.serviceId !== serviceId);
      // Keep a monthly cap the person set for the service; drop the row only when nothing is left in it.
      const keep = rule !== null || (existing?.monthlyCap ?? null) !== null;
      const serviceRules = keep ? [...others, { serviceId, rule, monthlyCap: existing?.monthlyCap ?? null }] : others;
      return { ok: true, settings: { ...settings, serviceRules } };
    },

    /** Advertised prices of a service over time, newest first. */
    priceHistory(userId: string, serviceId: string, limit = 50): { observedAtMs: number; priceMsat: number | null; pricing: unknown }[] | null {
      const service = entriesFor(userId).find((e) => e.id === serviceId);
      if (!service) return null;
      return deps.store.priceHistory(serviceId, service.origin, limit).map((row) => ({
        observedAtMs: row.observedAtMs,
        priceMsat: row.priceMsat,
        pricing: JSON.parse(row.pricingJson) as unknown,
      }));
    },

    /**
     * Refreshes every `intervalMs`, starting one interval from now (start-up loads the catalog itself,
     * `refreshConfigured`); `stop()` waits for a refresh in progress. A refresh is one job for the whole
     * catalog: it takes the catalog's one lease and is skipped while another instance refreshes.
     */
    start(intervalMs: number, onError: (error: unknown) => void) {
      const refresh = createPeriodicJob(() => deps.leases.withLease('refresh_catalog', 'all', refreshAll), 'coalesce');
      return refresh.start(intervalMs, onError, { firstPass: 'after_interval' });
    },
  };
}

export type CatalogServiceApi = ReturnType<typeof createCatalogService>;

/**
 * The services last loaded. A service stored before off-origin paths were refused (and not reloaded
 * since, e.g. its provider is down) is left out here too: it would call, and pay, another server.
 */
function servicesOf(provider: ProviderRecord): CatalogService[] {
  return (JSON.parse(provider.servicesJson) as CatalogService[]).filter((s) => resolvesToOrigin(s.path, s.origin));
}

const refusedServicesSchema = z.array(z.object({ name: z.string(), reason: z.enum(SKIP_REASONS), detail: z.string() }));

/** Read through zod: a row written by an older version (or altered) shows no refusals rather than breaking the page. */
function refusedOf(provider: ProviderRecord): RefusedService[] {
  const parsed = refusedServicesSchema.safeParse(JSON.parse(provider.refusedJson));
  return parsed.success ? parsed.data : [];
}

function toProviderView(p: ProviderRecord, userId: string): ProviderView {
  return {
    id: p.id,
    origin: p.origin,
    name: p.name,
    own: p.ownerUserId === userId,
    serviceCount: servicesOf(p).length,
    lastLoadedAtMs: p.lastLoadedAtMs,
    lastError: p.lastErrorJson === null ? null : (JSON.parse(p.lastErrorJson) as { reason: string; detail: string }),
    refused: refusedOf(p),
  };
}

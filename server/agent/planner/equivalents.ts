/**
 * The better of two equivalent services (issue 12 item 8). Two services are equivalent when a step
 * could go to either and get the same kind of answer: they say they do the same thing (the same tags)
 * the same way (the same method, published input schema and published output schema). A service that
 * publishes no tags or no output schema is never called equivalent: nothing says what it does or
 * returns. Of each such group the planner sees only one: a service the person may use before one
 * they may not (a provider they blocked, a service paused for everyone), then the lowest 30-day
 * non-delivery rate, then the cheaper advertised price, then the lower id, so the choice is
 * deterministic and, without any record, the cheaper one. A service the person may not use is still
 * planned when nothing equivalent is usable: the quote then refuses it by name (`provider_blocked`,
 * `service_paused`) with a sentence saying why, rather than the plan pretending no service exists.
 */
import type { CatalogService } from '../../../shared/catalog';
import { reputationKey, type ServiceReputation, type StandingCheck } from '../../../shared/reputation';
import { canonicalJson, type JsonValue } from '../../domain/ledger/canonical-json';

/** What the planner knows of how services stand for the person it plans for. */
export interface PlannerStanding {
  /** The service's 30-day non-delivery rate at its origin, in basis points (0 without a record). */
  nonDeliveryBps(service: CatalogService): number;
  /** False for a provider the person blocked or a service paused for everyone: its usable equivalent goes first. */
  usable(service: CatalogService): boolean;
}

/** No records, everything usable: the catalog's own order and prices decide. */
export const NO_STANDING: PlannerStanding = { nonDeliveryBps: () => 0, usable: () => true };

/** Services with the same key are interchangeable; null when the service is not interchangeable with any. */
export function equivalenceKey(service: CatalogService): string | null {
  if (!service.outputSchema || service.tags.length === 0) return null;
  const tags = [...new Set(service.tags.map((t) => t.toLowerCase()))].sort();
  return canonicalJson({ tags, method: service.method, input: service.inputSchema, output: service.outputSchema } as JsonValue);
}

/** Negative when `a` is the better choice of two equivalent services. */
export function compareEquivalents(a: CatalogService, b: CatalogService, standing: PlannerStanding): number {
  const usable = Number(standing.usable(b)) - Number(standing.usable(a));
  if (usable !== 0) return usable;
  const rate = standing.nonDeliveryBps(a) - standing.nonDeliveryBps(b);
  if (rate !== 0) return rate;
  const price = (a.advertisedPriceMsat ?? Number.MAX_SAFE_INTEGER) - (b.advertisedPriceMsat ?? Number.MAX_SAFE_INTEGER);
  if (price !== 0) return price;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The catalog the planner ranks: the better of each equivalent group, the rest as they are, in the catalog's order. */
export function preferredCatalog(catalog: readonly CatalogService[], standing: PlannerStanding = NO_STANDING): CatalogService[] {
  const best = new Map<string, CatalogService>();
  for (const service of catalog) {
    const key = equivalenceKey(service);
    if (key === null) continue;
    const current = best.get(key);
    if (!current || compareEquivalents(service, current, standing) < 0) best.set(key, service);
  }
  return catalog.filter((service) => {
    const key = equivalenceKey(service);
    return key === null || best.get(key) === service;
  });
}

/** The person's standing from everyone's 30-day records and their own blocks and the pauses. */
export function standingFrom(records: readonly ServiceReputation[], userId: string, check: StandingCheck): PlannerStanding {
  const rates = new Map(records.map((r) => [reputationKey(r), r.nonDeliveryBps]));
  return {
    nonDeliveryBps: (service) => rates.get(reputationKey({ origin: service.origin, serviceId: service.id })) ?? 0,
    usable: (service) => check.refusalFor(userId, { providerId: service.providerId, serviceId: service.id }) === null,
  };
}

import { describe, expect, it } from 'vitest';
import { catalogSchema, type CatalogService } from '../../../shared/catalog';
import { planRequest } from './builtin-planner';
import { equivalenceKey, preferredCatalog, standingFrom, type PlannerStanding } from './equivalents';
import fixture from './fixtures/market-catalog.json';

// The sandbox market sells the same weather twice: SkyCast's (50 sats) and Nimbus's city-weather (60
// sats), with the same input and output schemas.
const catalog = catalogSchema.parse(fixture);
const NOW_MS = Date.UTC(2026, 4, 10, 12);
const serviceOf = (id: string) => catalog.find((s) => s.id === id) as CatalogService;
const planned = (standing?: PlannerStanding) => {
  const result = planRequest('weather in Lisbon tomorrow', catalog, { nowMs: NOW_MS, ...(standing ? { standing } : {}) });
  return result.kind === 'plan' ? result.plan.steps.map((s) => s.serviceId) : result.kind;
};
const records = (rates: Record<string, number>, origin?: string) =>
  Object.entries(rates).map(([serviceId, nonDeliveryBps]) => ({ serviceId, providerId: serviceId.split('/')[0] ?? '', origin: origin ?? serviceOf(serviceId).origin, paidCalls: 20, notDeliveredCalls: 0, nonDeliveryBps, disputesOpened: 0, refunds: 0, refundedMsat: 0 }) as never);
const nobodyBlocked = { refusalFor: () => null };

describe('equivalent services', () => {
  it('say they do the same (tags) the same way (method, input, output); anything else is not equivalent', () => {
    expect(equivalenceKey(serviceOf('skycast/weather'))).toBe(equivalenceKey(serviceOf('nimbus/city-weather')));
    expect(equivalenceKey(serviceOf('skycast/weather'))).not.toBe(equivalenceKey(serviceOf('daily-ledger/headlines')));
    const { outputSchema: _unpublished, ...unpublished } = serviceOf('nimbus/city-weather');
    expect(equivalenceKey(unpublished)).toBeNull();
    // Saying nothing of what it does: not known to do the same.
    expect(equivalenceKey({ ...serviceOf('nimbus/city-weather'), tags: [] })).toBeNull();
    expect(equivalenceKey({ ...serviceOf('nimbus/city-weather'), tags: ['weather', 'snow'] })).not.toBe(equivalenceKey(serviceOf('skycast/weather')));
  });

  it('without any record, the cheaper is planned and the other is not even ranked (no question which)', () => {
    expect(planned()).toEqual(['skycast/weather']);
    expect(preferredCatalog(catalog).map((s) => s.id)).not.toContain('nimbus/city-weather');
  });

  it('a worse 30-day non-delivery rate flips the choice to the equivalent service', () => {
    expect(planned(standingFrom(records({ 'skycast/weather': 1_500, 'nimbus/city-weather': 0 }), 'u1', nobodyBlocked))).toEqual(['nimbus/city-weather']);
    // Equal records: the price decides again.
    expect(planned(standingFrom(records({ 'skycast/weather': 500, 'nimbus/city-weather': 500 }), 'u1', nobodyBlocked))).toEqual(['skycast/weather']);
    // Another provider (added by URL) that took SkyCast's service id keeps a record of its own.
    expect(planned(standingFrom(records({ 'skycast/weather': 9_000 }, 'https://impostor.example'), 'u1', nobodyBlocked))).toEqual(['skycast/weather']);
  });

  it('a provider the person blocked (or a paused service) gives way to its equivalent; with none usable, the quote says why', () => {
    const blocksSkyCast = { refusalFor: (userId: string, s: { providerId: string }) => (userId === 'u1' && s.providerId === 'skycast' ? ('provider_blocked' as const) : null) };
    expect(planned(standingFrom([], 'u1', blocksSkyCast))).toEqual(['nimbus/city-weather']);
    expect(planned(standingFrom([], 'u2', blocksSkyCast))).toEqual(['skycast/weather']);
    const pausesBoth = { refusalFor: (_: string, s: { serviceId: string }) => (s.serviceId.includes('weather') ? ('service_paused' as const) : null) };
    // Both paused: still planned (the cheaper), so the quote refuses it by name instead of "no service does that".
    expect(planned(standingFrom([], 'u1', pausesBoth))).toEqual(['skycast/weather']);
    // Usable beats a better record.
    const worseButUsable = standingFrom(records({ 'skycast/weather': 0, 'nimbus/city-weather': 9_000 }), 'u1', blocksSkyCast);
    expect(planned(worseButUsable)).toEqual(['nimbus/city-weather']);
  });
});

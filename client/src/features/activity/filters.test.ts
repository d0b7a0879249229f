import { describe, expect, it } from 'vitest';
import { filtersFromParams, paramsFromFilters } from './filters';

describe('Activity filters in the address', () => {
  it('round-trips every filter', () => {
    const filters = { serviceId: 'joke', outcome: 'delivered' as const, month: '2026-12', search: 'lisbon' };
    expect(filtersFromParams(paramsFromFilters(filters))).toEqual(filters);
  });

  it('drops a bad value and keeps the others', () => {
    expect(filtersFromParams(new URLSearchParams('service=joke&month=2026-13&outcome=nonsense'))).toEqual({ serviceId: 'joke' });
  });
});

import { activityFiltersSchema, type ActivityFilters } from '../../../../shared/activity';

/**
 * The Activity filters live in the address (?service=&outcome=&month=&q=), so a filtered view
 * survives a reload and can be shared or bookmarked. Anything the shared schema refuses is dropped.
 */
export function filtersFromParams(params: URLSearchParams): ActivityFilters {
  const raw = {
    serviceId: params.get('service') || undefined,
    outcome: params.get('outcome') || undefined,
    month: params.get('month') || undefined,
    search: params.get('q') || undefined,
  };
  const parsed = activityFiltersSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // Keep the valid ones: one bad value (an old link) should not drop the others.
  const kept: ActivityFilters = {};
  for (const [key, value] of Object.entries(raw) as [keyof ActivityFilters, string | undefined][]) {
    const one = activityFiltersSchema.safeParse({ [key]: value });
    if (one.success) Object.assign(kept, one.data);
  }
  return kept;
}

export function paramsFromFilters(filters: ActivityFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.serviceId) params.set('service', filters.serviceId);
  if (filters.outcome) params.set('outcome', filters.outcome);
  if (filters.month) params.set('month', filters.month);
  if (filters.search) params.set('q', filters.search);
  return params;
}

export const hasFilters = (filters: ActivityFilters) => Boolean(filters.serviceId || filters.outcome || filters.month || filters.search);

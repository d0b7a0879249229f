import { Search } from 'lucide-react';
import { useEffect, useState } from 'react';
import { RECEIPT_OUTCOMES, type ActivityFilters as Filters } from '../../../../shared/activity';
import { OUTCOMES } from './outcomes';

/** Service, status, month and search; each change applies at once (the search after a short pause). */
export function ActivityFilters(props: { filters: Filters; services: readonly { serviceId: string; service: string }[]; onChange(filters: Filters): void }) {
  const { filters, onChange } = props;
  // Typed text is applied after a pause; it starts from the address, which it then keeps up to date.
  const [search, setSearch] = useState(filters.search ?? '');
  useEffect(() => {
    if ((filters.search ?? '') === search.trim()) return;
    const timer = setTimeout(() => onChange({ ...filters, search: search.trim() || undefined }), 300);
    return () => clearTimeout(timer);
  }, [search, filters, onChange]);

  return (
    <form className="activity-filters" role="search" aria-label="Filter payments" onSubmit={(e) => e.preventDefault()}>
      <label className="activity-filter">
        <span>Service</span>
        <select value={filters.serviceId ?? ''} onChange={(e) => onChange({ ...filters, serviceId: e.target.value || undefined })} data-testid="filter-service">
          <option value="">All services</option>
          {props.services.map((s) => (
            <option key={s.serviceId} value={s.serviceId}>
              {s.service}
            </option>
          ))}
        </select>
      </label>
      <label className="activity-filter">
        <span>Status</span>
        <select
          value={filters.outcome ?? ''}
          onChange={(e) => onChange({ ...filters, outcome: (e.target.value || undefined) as Filters['outcome'] })}
          data-testid="filter-status"
        >
          <option value="">Any status</option>
          {RECEIPT_OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {OUTCOMES[outcome].label}
            </option>
          ))}
        </select>
      </label>
      <label className="activity-filter">
        <span>Month</span>
        <input type="month" value={filters.month ?? ''} onChange={(e) => onChange({ ...filters, month: e.target.value || undefined })} data-testid="filter-month" />
      </label>
      <label className="activity-filter activity-search">
        <span>Search</span>
        <span className="activity-search-box">
          <Search size={16} aria-hidden />
          <input type="search" value={search} placeholder="What you asked, a service, a provider" maxLength={100} onChange={(e) => setSearch(e.target.value)} data-testid="filter-search" />
        </span>
      </label>
    </form>
  );
}

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Download } from 'lucide-react';
import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { ActivityFilters as Filters } from '../../../../shared/activity';
import { problemText } from '../../lib/api-error';
import { saveTextFile } from '../../lib/download';
import { useTRPC } from '../../lib/trpc';
import { ActivityFilters } from './ActivityFilters';
import { filtersFromParams, hasFilters, paramsFromFilters } from './filters';
import { ReceiptRow, type OpenPanel } from './ReceiptRow';
import './activity.css';

/** While a dispute is being decided or refunded, the list looks again this often, so the refund shows without a reload. */
const DISPUTE_REFRESH_MS = 3_000;

export function ActivityPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const setFilters = useCallback((next: Filters) => setParams(paramsFromFilters(next), { replace: true }), [setParams]);
  const services = useQuery(trpc.activity.services.queryOptions());
  const receipts = useQuery({
    ...trpc.activity.list.queryOptions(filters),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.some((r) => r.dispute && ['open', 'under_review', 'refunding'].includes(r.dispute.status)) ? DISPUTE_REFRESH_MS : false),
  });
  const [open, setOpen] = useState<OpenPanel>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  async function exportCsv() {
    setExportError(null);
    try {
      const { filename, csv } = await queryClient.fetchQuery({ ...trpc.activity.exportCsv.queryOptions(filters), staleTime: 0 });
      saveTextFile(filename, csv, 'text/csv;charset=utf-8');
    } catch (failure) {
      setExportError(problemText(failure));
    }
  }

  function disputed() {
    setOpen(null);
    void queryClient.invalidateQueries({ queryKey: trpc.activity.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.disputes.pathKey() });
  }

  const rows = receipts.data ?? [];
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Activity</h1>
        <p className="page-summary">Every payment the agent made, with its receipt, the evidence kept for it, and any dispute and refund.</p>
      </header>
      <div className="card section">
        <div className="activity-toolbar">
          <ActivityFilters filters={filters} services={services.data ?? []} onChange={setFilters} />
          <button type="button" className="button subtle" onClick={() => void exportCsv()} disabled={rows.length === 0} data-testid="activity-export">
            <Download size={16} aria-hidden /> Export CSV
          </button>
        </div>
        {exportError && (
          <p className="form-error" role="alert">
            {exportError}
          </p>
        )}
        {receipts.isPending && <p className="muted">Loading receipts…</p>}
        {receipts.isError && <p className="form-error">Receipts could not be loaded. Please try again.</p>}
        {receipts.data?.length === 0 && (
          <p className="muted" data-testid="activity-empty">
            {hasFilters(filters) ? 'No payment matches these filters.' : 'No payments yet. When the agent buys something for you, its receipt appears here.'}
          </p>
        )}
        {rows.length > 0 && (
          <table className="table activity-table" data-testid="activity-receipts">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Service</th>
                <th scope="col">Provider</th>
                <th scope="col" className="amount">Amount</th>
                <th scope="col" className="amount">Fee</th>
                <th scope="col">Status</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((receipt) => (
                <ReceiptRow key={receipt.id} receipt={receipt} open={open} onOpen={setOpen} onDisputed={disputed} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

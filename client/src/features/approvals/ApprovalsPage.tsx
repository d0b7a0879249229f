import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useRef } from 'react';
import { useSearchParams } from 'react-router';
import type { AppRouter } from '../../../../server/api/router';
import { formatCharge, formatSatsWhole } from '../../../../shared/money-display';
import '../../components/governance.css';
import { useTRPC } from '../../lib/trpc';
import { useRefocusWhenLost } from '../../lib/use-refocus';
import { ApprovalCard } from './ApprovalCard';
import { formatWhen } from '../../lib/format-time';
import { serviceList } from './service-list';

export type InboxItem = inferRouterOutputs<AppRouter>['approvals']['pending'][number];

const STATUS_LABEL = { pending: 'Waiting', approved: 'Approved', denied: 'Denied', expired: 'Expired', cancelled: 'Cancelled' } as const;

/** The Approvals inbox: what the agent wants to buy, for how much, and why it asks. */
export function ApprovalsPage() {
  const trpc = useTRPC();
  const pending = useQuery(trpc.approvals.pending.queryOptions());
  const recent = useQuery(trpc.approvals.recent.queryOptions({ limit: 20 }));
  const answered = recent.data?.filter((item) => item.approval.status !== 'pending') ?? [];
  // An agent's link (MCP URL elicitation, or its pending answer) names the approval it waits on.
  const [params] = useSearchParams();
  const linked = params.get('approval');
  // An answered card leaves the list with the button that had focus: the list's heading takes it.
  const waitingTitle = useRef<HTMLHeadingElement>(null);
  useRefocusWhenLost(waitingTitle, pending.data?.length);

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Approvals</h1>
        <p className="page-summary">Spends the agent is waiting on. Nothing is paid until you approve, and never more than the amount shown.</p>
      </header>
      <section className="section" aria-labelledby="pending-title">
        <h2 id="pending-title" ref={waitingTitle} tabIndex={-1}>
          Waiting for you
        </h2>
        {pending.isPending ? (
          <p className="loading">Loading…</p>
        ) : pending.data && pending.data.length > 0 ? (
          <ul className="list section" aria-label="Approvals waiting">
            {pending.data.map((item) => (
              <li key={item.approval.id}>
                <ApprovalCard item={item} linked={item.approval.id === linked} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="card muted" data-testid="no-pending-approvals">
            Nothing is waiting. When a task needs more than your auto-approve limit, it appears here.
          </p>
        )}
      </section>
      {answered.length > 0 && (
        <section className="card section" aria-labelledby="recent-title">
          <h2 id="recent-title">Recent decisions</h2>
          <table className="table stack" data-testid="recent-approvals">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Request</th>
                <th scope="col" className="numeric">Up to</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {answered.map(({ approval, quote, agentName, request }) => (
                <tr key={approval.id}>
                  <td data-label="When">{formatWhen(approval.createdAt)}</td>
                  <td data-label="Request">
                    {request !== null && <span className="approval-request">“{request}”</span>}
                    {quote && <span className="muted">{request !== null && ' · '}{serviceList(quote.steps)}</span>}
                    {agentName !== null && <span className="muted"> · agent {agentName}</span>}
                  </td>
                  <td data-label="Up to" className="numeric">{quote ? formatCharge(approval.maxMsat, quote.rate) : formatSatsWhole(approval.maxMsat, 'charge')}</td>
                  <td data-label="Outcome">{STATUS_LABEL[approval.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

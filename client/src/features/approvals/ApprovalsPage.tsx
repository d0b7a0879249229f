import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { Check, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { AppRouter } from '../../../../server/api/router';
import { formatSats, formatUsd, msatToUsdCentsCeil, msatToUsdCentsRoundHalfUp, type BtcUsdRate, type Msat } from '../../../../shared/money';
import { FormError } from '../../components/Field';
import '../../components/governance.css';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { ApproveDialog } from './ApproveDialog';

export type InboxItem = inferRouterOutputs<AppRouter>['approvals']['pending'][number];

const KIND_LABEL = {
  auto: 'Approved automatically',
  confirm: 'Needs your OK',
  step_up: 'Needs your authenticator code',
  overage_required: 'Over budget: needs a reason and your code',
  deny: 'Refused by your rules',
} as const;

const STATUS_LABEL = { pending: 'Waiting', approved: 'Approved', denied: 'Denied', expired: 'Expired', cancelled: 'Cancelled' } as const;

/** "$1.01 (1,010 sats)" at the quote's locked rate; a spend rounds up to whole cents. */
export function formatSpend(amount: Msat, rate: BtcUsdRate): string {
  return `${formatUsd(msatToUsdCentsCeil(amount, rate))} (${formatSats(amount)})`;
}

function formatRange(min: Msat, max: Msat, rate: BtcUsdRate): string {
  if (min === max) return formatSpend(max, rate);
  return `${formatUsd(msatToUsdCentsRoundHalfUp(min, rate))} – ${formatUsd(msatToUsdCentsCeil(max, rate))} (${formatSats(min)} – ${formatSats(max)})`;
}

/** The Approvals inbox: what the agent wants to buy, for how much, and why it asks. */
export function ApprovalsPage() {
  const trpc = useTRPC();
  const pending = useQuery(trpc.approvals.pending.queryOptions());
  const recent = useQuery(trpc.approvals.recent.queryOptions({ limit: 20 }));
  const answered = recent.data?.filter((item) => item.approval.status !== 'pending') ?? [];
  // An agent's link (MCP URL elicitation, or its pending answer) names the approval it waits on.
  const [params] = useSearchParams();
  const linked = params.get('approval');

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Approvals</h1>
        <p className="page-summary">Spends the agent is waiting on. Nothing is paid until you approve, and never more than the amount shown.</p>
      </header>
      <section className="section" aria-labelledby="pending-title">
        <h2 id="pending-title">Waiting for you</h2>
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
          <table className="table" data-testid="recent-approvals">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Services</th>
                <th scope="col" className="numeric">Up to</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {answered.map(({ approval, quote, agentName }) => (
                <tr key={approval.id}>
                  <td>{new Date(approval.createdAt).toLocaleString()}</td>
                  <td>
                    {quote?.steps.map((s) => s.serviceName).join(', ')}
                    {agentName !== null && <span className="muted"> · agent {agentName}</span>}
                  </td>
                  <td className="numeric">{quote ? formatSpend(approval.maxMsat, quote.rate) : formatSats(approval.maxMsat)}</td>
                  <td>{STATUS_LABEL[approval.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

function ApprovalCard(props: { item: InboxItem; linked: boolean }) {
  const { approval, quote } = props.item;
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (props.linked) card.current?.scrollIntoView({ block: 'center' });
  }, [props.linked]);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [dialogOpen, setDialogOpen] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
  const approve = useMutation(trpc.approvals.approve.mutationOptions({ onSuccess: refresh }));
  const deny = useMutation(trpc.approvals.deny.mutationOptions({ onSuccess: refresh }));
  const problem = apiProblem(approve.error ?? deny.error);
  const needsCode = approval.decisionKind === 'step_up' || approval.decisionKind === 'overage_required';
  const titleId = `approval-${approval.id}-title`;

  return (
    <article ref={card} className={props.linked ? 'card approval linked' : 'card approval'} aria-current={props.linked ? 'true' : undefined} aria-labelledby={titleId} data-testid="approval-card" data-kind={approval.decisionKind}>
      <div className="approval-head">
        <h3 id={titleId} className="approval-total">
          {quote ? formatRange(quote.totalMsatMin, quote.totalMsatMax, quote.rate) : formatSats(approval.maxMsat)}
        </h3>
        <span className={`kind-badge ${approval.decisionKind}`}>{KIND_LABEL[approval.decisionKind]}</span>
      </div>
      {props.item.agentName !== null && (
        <p className="muted" data-testid="approval-agent">
          Asked by agent key <strong>{props.item.agentName}</strong>
        </p>
      )}
      <p className="approval-why">{approval.why}</p>
      {quote && (
        <table className="table" aria-label="Steps and their prices">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Provider</th>
              <th scope="col" className="numeric">Price</th>
              <th scope="col" className="numeric">Fee allowance</th>
              <th scope="col" className="numeric">Up to</th>
            </tr>
          </thead>
          <tbody>
            {quote.steps.map((step) => (
              <tr key={step.stepId}>
                <td>{step.serviceName}</td>
                <td>{step.providerName}</td>
                <td className="numeric">{formatRange(step.priceMsatMin, step.priceMsatMax, quote.rate)}</td>
                <td className="numeric">{formatSats(step.feeAllowanceMsat)}</td>
                <td className="numeric">{formatSpend(step.maxMsat, quote.rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {approval.overageMsat !== undefined && quote && (
        <p className="muted">This goes {formatSpend(approval.overageMsat, quote.rate)} over your monthly budget.</p>
      )}
      <p className="muted">Prices held until {new Date(approval.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.</p>
      <FormError message={problem && describeProblem(problem)} />
      <div className="button-row">
        <button
          className="button primary"
          disabled={approve.isPending}
          onClick={() => (needsCode ? setDialogOpen(true) : approve.mutate({ approvalId: approval.id }))}
        >
          <Check size={16} aria-hidden="true" /> Approve
        </button>
        <button className="button" disabled={deny.isPending} onClick={() => deny.mutate({ approvalId: approval.id })}>
          <X size={16} aria-hidden="true" /> Deny
        </button>
      </div>
      {dialogOpen && quote && (
        <ApproveDialog
          approval={approval}
          amount={formatSpend(approval.maxMsat, quote.rate)}
          overage={approval.overageMsat === undefined ? null : formatSpend(approval.overageMsat, quote.rate)}
          onClose={() => setDialogOpen(false)}
          onApproved={() => {
            setDialogOpen(false);
            void refresh();
          }}
        />
      )}
    </article>
  );
}

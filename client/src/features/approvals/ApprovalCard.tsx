import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Check, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { formatCharge, formatChargeRange, formatSatsWhole } from '../../../../shared/money-display';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { ApproveDialog } from './ApproveDialog';
import type { InboxItem } from './ApprovalsPage';
import { TwoFactorNeeded, useTwoFactorOn } from './TwoFactorNeeded';
import { formatClock } from '../../lib/format-time';

/** The same words the chat's task card uses for each tier, so one request never reads two ways. */
const KIND_LABEL = {
  auto: 'Approved automatically',
  confirm: 'Needs your confirmation',
  step_up: 'Needs your confirmation with a code',
  overage_required: 'Over your monthly budget: needs a code and a reason',
  deny: 'Refused by your rules',
} as const;

/** The steps and their prices: a table on a wide screen, stacked rows on a phone (CSS `.table.stack`). */
function ApprovalSteps(props: { quote: NonNullable<InboxItem['quote']> }) {
  const { quote } = props;
  return (
    <table className="table stack" aria-label="Steps and their prices">
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
            <td data-label="Service">{step.serviceName}</td>
            <td data-label="Provider">{step.providerName}</td>
            <td data-label="Price" className="numeric">{formatChargeRange(step.priceMsatMin, step.priceMsatMax, quote.rate)}</td>
            <td data-label="Fee allowance" className="numeric">{formatCharge(step.feeAllowanceMsat, quote.rate)}</td>
            <td data-label="Up to" className="numeric">{formatCharge(step.maxMsat, quote.rate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One waiting approval: what was asked, the steps, the price, and approve / deny within thumb reach. */
export function ApprovalCard(props: { item: InboxItem; linked: boolean }) {
  const { approval, quote, request } = props.item;
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (props.linked) card.current?.scrollIntoView({ block: 'center' });
  }, [props.linked]);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [dialogOpen, setDialogOpen] = useState(false);
  // Answering settles the approval's alert too (server-side), so the badges follow; and it moves the
  // task on, which the Chat page, not listening while it is closed, must read afresh when it opens.
  const refresh = () => Promise.all([trpc.approvals.pathKey(), trpc.alerts.pathKey(), trpc.tasks.pathKey()].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  const approve = useMutation(trpc.approvals.approve.mutationOptions({ onSuccess: refresh }));
  const deny = useMutation(trpc.approvals.deny.mutationOptions({ onSuccess: refresh }));
  const problem = apiProblem(approve.error ?? deny.error);
  const busy = approve.isPending || deny.isPending;
  const needsCode = approval.decisionKind === 'step_up' || approval.decisionKind === 'overage_required';
  const twoFactorOn = useTwoFactorOn(needsCode);
  // Without two-factor there is no code to give: say why and lead the way there and back.
  const cannotGiveCode = needsCode && (twoFactorOn === false || problem?.reason === 'two_factor_required');
  const titleId = `approval-${approval.id}-title`;

  return (
    <article ref={card} className={props.linked ? 'card approval linked' : 'card approval'} aria-current={props.linked ? 'true' : undefined} aria-labelledby={titleId} data-testid="approval-card" data-kind={approval.decisionKind}>
      <div className="approval-head">
        <h3 id={titleId} className="approval-total">
          {quote ? formatChargeRange(quote.totalMsatMin, quote.totalMsatMax, quote.rate) : formatSatsWhole(approval.maxMsat, 'charge')}
        </h3>
        <span className={`kind-badge ${approval.decisionKind}`}>{KIND_LABEL[approval.decisionKind]}</span>
      </div>
      {request !== null && (
        <p className="approval-request" data-testid="approval-request">
          <span className="muted">{props.item.agentName === null ? 'You asked' : 'Asked'}:</span> “{request}”
        </p>
      )}
      {props.item.agentName !== null && (
        <p className="muted" data-testid="approval-agent">
          Asked by agent key <strong>{props.item.agentName}</strong>
        </p>
      )}
      <p className="approval-why">{approval.why}</p>
      {quote && <ApprovalSteps quote={quote} />}
      {approval.overageMsat !== undefined && quote && <p className="muted">This goes {formatCharge(approval.overageMsat, quote.rate)} over your monthly budget.</p>}
      <p className="muted">Prices held until {formatClock(approval.expiresAt)}.</p>
      <FormError message={problem && describeProblem(problem)} />
      {cannotGiveCode && <TwoFactorNeeded returnTo={`/approvals?approval=${approval.id}`} />}
      {/* aria-disabled, not disabled, while a request runs: a disabled button drops the focus to the page's
          body, and a keyboard user whose try was refused would start again from the top. */}
      <div className="button-row thumb-row">
        {!cannotGiveCode && (
          <button
            className="button primary thumb"
            aria-disabled={busy}
            onClick={() => (busy ? undefined : needsCode ? setDialogOpen(true) : approve.mutate({ approvalId: approval.id }))}
          >
            <Check size={16} aria-hidden="true" /> Approve
          </button>
        )}
        <button className="button thumb" aria-disabled={busy} onClick={() => (busy ? undefined : deny.mutate({ approvalId: approval.id }))}>
          <X size={16} aria-hidden="true" /> Deny
        </button>
      </div>
      {dialogOpen && quote && (
        <ApproveDialog
          approval={approval}
          amount={formatCharge(approval.maxMsat, quote.rate)}
          overage={approval.overageMsat === undefined ? null : formatCharge(approval.overageMsat, quote.rate)}
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

import { useMutation, useQuery } from '@tanstack/react-query';
import { Flag, ThumbsUp } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { DisputeCategory } from '../../../../shared/disputes';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { BlockProvider } from '../disputes/BlockProvider';
import { Blocks } from './AnswerView';
import { msat, signedMsat, usdCents } from '../../../../shared/money';
import { formatCents, formatSatsExact } from '../../../../shared/money-display';
import type { StepView, TaskAnswer } from './types';

const DISPUTE_CATEGORY_OPTIONS: readonly [DisputeCategory, string][] = [
  ['wrong_or_low_quality', 'Wrong or low quality'],
  ['not_delivered', 'Not delivered'],
  ['overcharged', 'Charged more than approved'],
  ['charged_twice', 'Charged twice'],
];

/** A catalog id is `<providerId>/<service name>` (shared/catalog.ts). */
const providerIdOf = (serviceId: string) => serviceId.slice(0, serviceId.indexOf('/'));

/** One delivered (or paid but undelivered) step: its output, its receipt, and Accept / Dispute. */
export function StepResult(props: { taskId: string; step: StepView; answer: TaskAnswer['steps'][number] | undefined; onChanged(): void }) {
  const { step } = props;
  const trpc = useTRPC();
  const judge = useMutation(trpc.tasks.judgeStep.mutationOptions({ onSuccess: () => props.onChanged() }));
  const [disputing, setDisputing] = useState(false);
  const [complaint, setComplaint] = useState('');
  const [category, setCategory] = useState<DisputeCategory>('wrong_or_low_quality');
  const limits = useQuery({ ...trpc.disputes.limits.queryOptions(), enabled: disputing });
  const problem = apiProblem(judge.error);
  const paid = step.paidMsat !== null;

  function dispute(event: FormEvent) {
    event.preventDefault();
    judge.mutate({ taskId: props.taskId, stepId: step.stepId, verdict: 'dispute', complaint, category }, { onSuccess: () => setDisputing(false) });
  }

  return (
    <article className="chat-result" data-testid={`result-${step.stepId}`} aria-label={`Result of ${step.serviceName}`}>
      <header className="chat-result-head">
        <h4>{step.serviceName}</h4>
        <span className="muted">{step.providerName}</span>
      </header>
      {props.answer && <Blocks blocks={props.answer.blocks} />}
      <footer className="chat-receipt" data-testid={`receipt-${step.stepId}`}>
        {paid ? (
          <span>
            Paid <strong>{formatSatsExact(signedMsat((step.paidMsat ?? 0) - (step.feeMsat ?? 0)))}</strong> to {step.providerName}
            {step.feeMsat ? <> + {formatSatsExact(msat(step.feeMsat))} routing fee</> : null}
            {step.paidUsdCents !== null && <span className="muted"> · {formatCents(usdCents(step.paidUsdCents), { nonzero: (step.paidMsat ?? 0) > 0 })} in all</span>}
          </span>
        ) : (
          <span className="muted">No new payment: an earlier token for {step.serviceName} was reused.</span>
        )}
        {step.judgement ? (
          <span className="button-row">
            <span className={`chat-judgement ${step.judgement}`} data-testid={`judgement-${step.stepId}`}>
              {step.judgement === 'accepted' ? 'Accepted' : 'Disputed'}
            </span>
            {step.judgement === 'disputed' && <Link to="/disputes">Follow the dispute</Link>}
          </span>
        ) : (
          <span className="button-row">
            <button className="button subtle" onClick={() => judge.mutate({ taskId: props.taskId, stepId: step.stepId, verdict: 'accept' })} disabled={judge.isPending}>
              <ThumbsUp size={16} aria-hidden="true" /> Accept
            </button>
            <button className="button subtle" onClick={() => setDisputing((open) => !open)} aria-expanded={disputing} disabled={judge.isPending}>
              <Flag size={16} aria-hidden="true" /> Dispute
            </button>
          </span>
        )}
      </footer>
      {disputing && (
        <form className="chat-dispute" onSubmit={dispute}>
          <label htmlFor={`category-${props.taskId}-${step.stepId}`}>What went wrong?</label>
          <select id={`category-${props.taskId}-${step.stepId}`} value={category} onChange={(e) => setCategory(e.target.value as DisputeCategory)}>
            {DISPUTE_CATEGORY_OPTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <label htmlFor={`complaint-${props.taskId}-${step.stepId}`}>Tell us more</label>
          <textarea id={`complaint-${props.taskId}-${step.stepId}`} value={complaint} onChange={(e) => setComplaint(e.target.value)} rows={2} maxLength={2000} />
          <span className="button-row">
            <button className="button danger" type="submit" disabled={judge.isPending}>
              Open dispute
            </button>
            <button className="button subtle" type="button" onClick={() => setDisputing(false)}>
              Cancel
            </button>
          </span>
          <p className="muted" data-testid="dispute-rules">
            Paid and not delivered is refunded at once. Anything else goes to an operator, who may refund all or part of it.
            {limits.data && <> You can dispute up to {limits.data.sharePercent}% of what you paid this month (your first dispute of a month is always accepted).</>}
          </p>
        </form>
      )}
      {step.judgement === 'disputed' && (
        <BlockProvider target={{ taskId: props.taskId, stepId: step.stepId }} providerId={providerIdOf(step.serviceId)} providerName={step.providerName} />
      )}
      <FormError message={problem && describeProblem(problem)} />
    </article>
  );
}

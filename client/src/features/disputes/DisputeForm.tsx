import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { DisputeCategory } from '../../../../shared/disputes';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import './disputes.css';

const DISPUTE_CATEGORY_OPTIONS: readonly [DisputeCategory, string][] = [
  ['wrong_or_low_quality', 'Wrong or low quality'],
  ['not_delivered', 'Not delivered'],
  ['overcharged', 'Charged more than approved'],
  ['charged_twice', 'Charged twice'],
];

/**
 * The short dispute form for one paid step: what went wrong, a few words, and the rules (non-delivery
 * refunded at once unless the person added its provider, the rest reviewed, the monthly limit). The chat card and Activity both open it.
 */
export function DisputeForm(props: { taskId: string; stepId: string; onOpened(): void; onCancel(): void }) {
  const trpc = useTRPC();
  const id = useId();
  const [complaint, setComplaint] = useState('');
  const [category, setCategory] = useState<DisputeCategory>('wrong_or_low_quality');
  const limits = useQuery(trpc.disputes.limits.queryOptions());
  const judge = useMutation(trpc.tasks.judgeStep.mutationOptions({ onSuccess: () => props.onOpened() }));
  const problem = apiProblem(judge.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    judge.mutate({ taskId: props.taskId, stepId: props.stepId, verdict: 'dispute', complaint, category });
  }

  return (
    <form className="dispute-form" onSubmit={submit} data-testid="dispute-form">
      <label htmlFor={`${id}-category`}>What went wrong?</label>
      <select id={`${id}-category`} value={category} onChange={(e) => setCategory(e.target.value as DisputeCategory)}>
        {DISPUTE_CATEGORY_OPTIONS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-complaint`}>Tell us more</label>
      <textarea id={`${id}-complaint`} value={complaint} onChange={(e) => setComplaint(e.target.value)} rows={2} maxLength={2000} />
      <span className="button-row">
        <button className="button danger" type="submit" disabled={judge.isPending}>
          Open dispute
        </button>
        <button className="button subtle" type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </span>
      <p className="muted" data-testid="dispute-rules">
        Paid and not delivered is refunded at once (for a provider you added yourself, after an operator's review). Anything else goes to an operator, who may refund all or part of it.
        {limits.data && <> You can dispute up to {limits.data.sharePercent}% of what you paid this month (your first dispute of a month is always accepted).</>}
      </p>
      <FormError message={problem && describeProblem(problem)} />
    </form>
  );
}

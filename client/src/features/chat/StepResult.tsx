import { useMutation } from '@tanstack/react-query';
import { Flag, ThumbsUp } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { BlockProvider } from '../disputes/BlockProvider';
import { DisputeForm } from '../disputes/DisputeForm';
import { Blocks } from './AnswerView';
import { msat, signedMsat, usdCents } from '../../../../shared/money';
import { formatCents, formatSatsExact } from '../../../../shared/money-display';
import type { StepView, TaskAnswer } from './types';

/** A catalog id is `<providerId>/<service name>` (shared/catalog.ts). */
const providerIdOf = (serviceId: string) => serviceId.slice(0, serviceId.indexOf('/'));

/** One delivered (or paid but undelivered) step: its output, its receipt, and Accept / Dispute. */
export function StepResult(props: { taskId: string; step: StepView; answer: TaskAnswer['steps'][number] | undefined; onChanged(): void }) {
  const { step } = props;
  const trpc = useTRPC();
  const judge = useMutation(trpc.tasks.judgeStep.mutationOptions({ onSuccess: () => props.onChanged() }));
  const [disputing, setDisputing] = useState(false);
  const problem = apiProblem(judge.error);
  const paid = step.paidMsat !== null;

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
        <DisputeForm
          taskId={props.taskId}
          stepId={step.stepId}
          onOpened={() => {
            setDisputing(false);
            props.onChanged();
          }}
          onCancel={() => setDisputing(false)}
        />
      )}
      {step.judgement === 'disputed' && (
        <BlockProvider target={{ taskId: props.taskId, stepId: step.stepId }} providerId={providerIdOf(step.serviceId)} providerName={step.providerName} />
      )}
      <FormError message={problem && describeProblem(problem)} />
    </article>
  );
}

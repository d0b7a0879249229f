import { useMutation, useQuery } from '@tanstack/react-query';
import { Ban, CheckCircle2, Circle, CircleDashed, Loader2, OctagonX, PauseCircle, XCircle } from 'lucide-react';
import { useRef } from 'react';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { purchaseReasonText } from '../../../../shared/purchase-reasons';
import { useTRPC } from '../../lib/trpc';
import { useRefocusWhenLost } from '../../lib/use-refocus';
import { ApprovalControls } from './ApprovalControls';
import { AnswerSummary } from './AnswerView';
import { ExamplePrompts, suggestedPrompts } from './ExamplePrompts';
import { msat, usdCents } from '../../../../shared/money';
import { formatCents, formatSatsRange, formatSatsWhole, joinFiatRange } from '../../../../shared/money-display';
import { QuoteReputation } from '../services/ServiceReputation';
import { StepResult } from './StepResult';
import { isActive, type StepView, type TaskView } from './types';

const STATUS_TEXT: Record<TaskView['status'], string> = {
  draft: 'Planning…',
  planned: 'Getting prices…',
  quoted: 'Checking your limits…',
  awaiting_approval: 'Waiting for your approval',
  running: 'Running',
  paused: 'Paused: the price changed',
  completed: 'Done',
  failed: 'Stopped',
  cancelled: 'Cancelled',
};

const TIER_TEXT: Record<string, string> = {
  auto: 'Approved automatically',
  confirm: 'Needs your confirmation',
  step_up: 'Needs your confirmation with a code',
  overage_required: 'Over your monthly budget: needs a code and a reason',
  deny: 'Not allowed',
};

/** Once the task went ahead, the tier says what happened instead of what it waits for. */
const TIER_DONE_TEXT: Record<string, string> = {
  auto: 'Approved automatically',
  confirm: 'Approved by you',
  step_up: 'Approved by you with a code',
  overage_required: 'Over budget: approved by you with a code and a reason',
  deny: 'Not allowed',
};

/** Tier wording for where the task is now: waiting, went ahead, or ended without being approved. */
function tierText(task: TaskView, kind: string): string {
  const wentAhead = task.status === 'running' || task.status === 'completed' || task.steps.some((s) => s.paidMsat !== null);
  if (wentAhead) return TIER_DONE_TEXT[kind] ?? kind;
  if (isActive(task)) return TIER_TEXT[kind] ?? kind;
  return kind === 'deny' || kind === 'auto' ? (TIER_DONE_TEXT[kind] ?? kind) : 'Was not approved';
}

const STEP_TEXT: Record<StepView['status'], string> = {
  pending: 'waiting',
  paying: 'paying…',
  delivered: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/** The quote's fiat range, worked out by the server at the quote's locked rate. */
function quoteFiat(quote: NonNullable<TaskView['quote']>): string {
  const low = formatCents(usdCents(quote.totalUsdCentsMin), { nonzero: quote.totalMsatMin > 0 });
  const high = formatCents(usdCents(quote.totalUsdCentsMax), { nonzero: quote.totalMsatMax > 0 });
  return joinFiatRange(low, high);
}

function StepIcon(props: { status: StepView['status'] }) {
  const common = { size: 18, 'aria-hidden': true } as const;
  switch (props.status) {
    case 'pending':
      return <Circle {...common} className="chat-icon muted-icon" />;
    case 'paying':
      return <Loader2 {...common} className="chat-icon spin" />;
    case 'delivered':
      return <CheckCircle2 {...common} className="chat-icon good" />;
    case 'failed':
      return <XCircle {...common} className="chat-icon bad" />;
    case 'skipped':
      return <CircleDashed {...common} className="chat-icon muted-icon" />;
    case 'cancelled':
      return <Ban {...common} className="chat-icon muted-icon" />;
  }
}

/** The agent's side of one request: plan and quote, approval, live progress, results with receipts. */
export function TaskCard(props: { task: TaskView; onChanged(): void; onAsk(text: string): void }) {
  const { task } = props;
  const trpc = useTRPC();
  const cancel = useMutation(trpc.tasks.cancel.mutationOptions({ onSuccess: () => props.onChanged() }));
  const problem = apiProblem(cancel.error);
  const waiting = (task.status === 'awaiting_approval' || task.status === 'paused') && task.approvalId !== null;
  const answers = new Map((task.answer?.steps ?? []).map((s) => [s.stepId, s]));
  const results = task.steps.filter((s) => s.status === 'delivered' || s.paidMsat !== null);
  // Before anything runs, each quoted step says how its service has served everyone lately.
  const beforeRunning = task.quote !== null && (task.status === 'quoted' || task.status === 'awaiting_approval');
  const reputation = useQuery({ ...trpc.catalog.reputation.queryOptions(), enabled: beforeRunning });
  const records = new Map((reputation.data?.services ?? []).map((r) => [r.serviceId, r]));
  // Approved or denied from the keyboard, the buttons go: the card itself takes focus, to read on from.
  const card = useRef<HTMLElement>(null);
  useRefocusWhenLost(card, waiting);

  return (
    <section ref={card} tabIndex={-1} className={`card chat-task status-${task.status}`} aria-label={`Task: ${task.request}`} data-testid="task-card" data-status={task.status}>
      <header className="chat-task-head">
        <span className="chat-task-status" role="status" data-testid="task-status">
          {task.status === 'paused' ? <PauseCircle size={16} aria-hidden="true" /> : task.status === 'failed' ? <OctagonX size={16} aria-hidden="true" /> : null}
          {STATUS_TEXT[task.status]}
        </span>
        {isActive(task) && (
          <button className="button subtle" onClick={() => cancel.mutate({ taskId: task.id })} disabled={cancel.isPending}>
            Cancel task
          </button>
        )}
      </header>

      {task.steps.length > 0 && (
        <ol className="chat-steps" aria-label="Plan">
          {task.steps.map((step) => (
            <li key={step.stepId} className={`chat-step ${step.status}`} data-testid={`step-${step.stepId}`} data-status={step.status}>
              <StepIcon status={step.status} />
              <span className="chat-step-main">
                <span className="chat-step-name">
                  {step.serviceName} <span className="muted">· {step.providerName}</span>
                </span>
                {step.reasonText && <span className="chat-step-reason">{step.reasonText}</span>}
                {beforeRunning && <QuoteReputation record={records.get(step.serviceId)} />}
                {step.status === 'failed' && step.reason && (
                  <span className="chat-step-reason bad" data-testid="step-failure-reason">
                    {purchaseReasonText(step.reason)}
                  </span>
                )}
              </span>
              <span className="chat-step-price">
                {step.paidMsat !== null ? formatSatsWhole(msat(step.paidMsat), 'charge') : step.priceMsatMin !== null && step.priceMsatMax !== null ? formatSatsRange(msat(step.priceMsatMin), msat(step.priceMsatMax)) : ''}
                <span className="sr-only"> — {STEP_TEXT[step.status]}</span>
                <span className="chat-step-state" aria-hidden="true">
                  {STEP_TEXT[step.status]}
                </span>
              </span>
            </li>
          ))}
        </ol>
      )}

      {task.plan?.notDone && (
        <div className="chat-not-done" data-testid="not-done">
          <strong>Will not be done</strong> (no service for it; you are only asked to pay for the steps above):
          <ul>
            {task.plan.notDone.map((item) => (
              <li key={item.said}>
                “{item.said}”: {item.why}
              </li>
            ))}
          </ul>
        </div>
      )}

      {task.quote && (
        <div className="chat-quote" data-testid="quote">
          <span>
            Total <strong>{formatSatsRange(msat(task.quote.totalMsatMin), msat(task.quote.totalMsatMax))}</strong> ({quoteFiat(task.quote)})
          </span>
          {task.decision && (
            <span className={`chat-tier tier-${task.decision.kind}`} data-testid="tier">
              <strong>{tierText(task, task.decision.kind)}.</strong> {task.decision.why}
            </span>
          )}
        </div>
      )}

      {waiting && <ApprovalControls task={task} onChanged={props.onChanged} />}

      {task.failure && task.status !== 'completed' && (
        // Cancelled, or nothing in the catalog for it: said plainly, not in an error's red.
        <p className={task.status === 'cancelled' || task.failure.reason === 'unsupported' ? 'chat-note' : 'chat-note bad'} data-testid="task-failure">
          {task.failure.message}
        </p>
      )}
      {task.failure?.reason === 'unsupported' && <ExamplePrompts examples={suggestedPrompts(task.failure.message)} onPick={props.onAsk} label="Things you can ask instead" />}

      {task.answer && <AnswerSummary answer={task.answer} />}
      {results.map((step) => (
        <StepResult key={step.stepId} taskId={task.id} step={step} answer={answers.get(step.stepId)} onChanged={props.onChanged} />
      ))}
      {task.spentMsat > 0 && !isActive(task) && <p className="muted chat-spent">Spent on this task: {formatSatsWhole(msat(task.spentMsat), 'charge')}</p>}
      <FormError message={problem && describeProblem(problem)} />
    </section>
  );
}

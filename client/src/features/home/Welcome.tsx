import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Check } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/api/router';
import type { OnboardingStep } from '../../../../shared/onboarding';
import { formatUsd } from '../../../../shared/money';
import { formatSatsWhole } from '../../../../shared/money-display';
import { FormError } from '../../components/Field';
import { problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import '../chat/chat.css';
import { EXAMPLE_REQUESTS } from '../chat/ExamplePrompts';

type Checklist = inferRouterOutputs<AppRouter>['home']['checklist'];
type StepState = Checklist['steps'][number]['state'];

const STATE_LABEL: Record<StepState, string> = { done: 'Done', skipped: 'Skipped', todo: 'To do' };
const TITLE: Record<OnboardingStep, string> = {
  wallet: 'Your spending wallet',
  top_up: 'Add money',
  budget: 'Your limits',
  two_factor: 'Two-factor authentication',
  first_task: 'Your first task',
};

/** What Steward is, what the play sats are (or how to fund it), and the first steps, each ticked or skipped. */
export function Welcome(props: { checklist: Checklist; mode: 'sandbox' | 'live' }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const summary = useQuery(trpc.wallet.summary.queryOptions());
  const mark = useMutation(
    trpc.home.mark.mutationOptions({ onSuccess: (checklist) => queryClient.setQueryData(trpc.home.checklist.queryKey(), checklist) }),
  );
  const stepDone = (step: OnboardingStep, action: 'skip' | 'undo' | 'done') => mark.mutate({ step, action });
  const open = props.checklist.steps.filter((s) => s.state === 'todo').length;

  return (
    <section className="card section welcome" aria-labelledby="welcome-title" data-testid="welcome">
      <h2 id="welcome-title">Welcome to Steward</h2>
      <p>
        Steward is an agent that buys answers for you from paid web services (jokes, prices, weather, summaries…), paying each
        one in bitcoin over Lightning. It shows the price first and never spends a sat you did not allow: small spends go through
        on their own, larger ones wait for you.
      </p>
      {props.mode === 'sandbox' ? (
        <p data-testid="welcome-money">
          This is the <strong>sandbox</strong>: your wallet starts with play sats
          {summary.data ? <> (you have {formatSatsWhole(summary.data.availableMsat, 'holding')} now)</> : null}. They are not real money, and nothing
          here charges a real card. Try everything freely.
        </p>
      ) : (
        <p data-testid="welcome-money">
          To let the agent spend, add money: top up with a card on the Wallet page, or connect a Lightning wallet of your own.
        </p>
      )}
      <p className="muted">
        {open === 0 ? 'All set.' : `${open} of ${props.checklist.steps.length} first steps left.`} Each step ticks itself once it is done.
      </p>
      <FormError message={problemText(mark.error)} />
      <ol className="checklist" aria-label="First steps">
        {props.checklist.steps.map((item) => (
          <li key={item.step} className={`checklist-item ${item.state}`} data-testid={`step-${item.step}`} data-state={item.state}>
            <span className="checklist-mark" aria-hidden="true">
              {item.state === 'done' ? <Check size={16} /> : null}
            </span>
            <div className="checklist-body">
              <h3>
                {TITLE[item.step]} <span className={`step-state ${item.state}`}>{STATE_LABEL[item.state]}</span>
              </h3>
              <StepDetail step={item.step} state={item.state} checklist={props.checklist} mode={props.mode} onMark={stepDone} busy={mark.isPending} />
              {item.skippable && item.state === 'todo' && (
                <button className="button subtle" onClick={() => stepDone(item.step, 'skip')} disabled={mark.isPending}>
                  Skip for now
                </button>
              )}
              {item.state === 'skipped' && (
                <button className="button subtle" onClick={() => stepDone(item.step, 'undo')} disabled={mark.isPending}>
                  Show this step again
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

interface StepProps {
  step: OnboardingStep;
  state: StepState;
  checklist: Checklist;
  mode: 'sandbox' | 'live';
  onMark(step: OnboardingStep, action: 'done'): void;
  busy: boolean;
}

function StepDetail(props: StepProps): ReactNode {
  switch (props.step) {
    case 'wallet':
      return props.checklist.wallet === 'own' ? (
        <p>Your own Lightning wallet is connected; the agent spends from it.</p>
      ) : props.checklist.wallet === 'provisioned' ? (
        <p>
          Steward made a spending wallet for you. You can also <Link to="/wallet">connect your own</Link> (any wallet with Nostr Wallet Connect).
        </p>
      ) : (
        <p>
          <Link to="/wallet">Set up a wallet</Link> so the agent has something to spend from.
        </p>
      );
    case 'top_up':
      return (
        <p>
          {props.mode === 'sandbox' ? 'Optional here, as you have play sats. Try the card top-up with the sandbox checkout: ' : 'Top up with a card: '}
          <Link to="/wallet">top up on the Wallet page</Link>.
        </p>
      );
    case 'budget':
      return <BudgetStep {...props} />;
    case 'two_factor':
      return (
        <p>
          Recommended. An authenticator app's code is what lets you approve large spends: without it, no tier can go above the confirm
          limit. <Link to="/security">Turn on two-factor</Link>.
        </p>
      );
    case 'first_task':
      return <FirstTask done={props.state === 'done'} />;
  }
}

function BudgetStep(props: StepProps) {
  const trpc = useTRPC();
  const settings = useQuery(trpc.budget.settings.queryOptions());
  if (!settings.data) return <p className="loading">Loading your limits…</p>;
  const { tiers, monthlyLimit, alertThresholdsPercent } = settings.data;
  return (
    <>
      <ul className="plain-list" data-testid="default-tiers">
        <li>
          Up to {formatUsd(tiers.autoMaxUsdCents)} a task: paid on its own{tiers.notifyOnAuto ? ', and you get a notice' : ''}.
        </li>
        <li>Up to {formatUsd(tiers.confirmMaxUsdCents)}: waits for your tap under Approvals.</li>
        <li>More than that: needs the code from your authenticator app.</li>
        <li>
          {monthlyLimit === null
            ? 'No monthly limit yet: '
            : `A monthly limit of ${monthlyLimit.unit === 'usd' ? formatUsd(monthlyLimit.usdCents) : formatSatsWhole(monthlyLimit.msat, 'holding')}: `}
          alerts at {alertThresholdsPercent.join('%, ')}% of it{monthlyLimit === null ? ' once you set one' : ''}.
        </li>
      </ul>
      {props.state === 'todo' && (
        <div className="button-row">
          <button className="button primary" onClick={() => props.onMark('budget', 'done')} disabled={props.busy}>
            Keep these defaults
          </button>
          <Link className="button" to="/budget">
            Change them
          </Link>
        </div>
      )}
    </>
  );
}

function FirstTask(props: { done: boolean }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const submit = useMutation(trpc.tasks.submit.mutationOptions({ onSuccess: () => navigate('/chat') }));
  if (props.done) return <p>You asked the agent something. Ask more in <Link to="/chat">Chat</Link>.</p>;
  return (
    <>
      <p>Pick one; the answer appears in Chat with its price and receipt.</p>
      <ul className="chat-examples" aria-label="Example requests">
        {EXAMPLE_REQUESTS.map((text) => (
          <li key={text}>
            <button type="button" className="chat-example" data-testid="example-prompt" onClick={() => submit.mutate({ text })} disabled={submit.isPending}>
              {text}
            </button>
          </li>
        ))}
      </ul>
      <FormError message={problemText(submit.error)} />
    </>
  );
}

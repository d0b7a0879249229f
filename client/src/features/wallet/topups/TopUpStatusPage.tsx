import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '../../../lib/live';
import { CircleAlert, CircleCheck, Hourglass } from 'lucide-react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { formatSats } from '../../../../../shared/money';
import { topUpSentence, type TopUpStatus, type TopUpView } from '../../../../../shared/topups';
import { onStreamError } from '../../auth/useSession';
import { useTRPC } from '../../../lib/trpc';
import './topups.css';

const STEPS: { status: TopUpStatus; label: string }[] = [
  { status: 'paid', label: 'Card paid' },
  { status: 'funding', label: 'Sending sats' },
  { status: 'funded', label: 'In your wallet' },
];
const PROGRESS: Partial<Record<TopUpStatus, number>> = { created: -1, paid: 0, funding: 1, funding_delayed: 1, funded: 2 };

/** What each state means for the person, and what to do about it. */
function explain(view: TopUpView): { tone: 'good' | 'wait' | 'bad'; text: string } {
  const sats = formatSats(view.amountMsat);
  switch (view.status) {
    case 'created':
      return { tone: 'wait', text: 'Not paid yet. If you left the checkout page, go back to it; nothing is charged until you pay.' };
    case 'paid':
      return { tone: 'wait', text: 'Your card payment went through. Sending the sats to your wallet…' };
    case 'funding':
      return { tone: 'wait', text: 'Your wallet made an invoice and the treasury is paying it…' };
    case 'funded':
      return { tone: 'good', text: `${sats} arrived in your wallet. They are yours to spend.` };
    case 'funding_delayed':
      return { tone: 'wait', text: 'Your card was charged, but the operator’s treasury cannot send the sats right now. Nothing is lost: Steward keeps trying and the operator has been told. Do not pay again.' };
    case 'failed':
      return { tone: 'bad', text: 'The card payment failed, so nothing was charged. Start a new top-up, perhaps with another card.' };
    case 'expired':
      return { tone: 'bad', text: 'The checkout expired before it was paid, so nothing was charged. Start a new top-up.' };
    case 'refunded':
      return { tone: 'bad', text: `The card payment was refunded, so its ${sats} were taken back from your balance.` };
    case 'disputed':
      return { tone: 'bad', text: `The card payment is disputed, so its ${sats} are frozen. Contact the operator if you did not mean to dispute it.` };
  }
}

/** Where Stripe brings the person back: the top-up's state, live (paid -> funding -> funded), and the balance. */
export function TopUpStatusPage() {
  const { topUpId = '' } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const first = useQuery(trpc.topUps.get.queryOptions({ topUpId }));
  const [live, setLive] = useState<TopUpView | null>(null);
  useSubscription(
    trpc.topUps.watch.subscriptionOptions(
      { topUpId },
      {
        onError: onStreamError,
        onData: (view) => {
          setLive(view);
          // The balances on this page and the Wallet page follow the top-up without a reload.
          void queryClient.invalidateQueries({ queryKey: trpc.wallet.pathKey() });
        },
      },
    ),
  );
  const summary = useQuery(trpc.wallet.summary.queryOptions());
  const view = live ?? first.data;

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Card top-up</h1>
        {view && <p className="page-summary">{topUpSentence(view)}</p>}
      </header>
      {first.isError && !view && <p className="form-error">That top-up was not found. It may belong to another account.</p>}
      {view && <TopUpProgress view={view} />}
      {summary.data && (
        <p className="card top-up-balance">
          Spending balance: <strong data-testid="top-up-balance">{formatSats(summary.data.availableMsat)}</strong>
        </p>
      )}
      <p>
        <Link to="/wallet">Back to the wallet</Link>
      </p>
    </section>
  );
}

function TopUpProgress({ view }: { view: TopUpView }) {
  const reached = PROGRESS[view.status];
  const { tone, text } = explain(view);
  const Icon = tone === 'good' ? CircleCheck : tone === 'bad' ? CircleAlert : Hourglass;
  return (
    <section className="card section" data-testid="top-up-status" data-status={view.status}>
      {reached !== undefined && (
        <ol className="top-up-steps">
          {STEPS.map((step, index) => (
            <li key={step.status} className={index <= reached ? 'done' : ''} aria-current={index === reached ? 'step' : undefined}>
              {step.label}
            </li>
          ))}
        </ol>
      )}
      <p className={`top-up-state ${tone}`} role="status">
        <Icon size={18} aria-hidden /> <span>{text}</span>
      </p>
      {view.status === 'created' && view.checkoutUrl && (
        <a className="button primary top-up-return" href={view.checkoutUrl}>
          Return to checkout
        </a>
      )}
      {view.owedMsat > 0 && (
        <p className="wallet-problem">
          <CircleAlert size={16} aria-hidden /> Your balance is short by {formatSats(view.owedMsat)}: spending is paused until money you add covers it.
        </p>
      )}
    </section>
  );
}

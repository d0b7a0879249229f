import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { CircleAlert, CircleCheck, Hourglass, RefreshCw } from 'lucide-react';
import type { AppRouter } from '../../../../server/api/router';
import { formatSats, signedMsat, usdCents, type SignedMsat } from '../../../../shared/money';
import { formatCents, formatSatsWhole } from '../../../../shared/money-display';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { TopUpCard } from './topups/TopUpCard';
import { MovementsExport } from './MovementsExport';
import { OwnWalletPanel } from './OwnWalletPanel';
import { ReceivePanel } from './ReceivePanel';
import { WithdrawPanel } from './WithdrawPanel';
import './wallet.css';
import { formatWhen } from '../../lib/format-time';

type Outputs = inferRouterOutputs<AppRouter>;
type WalletSummary = Outputs['wallet']['summary'];
type WalletStatus = Outputs['wallet']['status'];
type Movement = WalletSummary['movements'][number];

const abs = (amount: SignedMsat) => signedMsat(Math.abs(amount));

export function WalletPage() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.wallet.summary.queryOptions());
  // Asked only once the ledger is shown: requests made together travel in one batch, and the wallet
  // may take seconds to answer (or never), which must not hold the ledger back.
  const status = useQuery({ ...trpc.wallet.status.queryOptions(), enabled: summary.isSuccess, retry: false, staleTime: 15_000 });

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Wallet</h1>
        <p className="page-summary">
          What Steward’s ledger says you can spend, what your Lightning wallet actually holds, and every sat that moved.
        </p>
      </header>
      {summary.isError && <p className="form-error">Your balance could not be loaded. Please try again.</p>}
      {summary.isPending && <p className="loading">Loading…</p>}
      {summary.data && (
        <>
          <div className="wallet-grid">
            <LedgerCard summary={summary.data} />
            <WalletCard status={status.data} checking={status.isFetching} failed={status.isError ? statusFailureText(status.error) : null} onRefresh={() => void status.refetch()} />
          </div>
          <Reconciliation status={status.data} />
          <div className="wallet-grid money-moves">
            <ReceivePanel />
            <WithdrawPanel />
          </div>
          {status.data && <ConnectionCard status={status.data} />}
          <TopUpCard />
          <OwnWalletPanel status={status.data} />
          <Movements summary={summary.data} />
        </>
      )}
    </section>
  );
}

/** A balance in whole sats (rounded down: never more than there is), with the exact msat under it when they differ. */
function BalanceFigure(props: { amount: SignedMsat; testId: string }) {
  const whole = formatSatsWhole(props.amount, 'holding');
  const exact = formatSats(props.amount);
  return (
    <>
      <p className="balance-figure" data-testid={props.testId}>
        {whole}
      </p>
      {exact !== whole && <p className="muted">exactly {exact}</p>}
    </>
  );
}

function LedgerCard({ summary }: { summary: WalletSummary }) {
  return (
    <section className="card section" aria-labelledby="ledger-title" data-testid="ledger-balance">
      <h2 id="ledger-title">Spending balance</h2>
      <BalanceFigure amount={summary.availableMsat} testId="ledger-available" />
      <p className="muted">about {formatCents(usdCents(summary.availableUsdCents), { nonzero: summary.availableMsat > 0 })} available for the agent to spend</p>
      <dl className="balance-lines">
        <dt>Held by pending spends</dt>
        <dd data-testid="ledger-held">{formatSats(summary.heldMsat)}</dd>
        <dt>Total in your ledger</dt>
        <dd data-testid="ledger-total">{formatSats(summary.totalMsat)}</dd>
      </dl>
      {summary.holds.length > 0 && (
        <ul className="list holds" aria-label="Pending spends">
          {summary.holds.map((hold) => (
            <li key={hold.reservationId} className="list-row">
              <span>
                <Hourglass size={14} aria-hidden /> {hold.serviceId ?? hold.providerId}
              </span>
              <span>{formatSatsWhole(hold.amountMsat, 'charge')}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const UNREACHABLE_TEXT = 'Your wallet did not answer, so its balance is unknown right now. The ledger balance is still right, and payments wait until the wallet answers.';
/**
 * The relay guard refused the own wallet's relay at connect: waiting will not help, changing the relay
 * will. While an own wallet is connected the page offers no connect form, so the way out is named.
 */
const RELAY_REFUSED_TEXT =
  "Your wallet's relay now resolves to a local or private network address, which Steward does not connect to. Payments wait until it is fixed: under Your own wallet, disconnect it, then connect it again with a connection string whose relay is on the public internet.";

/** A named refusal (asked too often) says so, with when to retry; anything else is the wallet not answering. */
function statusFailureText(error: unknown): string {
  const problem = apiProblem(error);
  return problem?.reason ? describeProblem(problem) : UNREACHABLE_TEXT;
}

function WalletCard(props: { status: WalletStatus | undefined; checking: boolean; failed: string | null; onRefresh: () => void }) {
  const { status } = props;
  return (
    <section className="card section" aria-labelledby="wallet-title" data-testid="wallet-balance">
      <div className="card-title-row">
        <h2 id="wallet-title">In your wallet</h2>
        <button type="button" className="button subtle" onClick={props.onRefresh} disabled={props.checking} aria-label="Check the wallet again">
          <RefreshCw size={16} aria-hidden /> <span className="wide-only">Check again</span>
        </button>
      </div>
      {!status && !props.failed && <p className="muted">Asking your wallet over Nostr Wallet Connect…</p>}
      {props.failed && <p className="muted" data-testid="wallet-unreachable">{props.failed}</p>}
      {status?.balance === null && <p className="muted">No wallet is connected to your account, so Steward cannot pay for anything yet.</p>}
      {status?.balance?.state === 'known' && (
        <>
          <BalanceFigure amount={status.balance.balanceMsat} testId="wallet-balance-amount" />
          <p className="muted">as your wallet reported it just now</p>
        </>
      )}
      {status?.balance?.state === 'unknown' && (
        <p className="wallet-problem" data-testid="wallet-unreachable">
          <CircleAlert size={16} aria-hidden />{' '}
          {/* One span: the line is a flex row (icon, text), and the bold lead must flow with its sentence. */}
          <span>
            <strong>{status.balance.reason === 'relay_not_allowed' ? 'Relay refused.' : 'Wallet unreachable.'}</strong>{' '}
            {status.balance.reason === 'relay_not_allowed' ? RELAY_REFUSED_TEXT : UNREACHABLE_TEXT}
          </span>
        </p>
      )}
      {status?.balance?.state === 'refused' && (
        <p className="wallet-problem" data-testid="wallet-refused">
          <CircleAlert size={16} aria-hidden /> Your wallet refused to tell its balance ({status.balance.reason.replaceAll('_', ' ')}). Check the
          connection’s permissions in your wallet app.
        </p>
      )}
    </section>
  );
}

function Reconciliation({ status }: { status: WalletStatus | undefined }) {
  const check = status?.reconciliation;
  if (!check) return null;
  const difference = formatSats(abs(check.differenceMsat));
  const text = {
    agree: `Ledger and wallet agree: both hold ${formatSats(check.walletMsat)}.`,
    settling: `Your wallet holds ${difference} less than the ledger: a spend is being paid and is still counted as held. They agree again once it is recorded.`,
    wallet_ahead: `Your wallet holds ${difference} more than the ledger: money reached it outside Steward. Steward only spends what its ledger credits you.`,
    wallet_behind: `Your wallet holds ${difference} less than the ledger says you have: money left it outside Steward (another app on the same wallet?). Some payments may fail until this is settled.`,
  }[check.status];
  const good = check.status === 'agree' || check.status === 'settling';
  return (
    <p className={`card reconciliation ${good ? 'good' : 'bad'}`} data-testid="reconciliation" data-status={check.status}>
      {good ? <CircleCheck size={18} aria-hidden /> : <CircleAlert size={18} aria-hidden />}
      <span>{text}</span>
    </p>
  );
}

function ConnectionCard({ status }: { status: WalletStatus }) {
  const { connection } = status;
  return (
    <section className="card section" aria-labelledby="connection-title" data-testid="wallet-connection">
      <h2 id="connection-title">Wallet connection</h2>
      {connection.state === 'none' && <p className="muted">None. Steward pays only through a wallet you connect.</p>}
      {connection.state === 'unreachable' && connection.reason === 'relay_not_allowed' && (
        // The card above says what to do; this one only names the state, not the whole explanation again.
        <p className="muted">Nostr Wallet Connect: not connected, its relay resolves to a local or private network address.</p>
      )}
      {connection.state === 'unreachable' && connection.reason !== 'relay_not_allowed' && (
        <p className="muted">Nostr Wallet Connect: the wallet did not answer ({connection.reason.replaceAll('_', ' ')}).</p>
      )}
      {connection.state === 'refused' && <p className="muted">Nostr Wallet Connect: the wallet refused ({connection.reason.replaceAll('_', ' ')}).</p>}
      {connection.state === 'connected' && (
        <dl className="balance-lines">
          <dt>Wallet</dt>
          <dd data-testid="wallet-alias">{connection.alias || 'unnamed'}</dd>
          <dt>Network</dt>
          <dd data-testid="wallet-network">{connection.networkReported}{connection.network === 'regtest' ? ' (test network: play money)' : ''}</dd>
          <dt>Connected through</dt>
          <dd>Nostr Wallet Connect (NIP-47)</dd>
          <dt>Allowed</dt>
          <dd className="methods">{connection.methods.join(', ') || 'not stated'}</dd>
        </dl>
      )}
      <p className="muted">The connection string is a secret: it is kept encrypted on the server and never shown.</p>
    </section>
  );
}

const MOVEMENT_LABELS: Record<Movement['kind'], string> = {
  welcome_credit: 'Welcome credit (sandbox play money)',
  top_up: 'Card top-up',
  refund: 'Refund',
  payment: 'Payment',
  fee: 'Routing fee',
  receipt: 'Received',
  withdrawal: 'Withdrawal',
  withdrawal_returned: 'Withdrawal: unused allowance returned',
  wallet_switch: 'Spending wallet changed',
  other: 'Adjustment',
};

const STATUS_LABELS: Record<Movement['status'], string> = { completed: 'Done', pending: 'Pending', failed: 'Failed, returned' };

function Movements({ summary }: { summary: WalletSummary }) {
  return (
    <section className="card section" aria-labelledby="movements-title">
      <div className="card-title-row">
        <h2 id="movements-title">Recent money movements</h2>
        <MovementsExport />
      </div>
      {summary.movements.length === 0 ? (
        <p className="muted">Nothing has moved yet.</p>
      ) : (
        <table className="table movements" data-testid="wallet-movements">
          <thead>
            <tr>
              <th scope="col" className="when">When</th>
              <th scope="col">What</th>
              <th scope="col" className="movement-status">Status</th>
              <th scope="col" className="amount">Amount</th>
              <th scope="col" className="amount">Fee</th>
            </tr>
          </thead>
          <tbody>
            {summary.movements.map((movement) => (
              <tr key={movement.id} data-kind={movement.kind} data-status={movement.status}>
                <td className="when">{formatWhen(movement.atMs)}</td>
                <td>
                  {MOVEMENT_LABELS[movement.kind]}
                  <span className="muted detail when-inline">{formatWhen(movement.atMs)}</span>
                  {(movement.service ?? movement.providerId ?? movement.note) && (
                    <span className="muted detail" title={movement.providerId ?? undefined}>
                      {[movement.service, movement.providerName, movement.note].filter(Boolean).join(' · ')}
                    </span>
                  )}
                </td>
                <td className={`movement-status ${movement.status}`}>{STATUS_LABELS[movement.status]}</td>
                <td className={`amount ${movement.amountMsat < 0 ? 'out' : 'in'}`}>
                  {movement.amountMsat > 0 ? '+' : ''}
                  {formatSatsWhole(movement.amountMsat, movement.amountMsat < 0 ? 'charge' : 'holding')}
                </td>
                <td className={movement.feeMsat > 0 ? 'amount fee' : 'amount fee none'}>{movement.feeMsat > 0 ? formatSatsWhole(signedMsat(movement.feeMsat), 'charge') : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { Link2, Unlink } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { AppRouter } from '../../../../server/api/router';
import { formatSats } from '../../../../shared/money';
import { connectOwnWalletSchema } from '../../../../shared/wallet';
import { Field, FormError } from '../../components/Field';
import { describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { ScanQrButton } from './ScanQrButton';
import { useProofStep } from './useProofStep';

const isConnectionString = (text: string) => /^nostr\+walletconnect:\/\//i.test(text);

type WalletStatus = inferRouterOutputs<AppRouter>['wallet']['status'];

const CONNECT_WORDING = {
  title: 'Confirm your own wallet',
  explanation: 'From now on the agent spends from the wallet you pasted, so this needs',
  submit: 'Confirm and connect',
};
const DISCONNECT_WORDING = {
  title: 'Confirm going back to the provided wallet',
  explanation: 'The agent will spend from the wallet Steward provided again, so this needs',
  submit: 'Confirm and disconnect',
};

/** The wallet's own NWC budget: a second line of defence behind Steward's budget. */
function BudgetLine({ budget }: { budget: WalletStatus['budget'] }) {
  if (!budget || budget.kind === 'unsupported') return <p className="muted">This wallet does not report a budget of its own.</p>;
  if (budget.kind === 'unlimited') return <p className="muted" data-testid="own-wallet-budget">The wallet sets no budget of its own on this connection.</p>;
  return (
    <p className="muted" data-testid="own-wallet-budget">
      The wallet’s own budget for this connection: {formatSats(budget.budget.usedMsat)} used of {formatSats(budget.budget.totalMsat)} ({budget.budget.renewalPeriod}).
    </p>
  );
}

/** Bring your own wallet: paste an NWC connection string, or go back to the provided wallet. */
export function OwnWalletPanel({ status }: { status: WalletStatus | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.wallet.pathKey() });
  const connect = useMutation(trpc.wallet.connectOwn.mutationOptions({ onSuccess: () => { setConnection(''); return refresh(); } }));
  const disconnect = useMutation(trpc.wallet.disconnectOwn.mutationOptions({ onSuccess: refresh }));
  const connectStep = useProofStep(connect, CONNECT_WORDING, () => 'Spend from your own wallet; the ledger balance becomes what it holds.');
  const disconnectStep = useProofStep(disconnect, DISCONNECT_WORDING, () => 'Spend from the provided wallet again; the ledger balance becomes what it holds.');

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = connectOwnWalletSchema.safeParse({ connectionString: connection });
    setFieldError(parsed.success ? undefined : parsed.error.issues[0]?.message);
    if (parsed.success) connectStep.submit({ connectionString: parsed.data.connectionString });
  }

  const own = status?.source === 'own';
  return (
    <section className="card section" aria-labelledby="own-wallet-title" data-testid="own-wallet" data-source={status?.source ?? 'unknown'}>
      <h2 id="own-wallet-title">Your own wallet</h2>
      {own ? (
        <>
          <p data-testid="own-wallet-connected">
            The agent spends from your own wallet{status.connection.state === 'connected' ? ` (${status.connection.alias || 'unnamed'})` : ''}. Your history stays here whichever wallet you use.
          </p>
          <BudgetLine budget={status.budget} />
          <div className="button-row">
            <button className="button" type="button" onClick={() => disconnectStep.submit({})} disabled={disconnect.isPending}>
              <Unlink size={16} aria-hidden /> Disconnect and use the provided wallet
            </button>
          </div>
          <FormError message={disconnectStep.problem ? describeProblem(disconnectStep.problem) : null} />
        </>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted">
            Paste a Nostr Wallet Connect string (e.g. an Alby Hub app connection) that allows pay_invoice and get_balance. Steward checks the wallet first, keeps the string encrypted, and spends from it from then on.
          </p>
          {/* Masked like a password: the string is a spending key, not for onlookers or screenshots. */}
          <Field
            label="NWC connection string"
            type="password"
            value={connection}
            onChange={(e) => setConnection(e.target.value)}
            error={fieldError}
            placeholder="nostr+walletconnect://…"
            autoComplete="off"
            spellCheck={false}
            data-testid="own-wallet-connection"
          />
          <div className="button-row">
            <button className="button primary" type="submit" disabled={connect.isPending}>
              <Link2 size={16} aria-hidden /> {connect.isPending ? 'Checking the wallet…' : 'Connect wallet'}
            </button>
            <ScanQrButton label="Scan its QR code" accept={isConnectionString} onScanned={setConnection} />
          </div>
          <FormError message={connectStep.problem ? describeProblem(connectStep.problem) : null} />
        </form>
      )}
      {connectStep.dialog}
      {disconnectStep.dialog}
    </section>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Send } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { formatSats } from '../../../../shared/money';
import { withdrawSchema } from '../../../../shared/wallet';
import { FormError, TextAreaField } from '../../components/Field';
import { describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { ScanQrButton } from './ScanQrButton';
import { useProofStep } from './useProofStep';

const isInvoiceText = (text: string) => /^(lightning:)?ln/i.test(text);

const WORDING = {
  title: 'Confirm the withdrawal',
  explanation: 'Money leaves your spending wallet, so this needs',
  submit: 'Confirm and pay',
};

/**
 * Withdraw: pay a Lightning invoice the person pasted out of their spending wallet, after a fresh
 * proof. The server refuses it while payments in progress would be left uncovered.
 */
export function WithdrawPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [invoice, setInvoice] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const withdraw = useMutation(
    trpc.wallet.withdraw.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.wallet.pathKey() }),
    }),
  );
  const step = useProofStep(withdraw, WORDING, () => 'Pay the invoice you pasted from your spending wallet.');

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = withdrawSchema.safeParse({ invoice });
    setFieldError(parsed.success ? undefined : parsed.error.issues[0]?.message);
    if (parsed.success) step.submit({ invoice: parsed.data.invoice });
  }

  const outcome = withdraw.data;
  return (
    <section className="card section" aria-labelledby="withdraw-title" data-testid="withdraw">
      <h2 id="withdraw-title">Withdraw</h2>
      <p className="muted">Paste a Lightning invoice from another wallet; Steward pays it from your spending wallet.</p>
      <form className="form" onSubmit={submit} noValidate>
        <TextAreaField label="Lightning invoice" value={invoice} onChange={(e) => setInvoice(e.target.value)} error={fieldError} placeholder="lnbc…" data-testid="withdraw-invoice" />
        <div className="button-row">
          <button className="button primary" type="submit" disabled={withdraw.isPending}>
            <Send size={16} aria-hidden /> Withdraw
          </button>
          <ScanQrButton label="Scan an invoice" accept={isInvoiceText} onScanned={(text) => setInvoice(text.replace(/^lightning:/i, ''))} />
        </div>
      </form>
      <FormError message={step.problem ? describeProblem(step.problem) : null} />
      {outcome && (
        <p className={outcome.status === 'failed' ? 'wallet-problem' : 'muted'} data-testid="withdraw-outcome" data-status={outcome.status}>
          {outcome.status === 'paid' && `Paid ${formatSats(outcome.amountMsat)} (routing fee ${formatSats(outcome.feeMsat)}).`}
          {outcome.status === 'pending' && 'Sent; the wallet has not confirmed it yet. It stays pending until it does, and is never paid twice.'}
          {outcome.status === 'failed' && `The wallet could not pay it (${outcome.reason.replaceAll('_', ' ')}). Nothing left your balance.`}
        </p>
      )}
      {step.dialog}
    </section>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleCheck, Hourglass, QrCode } from 'lucide-react';
import QRCode from 'qrcode';
import { useEffect, useState, type FormEvent } from 'react';
import { formatSats, type Msat } from '../../../../shared/money';
import { createInvoiceSchema } from '../../../../shared/wallet';
import { Field, FormError, TextAreaField } from '../../components/Field';
import { describeProblem, apiProblem, problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** What the QR code holds: the BOLT11 URI in capitals, which QR stores most compactly (alphanumeric mode). */
export const invoiceQrText = (invoice: string) => `lightning:${invoice}`.toUpperCase();

/** How often the page asks whether the invoice was paid (the server asks the wallet: lookup_invoice). */
const WATCH_MS = 2_000;

/**
 * Receive: an invoice from the person's spending wallet (make_invoice over NWC), shown as a QR code and
 * as text, watched until it is paid; the balance updates without a reload when it is.
 */
export function ReceivePanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState('1000');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const create = useMutation(trpc.wallet.createInvoice.mutationOptions());
  const receive = create.data;
  const watch = useQuery({
    ...trpc.wallet.receiveStatus.queryOptions({ id: receive?.id ?? '00000000-0000-4000-8000-000000000000' }),
    enabled: Boolean(receive),
    refetchInterval: (query) => (query.state.data?.status === 'open' || !query.state.data ? WATCH_MS : false),
  });
  const status = watch.data?.status ?? receive?.status;

  useEffect(() => {
    if (status === 'settled') void queryClient.invalidateQueries({ queryKey: trpc.wallet.pathKey() });
  }, [status, queryClient, trpc]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = createInvoiceSchema.safeParse({ amountSat: Number(amount) });
    setFieldError(parsed.success ? undefined : parsed.error.issues[0]?.message);
    if (parsed.success) create.mutate(parsed.data);
  }

  const problem = apiProblem(create.error);
  return (
    <section className="card section" aria-labelledby="receive-title" data-testid="receive">
      <h2 id="receive-title">Receive</h2>
      <p className="muted">Get a Lightning invoice for your spending wallet and pay it from any wallet.</p>
      <form className="form inline-form" onSubmit={submit} noValidate>
        <Field label="Amount in sats" inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} error={fieldError ?? problem?.fieldErrors.amountSat} data-testid="receive-amount" />
        <button className="button primary" type="submit" disabled={create.isPending}>
          <QrCode size={16} aria-hidden /> Create invoice
        </button>
      </form>
      <FormError message={problem && !problem.fieldErrors.amountSat ? describeProblem(problem) : null} />
      {receive && <InvoiceView invoice={receive.invoice} amountMsat={receive.amountMsat} status={status ?? 'open'} />}
      {/* Watching refused (asked too often): say so; the watch carries on when the window ends. */}
      {receive && <FormError message={problemText(watch.error)} />}
    </section>
  );
}

function InvoiceView(props: { invoice: string; amountMsat: Msat; status: 'open' | 'settled' | 'expired' }) {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void QRCode.toDataURL(invoiceQrText(props.invoice), { margin: 1, width: 240 }).then((url) => live && setQr(url));
    return () => {
      live = false;
    };
  }, [props.invoice]);

  return (
    <div className="invoice" data-testid="receive-invoice-view" data-status={props.status}>
      {props.status === 'settled' ? (
        <p className="receive-done" data-testid="receive-status">
          <CircleCheck size={18} aria-hidden /> Received {formatSats(props.amountMsat )}. It is in your balance.
        </p>
      ) : props.status === 'expired' ? (
        <p className="muted" data-testid="receive-status">This invoice expired unpaid. Create a new one.</p>
      ) : (
        <p className="muted" data-testid="receive-status">
          <Hourglass size={14} aria-hidden /> Waiting for {formatSats(props.amountMsat )}… this updates by itself when it is paid.
        </p>
      )}
      {props.status === 'open' && qr && <img className="invoice-qr" src={qr} alt="QR code of the Lightning invoice" data-testid="receive-qr" data-qr-text={invoiceQrText(props.invoice)} width={240} height={240} />}
      {props.status === 'open' && (
        <TextAreaField label="Invoice" readOnly value={props.invoice} data-testid="receive-invoice" onFocus={(e) => e.target.select()} />
      )}
    </div>
  );
}

import { useMutation, useQuery } from '@tanstack/react-query';
import { CreditCard } from 'lucide-react';
import { useState } from 'react';
import { formatUsd, parseUsdCents, type UsdCents } from '../../../../../shared/money';
import { TOP_UP_PRESETS_USD_CENTS, topUpSentence } from '../../../../../shared/topups';
import { problemText } from '../../../lib/api-error';
import { useTRPC } from '../../../lib/trpc';
import './topups.css';

/** "12.5" -> 1250 cents; null for anything that is not a dollar amount with at most two decimals. */
function centsOf(text: string): UsdCents | null {
  const match = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  const parsed = parseUsdCents(Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')));
  return parsed.ok ? parsed.value : null;
}

/**
 * Card top-ups on the Wallet page: a preset or custom amount within the operator's limits, the
 * locked-rate sentence before paying, then off to Stripe's hosted checkout. Stripe brings the person
 * back to the top-up's own page (TopUpStatusPage), which follows it live.
 */
export function TopUpCard() {
  const trpc = useTRPC();
  const limits = useQuery(trpc.topUps.limits.queryOptions());
  const [preset, setPreset] = useState<UsdCents | null>(TOP_UP_PRESETS_USD_CENTS[1] as UsdCents);
  const [custom, setCustom] = useState('');
  const amount = preset ?? centsOf(custom);
  const inRange = amount !== null && limits.data !== undefined && amount >= limits.data.minUsdCents && amount <= limits.data.maxUsdCents;
  const quote = useQuery({ ...trpc.topUps.quote.queryOptions({ amountUsdCents: amount ?? (0 as UsdCents) }), enabled: inRange, retry: false });
  const create = useMutation(
    trpc.topUps.create.mutationOptions({
      onSuccess: (topUp) => {
        if (topUp.checkoutUrl) window.location.assign(topUp.checkoutUrl);
      },
    }),
  );
  const problem = problemText(create.error) ?? problemText(quote.error);

  return (
    <section className="card section top-up-card" aria-labelledby="top-up-title" data-testid="top-up">
      <h2 id="top-up-title">Add money with a card</h2>
      <div className="top-up-presets" role="group" aria-label="Amount">
        {TOP_UP_PRESETS_USD_CENTS.map((cents) => (
          <button
            key={cents}
            type="button"
            className={`button ${preset === cents ? 'selected' : ''}`}
            aria-pressed={preset === cents}
            onClick={() => {
              setPreset(cents as UsdCents);
              setCustom('');
            }}
          >
            {formatUsd(cents as UsdCents)}
          </button>
        ))}
      </div>
      <div className="field">
        <label htmlFor="top-up-custom">Or another amount (USD)</label>
        <input
          id="top-up-custom"
          inputMode="decimal"
          placeholder="25.00"
          value={custom}
          onChange={(event) => {
            setCustom(event.target.value);
            setPreset(null);
          }}
        />
        {limits.data && (
          <p className="field-hint">
            From {formatUsd(limits.data.minUsdCents)} to {formatUsd(limits.data.maxUsdCents)}, up to {formatUsd(limits.data.perDayUsdCents)} in 24 hours.
          </p>
        )}
        {preset === null && custom !== '' && !inRange && <p className="field-error">Enter an amount within those limits.</p>}
      </div>
      {inRange && quote.data && (
        <p className="top-up-quote" data-testid="top-up-quote">
          {topUpSentence(quote.data)}
        </p>
      )}
      {problem && <p className="form-error" role="alert">{problem}</p>}
      <div className="button-row">
        <button
          type="button"
          className="button primary"
          disabled={!inRange || !quote.data || create.isPending}
          onClick={() => amount !== null && create.mutate({ amountUsdCents: amount })}
        >
          <CreditCard size={16} aria-hidden /> {create.isPending ? 'Opening checkout…' : `Pay ${amount !== null ? formatUsd(amount) : ''} with a card`}
        </button>
      </div>
      <p className="muted top-up-note">
        The rate is locked when you press pay. Stripe takes the card; the sats arrive in your Lightning wallet within seconds of the payment.
      </p>
    </section>
  );
}

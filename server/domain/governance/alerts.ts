// Alert logic: which alerts are due, how each is worded, and the key that makes it fire once.
// Pure: delivering (in-app, email, push) and remembering what fired belong to callers and the
// repository, whose UNIQUE (user, period, threshold) row makes budget alerts idempotent under races.
import type { GovernanceAlert } from '../../../shared/governance';
import { formatSats, type BtcUsdRate, type Msat } from '../../../shared/money';
import { formatAllowance, formatSpend, percentOf } from './budget';

/** used / limit >= percent / 100, computed exactly (no float percentages near a boundary). */
export function thresholdReached(usedMsat: Msat, limitMsat: Msat, percent: number): boolean {
  return BigInt(usedMsat) * 100n >= BigInt(limitMsat) * BigInt(percent);
}

/**
 * The budget thresholds to fire now: every configured threshold the usage has reached that has not
 * fired this period, lowest first. It asks "reached and not yet fired" rather than "crossed by this
 * spend" on purpose: a firing lost to a crash, or a limit lowered mid-month, still alerts on the
 * next check, and a refund that lowers usage never re-fires what already fired.
 */
export function thresholdsCrossed(input: {
  usedMsat: Msat;
  limitMsat: Msat;
  thresholdsPercent: readonly number[];
  alreadyFired: ReadonlySet<number> | readonly number[];
}): number[] {
  const fired = new Set(input.alreadyFired);
  return [...new Set(input.thresholdsPercent)]
    .filter((percent) => !fired.has(percent) && thresholdReached(input.usedMsat, input.limitMsat, percent))
    .sort((a, b) => a - b);
}

/**
 * Low wallet balance fires when the balance goes from at-or-above the threshold to below it, so a
 * balance that stays low does not alert on every payment; topping up re-arms it.
 */
export function lowBalanceAlert(input: {
  beforeMsat: Msat;
  afterMsat: Msat;
  thresholdMsat: Msat;
}): Extract<GovernanceAlert, { kind: 'low_balance' }> | null {
  if (input.afterMsat >= input.thresholdMsat || input.beforeMsat < input.thresholdMsat) return null;
  return { kind: 'low_balance', availableMsat: input.afterMsat, thresholdMsat: input.thresholdMsat };
}

/** 1% = 100 basis points; the integer unit for "how far did the price move". */
const BASIS_POINTS = 10_000n;

/**
 * Price drift: the invoice asks for more than was quoted by more than the tolerance. A cheaper
 * invoice is not drift worth telling anyone about. The drift is rounded up so that a tolerance of
 * exactly N basis points allows exactly N.
 */
export function priceDriftAlert(input: {
  serviceId: string;
  quotedMsat: Msat;
  invoiceMsat: Msat;
  toleranceBasisPoints: number;
}): Extract<GovernanceAlert, { kind: 'price_drift' }> | null {
  if (input.quotedMsat <= 0) throw new Error('price drift needs a positive quoted amount');
  if (input.invoiceMsat <= input.quotedMsat) return null;
  const increase = BigInt(input.invoiceMsat - input.quotedMsat) * BASIS_POINTS;
  const quoted = BigInt(input.quotedMsat);
  const driftBasisPoints = Number((increase + quoted - 1n) / quoted);
  if (driftBasisPoints <= input.toleranceBasisPoints) return null;
  return {
    kind: 'price_drift',
    serviceId: input.serviceId,
    quotedMsat: input.quotedMsat,
    invoiceMsat: input.invoiceMsat,
    driftBasisPoints,
  };
}

/**
 * A stable identity per alert occurrence, for storing it once and for de-duplicating deliveries:
 * budget thresholds once per period, the others once per event they describe.
 */
/** The key of the alert that says an approval is waiting; answering the approval marks it done. */
export const approvalWaitingKey = (approvalId: string): string => `approval_waiting:${approvalId}`;

export function alertKey(alert: GovernanceAlert): string {
  switch (alert.kind) {
    case 'budget_threshold':
      return `budget_threshold:${alert.periodKey}:${alert.thresholdPercent}`;
    case 'low_balance':
      return `low_balance:${alert.thresholdMsat}:${alert.availableMsat}`;
    case 'approval_waiting':
      return approvalWaitingKey(alert.approvalId);
    case 'price_drift':
      return `price_drift:${alert.serviceId}:${alert.quotedMsat}:${alert.invoiceMsat}`;
    case 'payment_failed':
      return `payment_failed:${alert.paymentHash}`;
    case 'dispute_update':
      return `dispute_update:${alert.disputeId}:${alert.status}`;
  }
}

function formatPercent(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const fraction = basisPoints % 100;
  return fraction === 0 ? `${whole}%` : `${whole}.${String(fraction).padStart(2, '0').replace(/0$/, '')}%`;
}

/** The sentence shown for an alert, amounts in both units at the given rate. */
export function alertMessage(alert: GovernanceAlert, rate: BtcUsdRate): string {
  switch (alert.kind) {
    case 'budget_threshold': {
      const used = formatSpend(alert.usedMsat, rate);
      const limit = formatAllowance(alert.limitMsat, rate);
      return alert.thresholdPercent >= 100
        ? `You have used your whole monthly budget: ${used} of ${limit}.`
        : `You have used ${percentOf(alert.usedMsat, alert.limitMsat)}% of your monthly budget: ${used} of ${limit}.`;
    }
    case 'low_balance':
      return `Your wallet is running low: ${formatAllowance(alert.availableMsat, rate)} left, under your ${formatSats(alert.thresholdMsat)} alert.`;
    case 'approval_waiting':
      return `A payment of up to ${formatSpend(alert.maxMsat, rate)} to ${alert.serviceId} is waiting for your approval.`;
    case 'price_drift':
      return `${alert.serviceId} asked for ${formatSats(alert.invoiceMsat)}, ${formatPercent(alert.driftBasisPoints)} more than the ${formatSats(alert.quotedMsat)} it quoted.`;
    case 'payment_failed':
      return `A payment to ${alert.serviceId} failed (${alert.reason}); nothing was spent from your budget for it.`;
    case 'dispute_update':
      return `Your dispute ${alert.disputeId} is now ${alert.status.replaceAll('_', ' ')}.`;
  }
}

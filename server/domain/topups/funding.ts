/**
 * Funding a paid top-up: the person's spending wallet makes an invoice for exactly the quoted msat
 * (make_invoice over NWC) and the treasury pays it (pay_invoice). Every step is written down before
 * the next one runs, so a crash anywhere resumes from the last recorded step:
 *
 *   paid --make_invoice--> funding (invoice + payment hash stored)
 *        --lookup at the receiver: settled?--> funded
 *        --lookup at the treasury: in flight?--> wait
 *        --pay_invoice--> funded | funding_delayed (treasury refused) | funding (outcome unknown)
 *
 * Never pay twice: before every payment the receiving wallet is asked whether the invoice is already
 * settled, and the treasury whether it is already paying it; without an answer nothing is paid. The
 * ledger is credited (creditUserFunding, keyed by the top-up) in the same transaction that marks the
 * top-up funded, so the credit happens exactly once.
 */
import { formatSats, msat } from '../../../shared/money';
import type { TopUpRow } from '../../db/schema/topups';
import { creditUserFunding, payFromTreasury, retryDelayMs } from '../payments';
import type { HeldLease } from '../background';
import type { WalletPort } from '../ports/wallet';
import type { TopUpEngineDeps } from './deps';
import { settleReversal } from './reversal';

/** A top-up in these is still to be funded; any other status (refunded or disputed first, say) sends nothing. */
const FUNDING_STATUSES: readonly TopUpRow['status'][] = ['paid', 'funding', 'funding_delayed'];

/** How long the person's invoice stays payable; a new one is made if it lapses unpaid. */
const INVOICE_EXPIRY_SEC = 24 * 60 * 60;

export type FundingStep =
  | 'funded'
  | 'not_due'
  | 'no_wallet'
  | 'invoice_failed'
  | 'invoice_lapsed'
  | 'outcome_unknown'
  | 'treasury_in_flight'
  | 'treasury_refused'
  | 'no_treasury'
  /** Another instance took the top-up's lease during the attempt (this one stalled past it): left to it. */
  | 'lease_lost';

/**
 * Takes a paid top-up as far as it can go now; a step that must wait schedules the next attempt. Runs
 * under the top-up's lease, confirmed before the invoice is stored and before the treasury pays.
 */
export async function advanceFunding(deps: TopUpEngineDeps, topUpId: string, held: HeldLease): Promise<FundingStep> {
  const row = deps.repo.byId(topUpId);
  if (!row || !FUNDING_STATUSES.includes(row.status)) return 'not_due';
  const wallet = await deps.walletFor(row.userId);
  if (!wallet) return retryLater(deps, row, 'no_wallet', 'The person has no spending wallet connected.');
  const withInvoice = row.invoice && row.paymentHash ? row : await makeInvoice(deps, wallet, row, held);
  if (withInvoice === 'lease_lost' || withInvoice === 'not_due') return withInvoice;
  if (!withInvoice?.invoice || !withInvoice.paymentHash) return 'invoice_failed';
  const invoice = { invoice: withInvoice.invoice, paymentHash: withInvoice.paymentHash };

  const paid = await payFromTreasury(wallet, deps.treasury, invoice, held);
  switch (paid.step) {
    case 'lease_lost':
      return paid.step;
    case 'settled':
      return markFunded(deps, withInvoice);
    case 'invoice_lapsed':
      return dropInvoice(deps, withInvoice);
    case 'retry':
      return retryLater(deps, withInvoice, paid.why, paid.error);
    case 'no_treasury':
      return delayFunding(deps, withInvoice, 'no_treasury', 'No treasury wallet is configured.');
    case 'treasury_refused':
      return delayFunding(deps, withInvoice, 'treasury_refused', paid.error);
  }
}

async function makeInvoice(deps: TopUpEngineDeps, wallet: WalletPort, row: TopUpRow, held: HeldLease): Promise<TopUpRow | 'lease_lost' | 'not_due' | null> {
  const made = await wallet.makeInvoice({ amountMsat: msat(row.amountMsat), description: `Steward top-up ${row.id}`, expirySec: INVOICE_EXPIRY_SEC });
  if (!made.ok) {
    retryLater(deps, row, 'invoice_failed', `make_invoice: ${made.message}`);
    return null;
  }
  if (made.value.amountMsat !== row.amountMsat || !made.value.invoice) {
    retryLater(deps, row, 'invoice_failed', `make_invoice answered an invoice for ${made.value.amountMsat} msat, not ${row.amountMsat}`);
    return null;
  }
  // Only the holder stores the invoice: the one the treasury may pay is the one stored.
  if (!held.confirm()) return 'lease_lost';
  const patch = { invoice: made.value.invoice, paymentHash: made.value.paymentHashHex, status: 'funding' as const, updatedAtMs: deps.now() };
  const next = deps.database.db.transaction(
    () => {
      // Read again under the write lock: a refund or dispute that arrived while the wallet made the
      // invoice closed the top-up (nothing is sent), and storing the invoice would reopen it.
      const current = deps.repo.byId(row.id);
      if (!current || !FUNDING_STATUSES.includes(current.status) || current.invoice !== null) return null;
      deps.repo.update(row.id, patch);
      return { ...current, ...patch };
    },
    { behavior: 'immediate' },
  );
  if (!next) return 'not_due';
  deps.changed(next);
  return next;
}

function markFunded(deps: TopUpEngineDeps, row: TopUpRow): FundingStep {
  const funded = deps.database.db.transaction(
    () => {
      const current = deps.repo.byId(row.id);
      if (!current || current.fundedAtMs !== null) return null;
      const credit = creditUserFunding(deps.ledger, {
        userId: row.userId,
        amountMsat: msat(row.amountMsat),
        idempotencyKey: `topup:${row.id}`,
        source: 'stripe',
        // The wallet's reconciliation knows this incoming payment by its hash (not money from outside).
        ...(current.paymentHash ? { paymentHash: current.paymentHash } : {}),
      });
      if (!credit.ok) throw new Error(`top-up ${row.id} credit refused: ${credit.reason}`);
      const patch = { status: 'funded' as const, fundedAtMs: deps.now(), updatedAtMs: deps.now(), nextAttemptAtMs: null, lastError: null };
      deps.repo.update(row.id, patch);
      return { ...current, ...patch };
    },
    { behavior: 'immediate' },
  );
  if (funded) {
    deps.changed(funded);
    // Said to the person too: the Alerts centre keeps it, and open pages (the Home dashboard) refresh on it.
    deps.alerts.notify(row.userId, {
      kind: 'top_up',
      severity: 'info',
      title: 'Your top-up arrived',
      body: `${formatSats(msat(row.amountMsat))} from your card top-up are in your wallet, ready for the agent to spend.`,
      data: { topUpId: row.id, amountMsat: row.amountMsat },
      dedupeKey: `top_up:${row.id}:funded`,
    });
    // A refund or dispute that arrived while the sats were on their way is taken back now.
    if (funded.refundedUsdCents > 0 || funded.disputed) settleReversal(deps, funded.id);
  }
  return 'funded';
}

function dropInvoice(deps: TopUpEngineDeps, row: TopUpRow): FundingStep {
  // The receiver does not have it or it lapsed unpaid, so it was never paid: the next attempt makes a new one.
  deps.repo.update(row.id, { invoice: null, paymentHash: null, nextAttemptAtMs: deps.now(), updatedAtMs: deps.now() });
  return 'invoice_lapsed';
}

function retryLater<S extends FundingStep>(deps: TopUpEngineDeps, row: TopUpRow, step: S, error: string): S {
  deps.repo.update(row.id, {
    fundingAttempts: row.fundingAttempts + 1,
    nextAttemptAtMs: deps.now() + retryDelayMs(row.fundingAttempts),
    lastError: error,
    updatedAtMs: deps.now(),
  });
  return step;
}

/** The treasury cannot pay: keep the top-up (never lost), retry with backoff, and tell the operators once. */
function delayFunding<S extends FundingStep>(deps: TopUpEngineDeps, row: TopUpRow, step: S, error: string): S {
  const patch = {
    status: 'funding_delayed' as const,
    fundingAttempts: row.fundingAttempts + 1,
    nextAttemptAtMs: deps.now() + retryDelayMs(row.fundingAttempts),
    lastError: error,
    updatedAtMs: deps.now(),
  };
  deps.repo.update(row.id, patch);
  if (row.status !== 'funding_delayed') {
    deps.changed({ ...row, ...patch });
    for (const operatorId of deps.operatorIds()) {
      deps.alerts.notify(operatorId, {
        kind: 'top_up',
        severity: 'critical',
        title: 'The treasury cannot fund a top-up',
        body: `Top-up ${row.id} (${formatSats(msat(row.amountMsat))}) is paid by card but waiting: ${error}. It is retried until the treasury can pay.`,
        data: { topUpId: row.id, userId: row.userId, amountMsat: row.amountMsat },
        dedupeKey: `top_up:${row.id}:funding_delayed`,
      });
    }
  }
  return step;
}

/**
 * Withdraw: pay an invoice the person pasted out of their spending wallet. Money leaving Steward, so
 * it needs a fresh proof (wallet-proof.ts); it is a movement of the person's own money, not a spend,
 * so it never touches the budget (its hold is a single-phase transfer to the person's `withdrawing`
 * account, not a ledger reservation, which governance counts as spending).
 *
 * The payments discipline, never pay twice: the hold and the operation row (keyed by payment hash,
 * unique) are written before the wallet is asked; `paying` is marked before the call; a definite
 * failure releases the hold; an unknown outcome stays `paying` and only reconciliation
 * (lookup_invoice) settles it. Nothing here ever retries a payment.
 */
import { randomUUID } from 'node:crypto';
import { msat, type Msat } from '../../../shared/money';
import type { WalletRepository } from '../../db/repositories/wallet-repository';
import type { WalletOperationRow } from '../../db/schema/wallet';
import type { RequestMeta } from '../accounts/types';
import { debtRefusal, type DebtReader } from '../governance';
import { lightningAccount, routingFeesAccount, userAvailableAccount, userWithdrawingAccount, type Ledger } from '../ledger';
import { feeAllowanceFor } from '../payments';
import type { DecodeInvoice, InvoiceFacts } from '../ports/invoice';
import { unansweredReason, type BitcoinNetwork, type WalletPort } from '../ports/wallet';
import { proveFresh, type ProofDeps, type ProofRefusal } from './wallet-proof';

/** An invoice must stay payable this long after we check it, or the payment may race its expiry. */
const EXPIRY_MARGIN_MS = 30_000;

export type WithdrawRefusal =
  | 'invalid_invoice'
  | 'wrong_network'
  | 'amountless_invoice'
  | 'invoice_expired'
  | 'already_withdrawn'
  | 'no_wallet'
  | 'wallet_unreachable'
  /** The own wallet's relay now resolves to an address the server does not connect to. */
  | 'relay_not_allowed'
  | 'insufficient_funds'
  | 'would_uncover_pending_spends'
  /** A refunded or disputed top-up left the person owing: what they hold now repays it first. */
  | 'account_in_debt'
  | ProofRefusal;

export type WithdrawOutcome =
  | { status: 'paid'; operationId: string; amountMsat: Msat; feeMsat: Msat }
  | { status: 'failed'; operationId: string; reason: string }
  /** The wallet did not say: it may have paid. Shown as pending; reconciliation finishes it. */
  | { status: 'pending'; operationId: string };

export interface WithdrawDeps {
  repo: Pick<WalletRepository, 'insertOperation' | 'operationByHash' | 'transition' | 'operation'>;
  ledger: Pick<Ledger, 'transfer' | 'userBalances'>;
  /** Top-up debts (domain/topups), read in the hold's transaction. */
  debts: DebtReader;
  walletFor: (userId: string) => Promise<WalletPort | null>;
  decodeInvoice: DecodeInvoice;
  network: BitcoinNetwork;
  proof: ProofDeps;
  transaction: <T>(fn: () => T) => T;
  audit: (userId: string, detail: Record<string, string>, meta: RequestMeta) => void;
  now: () => number;
}

type Checked = { ok: true; invoice: InvoiceFacts & { amountMsat: Msat } } | { ok: false; reason: WithdrawRefusal };

function checkInvoice(deps: Pick<WithdrawDeps, 'decodeInvoice' | 'network' | 'repo' | 'now'>, paymentRequest: string): Checked {
  const decoded = deps.decodeInvoice(paymentRequest.trim());
  if (!decoded.ok) return { ok: false, reason: 'invalid_invoice' };
  const { invoice } = decoded;
  if (invoice.network !== deps.network) return { ok: false, reason: 'wrong_network' };
  if (invoice.amountMsat === null || invoice.amountMsat <= 0) return { ok: false, reason: 'amountless_invoice' };
  if (invoice.expiresAtSec * 1000 <= deps.now() + EXPIRY_MARGIN_MS) return { ok: false, reason: 'invoice_expired' };
  if (deps.repo.operationByHash('withdraw', invoice.paymentHashHex)) return { ok: false, reason: 'already_withdrawn' };
  return { ok: true, invoice: { ...invoice, amountMsat: invoice.amountMsat } };
}

/**
 * The wallet must hold the withdrawal on top of what pending spends still need: the ledger holds
 * them, but the wallet may not have paid them yet, and may hold less than the ledger says.
 */
async function coversPendingSpends(deps: Pick<WithdrawDeps, 'ledger'>, wallet: WalletPort, userId: string, neededMsat: Msat): Promise<WithdrawRefusal | null> {
  const balance = await wallet.getBalance();
  if (!balance.ok) return balance.outcome === 'unknown' ? unansweredReason(balance) : 'wallet_unreachable';
  const { reservedMsat } = deps.ledger.userBalances(userId);
  return balance.value.balanceMsat - reservedMsat < neededMsat ? 'would_uncover_pending_spends' : null;
}

/** The hold and the operation row, together: the write-ahead record of the withdrawal. */
function writeAhead(deps: WithdrawDeps, userId: string, paymentRequest: string, invoice: InvoiceFacts & { amountMsat: Msat }): { ok: true; op: WalletOperationRow } | { ok: false; reason: WithdrawRefusal } {
  const nowMs = deps.now();
  const feeAllowanceMsat = feeAllowanceFor(invoice.amountMsat);
  const op: WalletOperationRow = {
    id: randomUUID(),
    userId,
    kind: 'withdraw',
    status: 'reserved',
    paymentHash: invoice.paymentHashHex,
    invoice: paymentRequest.trim(),
    amountMsat: invoice.amountMsat,
    feeAllowanceMsat,
    feeMsat: null,
    failureReason: null,
    expiresAtMs: invoice.expiresAtSec * 1000,
    createdAtMs: nowMs,
    settledAtMs: null,
  };
  return deps.transaction(() => {
    if (deps.repo.operationByHash('withdraw', op.paymentHash)) return { ok: false, reason: 'already_withdrawn' } as const;
    const inDebt = debtRefusal(deps.debts, userId);
    if (inDebt) return { ok: false, reason: inDebt } as const;
    const held = deps.ledger.transfer({
      idempotencyKey: `withdraw:${op.id}:hold`,
      debit: userAvailableAccount(userId),
      credit: userWithdrawingAccount(userId),
      amountMsat: msat(op.amountMsat + feeAllowanceMsat),
      reason: 'withdrawal',
      metadata: { userId, paymentHash: op.paymentHash, operationId: op.id },
    });
    if (!held.ok) return { ok: false, reason: held.reason === 'insufficient_funds' ? 'insufficient_funds' : 'already_withdrawn' } as const;
    deps.repo.insertOperation(op);
    return { ok: true, op } as const;
  });
}

/**
 * Finishes a paid withdrawal: the amount leaves to the Lightning network, the fee to routing fees, the
 * rest of the allowance back to available. A fee above the allowance is still money that left the
 * wallet: it is taken from available, as far as it goes (the drift check reports any remainder).
 */
export function settleWithdrawalPaid(deps: Pick<WithdrawDeps, 'ledger' | 'repo' | 'transaction' | 'now'>, op: WalletOperationRow, feeMsat: Msat): boolean {
  return deps.transaction(() => {
    if (!deps.repo.transition(op.id, ['reserved', 'paying'], { status: 'settled', feeMsat, settledAtMs: deps.now() })) return false;
    const withdrawing = userWithdrawingAccount(op.userId);
    const fromHoldMsat = Math.min(feeMsat, op.feeAllowanceMsat);
    const moves = [
      { key: 'paid', debit: withdrawing, credit: lightningAccount, amountMsat: op.amountMsat, reason: 'withdrawal_paid' },
      { key: 'fee', debit: withdrawing, credit: routingFeesAccount, amountMsat: fromHoldMsat, reason: 'withdrawal_fee' },
      { key: 'change', debit: withdrawing, credit: userAvailableAccount(op.userId), amountMsat: op.feeAllowanceMsat - fromHoldMsat, reason: 'withdrawal_change' },
    ];
    const overrunMsat = Math.min(feeMsat - fromHoldMsat, deps.ledger.userBalances(op.userId).availableMsat);
    if (overrunMsat > 0) moves.push({ key: 'fee-overrun', debit: userAvailableAccount(op.userId), credit: routingFeesAccount, amountMsat: overrunMsat, reason: 'withdrawal_fee' });
    for (const move of moves) {
      if (move.amountMsat <= 0) continue;
      const done = deps.ledger.transfer({ idempotencyKey: `withdraw:${op.id}:${move.key}`, debit: move.debit, credit: move.credit, amountMsat: msat(move.amountMsat), reason: move.reason, metadata: { userId: op.userId, operationId: op.id } });
      if (!done.ok) throw new Error(`settling withdrawal ${op.id} failed: ${done.reason}`);
    }
    return true;
  });
}

/** The wallet definitely did not pay: the whole hold goes back to available. */
export function settleWithdrawalFailed(deps: Pick<WithdrawDeps, 'ledger' | 'repo' | 'transaction' | 'now'>, op: WalletOperationRow, reason: string): boolean {
  return deps.transaction(() => {
    if (!deps.repo.transition(op.id, ['reserved', 'paying'], { status: 'failed', failureReason: reason, settledAtMs: deps.now() })) return false;
    const released = deps.ledger.transfer({
      idempotencyKey: `withdraw:${op.id}:release`,
      debit: userWithdrawingAccount(op.userId),
      credit: userAvailableAccount(op.userId),
      amountMsat: msat(op.amountMsat + op.feeAllowanceMsat),
      reason: 'withdrawal_returned',
      metadata: { userId: op.userId, operationId: op.id },
    });
    if (!released.ok) throw new Error(`releasing withdrawal ${op.id} failed: ${released.reason}`);
    return true;
  });
}

export function createWithdraw(deps: WithdrawDeps) {
  async function withdraw(
    input: { userId: string; invoice: string; code?: string | undefined; password?: string | undefined },
    meta: RequestMeta,
  ): Promise<{ ok: true; outcome: WithdrawOutcome } | { ok: false; reason: WithdrawRefusal; retryAt?: string }> {
    const checked = checkInvoice(deps, input.invoice);
    if (!checked.ok) return checked;
    const { invoice } = checked;
    const wallet = await deps.walletFor(input.userId);
    if (!wallet) return { ok: false, reason: 'no_wallet' };
    const uncovered = await coversPendingSpends(deps, wallet, input.userId, msat(invoice.amountMsat + feeAllowanceFor(invoice.amountMsat)));
    if (uncovered) return { ok: false, reason: uncovered };
    const proven = await proveFresh(deps.proof, input, { kind: 'withdraw', id: invoice.paymentHashHex }, meta);
    if (!proven.ok) return proven;
    const written = writeAhead(deps, input.userId, input.invoice, invoice);
    if (!written.ok) return written;
    const { op } = written;
    // Asked again now the hold is written: a change of spending wallet is refused from here on
    // (wallet-switch.ts), so the wallet in use now is the one whose balance the hold was taken from.
    const payingWallet = (await deps.walletFor(input.userId)) ?? wallet;
    if (!deps.repo.transition(op.id, ['reserved'], { status: 'paying' })) return { ok: true, outcome: { status: 'pending', operationId: op.id } };
    deps.audit(input.userId, { amountSat: String(Math.floor(op.amountMsat / 1000)), paymentHash: op.paymentHash }, meta);
    const paid = await payingWallet.payInvoice(op.invoice);
    if (paid.status === 'unknown') return { ok: true, outcome: { status: 'pending', operationId: op.id } };
    if (paid.status === 'failed') {
      settleWithdrawalFailed(deps, op, paid.reason);
      return { ok: true, outcome: { status: 'failed', operationId: op.id, reason: paid.reason } };
    }
    const feeMsat = paid.feesPaidMsat ?? (await feeFromLookup(payingWallet, op));
    settleWithdrawalPaid(deps, op, feeMsat);
    return { ok: true, outcome: { status: 'paid', operationId: op.id, amountMsat: msat(op.amountMsat), feeMsat } };
  }

  return { withdraw };
}

/** The wallet paid without naming the fee: ask it; if it still will not say, count the whole allowance. */
async function feeFromLookup(wallet: WalletPort, op: WalletOperationRow): Promise<Msat> {
  const found = await wallet.lookupInvoice({ paymentHashHex: op.paymentHash });
  return found.ok ? found.value.feesPaidMsat : msat(op.feeAllowanceMsat);
}

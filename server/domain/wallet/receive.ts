/**
 * Receive: the person asks their spending wallet for a Lightning invoice (make_invoice over NWC) and
 * sees the payment arrive. Arrival is learnt by asking the wallet (lookup_invoice) while the page
 * watches, and by the periodic reconciliation otherwise; both credit the ledger through
 * `creditReceipt`, whose ledger key is the payment hash, so a receipt is credited exactly once
 * however many times, and by whom, it is noticed.
 */
import { randomUUID } from 'node:crypto';
import { msat, type Msat } from '../../../shared/money';
import type { WalletRepository } from '../../db/repositories/wallet-repository';
import type { WalletOperationRow } from '../../db/schema/wallet';
import { lightningAccount, userAvailableAccount, type Ledger } from '../ledger';
import { unansweredReason, type WalletPort, type WalletRefusalReason, type WalletUnknownReason } from '../ports/wallet';

/** Long enough to pay from a phone, short enough that an abandoned invoice stops being watched soon. */
export const RECEIVE_EXPIRY_SEC = 15 * 60;

export type ReceiveStatus = 'open' | 'settled' | 'expired';
export interface ReceiveView {
  id: string;
  invoice: string;
  amountMsat: Msat;
  status: ReceiveStatus;
  expiresAtMs: number;
  settledAtMs: number | null;
}

export type CreateInvoiceRefusal = 'no_wallet' | 'make_invoice_not_allowed' | 'wallet_unreachable' | 'relay_not_allowed' | 'wallet_refused';

export interface ReceiveDeps {
  repo: Pick<WalletRepository, 'insertOperation' | 'operation' | 'transition'>;
  ledger: Pick<Ledger, 'transfer'>;
  walletFor: (userId: string) => Promise<WalletPort | null>;
  transaction: <T>(fn: () => T) => T;
  now: () => number;
}

function toView(op: WalletOperationRow): ReceiveView {
  const status: ReceiveStatus = op.status === 'settled' ? 'settled' : op.status === 'open' ? 'open' : 'expired';
  return { id: op.id, invoice: op.invoice, amountMsat: msat(op.amountMsat), status, expiresAtMs: op.expiresAtMs, settledAtMs: op.settledAtMs };
}

function walletRefusal(failure: { outcome: 'refused'; reason: WalletRefusalReason } | { outcome: 'unknown'; reason: WalletUnknownReason }): CreateInvoiceRefusal {
  if (failure.outcome === 'unknown') return unansweredReason(failure);
  return failure.reason === 'not_implemented' || failure.reason === 'restricted' ? 'make_invoice_not_allowed' : 'wallet_refused';
}

/**
 * Credits a receipt the wallet settled: once per payment hash, whatever calls it (the page's watch,
 * the reconciliation job), and marks the operation settled in the same transaction.
 */
export function creditReceipt(deps: Pick<ReceiveDeps, 'repo' | 'ledger' | 'transaction'>, op: WalletOperationRow, receivedMsat: Msat, settledAtMs: number): void {
  deps.transaction(() => {
    const credited = deps.ledger.transfer({
      idempotencyKey: `receipt:${op.paymentHash}`,
      debit: lightningAccount,
      credit: userAvailableAccount(op.userId),
      amountMsat: receivedMsat,
      reason: 'receipt',
      metadata: { userId: op.userId, paymentHash: op.paymentHash, operationId: op.id },
    });
    // lightning is an unbounded source, so only a reused key could refuse: a bug.
    if (!credited.ok) throw new Error(`crediting receipt ${op.id} failed: ${credited.reason}`);
    deps.repo.transition(op.id, ['open', 'expired'], { status: 'settled', settledAtMs });
  });
}

export function createReceive(deps: ReceiveDeps) {
  async function createInvoice(userId: string, amountMsat: Msat, description: string): Promise<{ ok: true; receive: ReceiveView } | { ok: false; reason: CreateInvoiceRefusal }> {
    const wallet = await deps.walletFor(userId);
    if (!wallet) return { ok: false, reason: 'no_wallet' };
    const made = await wallet.makeInvoice({ amountMsat, description, expirySec: RECEIVE_EXPIRY_SEC });
    if (!made.ok) return { ok: false, reason: walletRefusal(made) };
    const nowMs = deps.now();
    const row: WalletOperationRow = {
      id: randomUUID(),
      userId,
      kind: 'receive',
      status: 'open',
      paymentHash: made.value.paymentHashHex,
      invoice: made.value.invoice ?? '',
      amountMsat,
      feeAllowanceMsat: 0,
      feeMsat: null,
      failureReason: null,
      expiresAtMs: (made.value.expiresAtSec ?? Math.floor(nowMs / 1000) + RECEIVE_EXPIRY_SEC) * 1000,
      createdAtMs: nowMs,
      settledAtMs: null,
    };
    if (row.invoice === '') return { ok: false, reason: 'wallet_refused' };
    deps.repo.insertOperation(row);
    return { ok: true, receive: toView(row) };
  }

  /** Asks the wallet whether the invoice was paid, and credits it if so. Someone else's id is not_found. */
  async function check(userId: string, id: string): Promise<{ ok: true; receive: ReceiveView } | { ok: false; reason: 'not_found' }> {
    const op = deps.repo.operation(userId, id);
    if (!op || op.kind !== 'receive') return { ok: false, reason: 'not_found' };
    if (op.status !== 'open') return { ok: true, receive: toView(op) };
    const wallet = await deps.walletFor(userId);
    const found = wallet ? await wallet.lookupInvoice({ paymentHashHex: op.paymentHash }) : null;
    const nowMs = deps.now();
    if (found?.ok && found.value.direction === 'incoming' && found.value.state === 'settled') {
      creditReceipt(deps, op, found.value.amountMsat, (found.value.settledAtSec ?? Math.floor(nowMs / 1000)) * 1000);
    } else if (nowMs > op.expiresAtMs) {
      // Unpaid past its expiry: it can no longer be paid. A late settlement is still credited by reconciliation.
      deps.repo.transition(op.id, ['open'], { status: 'expired', failureReason: 'unpaid' });
    }
    return { ok: true, receive: toView(deps.repo.operation(userId, id) ?? op) };
  }

  return { createInvoice, check };
}

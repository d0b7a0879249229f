/**
 * Changing the spending wallet, as the ledger sees it. The person's ledger balance mirrors the wallet
 * in use, so a change of wallet is two recorded movements in one transaction: what the ledger held
 * for the old wallet leaves (`wallet_switch_out`) and what the new wallet holds arrives
 * (`wallet_switch_in`). History stays: nothing is deleted, the old wallet's movements remain listed.
 *
 * A change is refused while anything is in flight on the old wallet: a pending spend's hold or a
 * withdrawal being paid would otherwise settle on one wallet and be counted against the other, and a
 * top-up's funding or a dispute's refund pays an invoice the old wallet made and the new one does not
 * know (its "not found" would read as never paid, and the money be sent again).
 *
 * What arrives is what the new wallet holds less what the ledger already took back while that wallet
 * was in use: a refunded or disputed card top-up is taken from the person's available funds in the
 * ledger only, and its sats stay in the wallet (topups/reversal.ts). Credited again on the way back
 * in, a connect-and-disconnect would have made them spendable once more. Only the provisioned wallet
 * is counted so: it is the operator's custody, and always the same wallet; an own wallet is the
 * person's, who can spend what it holds outside Steward whatever the ledger says, and the next own
 * wallet need not be the last one.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { msat, type Msat } from '../../../shared/money';
import { lightningAccount, userAvailableAccount, userWithdrawingAccount, type Ledger } from '../ledger';
import { TOP_UP_TAKE_REASONS } from '../topups/reversal';

export type SwitchRefusal = 'pending_spends' | 'pending_withdrawal' | 'money_on_its_way';

export interface SwitchRequest {
  userId: string;
  /** Which wallet the balance leaves and which it arrives in, for the movements' labels. */
  from: string;
  to: string;
  /** What the new wallet holds, read from it just before; 0 when there is no wallet any more. */
  newBalanceMsat: Msat;
}

export interface SwitchDeps {
  ledger: Pick<Ledger, 'transfer' | 'userBalances' | 'pendingReservations' | 'balanceMsat' | 'transfersDebiting'>;
  /** A top-up being funded or a dispute's refund being paid into the wallet in use. */
  moneyOnItsWay: (userId: string) => boolean;
  /** An IMMEDIATE transaction: the checks and the writes cannot interleave with a reservation. */
  transaction: <T>(fn: () => T) => T;
}

/**
 * A top-up reversal's take from the person's available funds (`top_up_refunded`, `top_up_frozen`:
 * topups/reversal.ts), with the wallet that was in use then; null for takes written before it was named.
 */
export interface TopUpTake {
  amountMsat: number;
  wallet: string | null;
}

/**
 * What reversals took from the ledger while `wallet` was the one in use: sats that wallet still holds
 * and the person no longer has. A take that names no wallet counts as the provisioned one's, where
 * card top-ups land unless the person brought their own.
 */
export function takenBackFrom(wallet: 'own' | 'provisioned', takes: readonly TopUpTake[]): Msat {
  return msat(takes.reduce((sum, take) => ((take.wallet ?? 'provisioned') === wallet ? sum + take.amountMsat : sum), 0));
}

export type SwitchResult = { ok: true; outMsat: Msat; inMsat: Msat } | { ok: false; reason: SwitchRefusal };

const takeMetadata = z.object({ wallet: z.string() });

/** Every take of a reversed top-up from the person's available funds, with the wallet its metadata names. */
function topUpTakes(ledger: Pick<Ledger, 'transfersDebiting'>, userId: string): TopUpTake[] {
  return ledger.transfersDebiting(userAvailableAccount(userId), TOP_UP_TAKE_REASONS).map((take) => {
    const named = takeMetadata.safeParse(take.metadata);
    return { amountMsat: take.amountMsat, wallet: named.success ? named.data.wallet : null };
  });
}

/** Moves the ledger balance to the new wallet and runs `store` (the new choice of wallet) with it. */
export function switchWalletBalance(deps: SwitchDeps, request: SwitchRequest, store: () => void): SwitchResult {
  const { ledger } = deps;
  const switchId = randomUUID();
  return deps.transaction((): SwitchResult => {
    if (ledger.pendingReservations(request.userId).length > 0) return { ok: false, reason: 'pending_spends' };
    if (ledger.balanceMsat(userWithdrawingAccount(request.userId)) > 0) return { ok: false, reason: 'pending_withdrawal' };
    if (deps.moneyOnItsWay(request.userId)) return { ok: false, reason: 'money_on_its_way' };
    const outMsat = ledger.userBalances(request.userId).availableMsat;
    const metadata = { userId: request.userId, from: request.from, to: request.to, switchId };
    if (outMsat > 0) {
      const out = ledger.transfer({
        idempotencyKey: `wallet-switch:${switchId}:out`,
        debit: userAvailableAccount(request.userId),
        credit: lightningAccount,
        amountMsat: outMsat,
        reason: 'wallet_switch_out',
        metadata,
      });
      // The balance was read in this transaction: a refusal here is a bug, and rolls everything back.
      if (!out.ok) throw new Error(`moving the balance off the old wallet failed: ${out.reason}`);
    }
    const takenBackMsat = request.to === 'provisioned' ? takenBackFrom('provisioned', topUpTakes(ledger, request.userId)) : 0;
    const inMsat = msat(Math.max(0, request.newBalanceMsat - takenBackMsat));
    if (inMsat > 0) {
      const into = ledger.transfer({
        idempotencyKey: `wallet-switch:${switchId}:in`,
        debit: lightningAccount,
        credit: userAvailableAccount(request.userId),
        amountMsat: inMsat,
        reason: 'wallet_switch_in',
        metadata,
      });
      if (!into.ok) throw new Error(`moving the balance onto the new wallet failed: ${into.reason}`);
    }
    store();
    return { ok: true, outMsat: msat(outMsat), inMsat };
  });
}

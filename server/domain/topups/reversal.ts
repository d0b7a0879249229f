/**
 * Taking back what a refund or dispute removes from a credited top-up: one IMMEDIATE transaction that
 * reads the person's available funds, moves what they cover back to the treasury, and records the rest
 * as owed, so a retried or concurrent settlement can never take twice. What stays owed is taken the
 * moment funds arrive (the engine's sweep), and the person and the operators are told once.
 */
import { formatSats, msat } from '../../../shared/money';
import type { TopUpRow } from '../../db/schema/topups';
import { treasuryAccount, userAvailableAccount } from '../ledger';
import type { TopUpEngineDeps } from './deps';
import { planReversal } from './transitions';

/** Why a reversal takes from a person's available funds: a refunded top-up, or a disputed (frozen) one. */
export const TOP_UP_TAKE_REASONS = ['top_up_refunded', 'top_up_frozen'] as const;

export function settleReversal(deps: TopUpEngineDeps, topUpId: string): TopUpRow | null {
  const settled = deps.database.db.transaction(
    () => {
      const row = deps.repo.byId(topUpId);
      if (!row || row.fundedAtMs === null) return null;
      const plan = planReversal(row, deps.ledger.userBalances(row.userId).availableMsat);
      if (plan.takeMsat > 0) {
        const taken = deps.ledger.transfer({
          // reversedMsat only grows, so each take has its own key and a replay of one is a no-op.
          idempotencyKey: `topup:${row.id}:reverse:${row.reversedMsat}`,
          debit: userAvailableAccount(row.userId),
          credit: treasuryAccount,
          amountMsat: msat(plan.takeMsat),
          reason: (row.disputed ? 'top_up_frozen' : 'top_up_refunded') satisfies (typeof TOP_UP_TAKE_REASONS)[number],
          // The take moves no sats: they stay in the wallet in use, named here so that changing
          // wallets never credits them again (domain/wallet/wallet-switch.ts).
          metadata: { userId: row.userId, topUpId: row.id, wallet: deps.walletSourceOf(row.userId) === 'own' ? 'own' : 'provisioned' },
        });
        if (!taken.ok) throw new Error(`reversal of top-up ${row.id} refused: ${taken.reason}`);
      }
      const patch = { reversedMsat: row.reversedMsat + plan.takeMsat, owedMsat: plan.owedMsat, status: plan.status, updatedAtMs: deps.now() };
      if (plan.takeMsat === 0 && patch.owedMsat === row.owedMsat && patch.status === row.status) return null;
      deps.repo.update(row.id, patch);
      return { ...row, ...patch };
    },
    { behavior: 'immediate' },
  );
  if (settled) {
    deps.changed(settled);
    alertReversal(deps, settled);
  }
  return settled;
}

function alertReversal(deps: TopUpEngineDeps, row: TopUpRow): void {
  const owed = row.owedMsat > 0 ? ` Your balance is short by ${formatSats(msat(row.owedMsat))}, so spending is paused until that is covered.` : '';
  const what = row.disputed ? 'The card payment for a top-up was disputed: its credit is frozen.' : 'A card top-up was refunded: its credit was taken back.';
  const data = { topUpId: row.id, reversedMsat: row.reversedMsat, owedMsat: row.owedMsat };
  // One alert per state of the reversal: a settlement that changes nothing tells nobody again.
  const dedupeKey = `top_up:${row.id}:${row.disputed ? 'disputed' : 'refunded'}:${row.reversedMsat}:${row.owedMsat}`;
  deps.alerts.notify(row.userId, {
    kind: 'top_up',
    severity: row.owedMsat > 0 ? 'critical' : 'warning',
    title: row.disputed ? 'Top-up disputed' : 'Top-up refunded',
    body: `${what} ${formatSats(msat(row.reversedMsat))} taken back.${owed}`,
    data,
    dedupeKey,
  });
  if (!row.disputed && row.owedMsat === 0) return;
  for (const operatorId of deps.operatorIds()) {
    deps.alerts.notify(operatorId, {
      kind: 'top_up',
      severity: 'critical',
      title: row.disputed ? 'A top-up was disputed' : 'A refunded top-up left a debt',
      body: `Top-up ${row.id}: ${formatSats(msat(row.reversedMsat))} taken back, ${formatSats(msat(row.owedMsat))} not covered by the person's funds.`,
      data: { ...data, userId: row.userId },
      dedupeKey,
    });
  }
}

/**
 * Wallets that failed to provision at sign-up are provisioned again in the background. A node or
 * relay that did not answer in time at that moment must not leave a person without a spending wallet
 * (no top-ups, no spending) for good: sign-up records the failure (`wallet_provisioning_failed`), and
 * each pass tries those people again, oldest first, until they have a wallet or connect their own.
 *
 * With several instances, each person is provisioned under their lease (`provision_wallet`) and checked
 * again under it, so two instances never make two wallets for one person.
 */
import type { AccountsRepository } from '../../db/repositories/accounts-repository';
import { createPeriodicJob, type Leases } from '../background';
import type { AccountService } from './accounts';

/** People tried per pass: a node that is down again costs one bounded pass, not one per person ever failed. */
const PER_PASS = 20;

export interface WalletRetryDeps {
  repo: Pick<AccountsRepository, 'awaitingWallet'>;
  provisionWallet: AccountService['provisionWallet'];
  leases: Pick<Leases, 'withLease'>;
}

/** What one pass did: the people given a wallet, and why it stopped early, if it did. */
export interface WalletRetryReport {
  provisioned: string[];
  stopped: 'provisioning_failed' | 'own_wallet_required' | 'no_provisioner' | null;
}

export async function retryWalletProvisioning(deps: WalletRetryDeps): Promise<WalletRetryReport> {
  const report: WalletRetryReport = { provisioned: [], stopped: null };
  for (const userId of deps.repo.awaitingWallet(PER_PASS)) {
    const leased = await deps.leases.withLease('provision_wallet', userId, async (held) => {
      if (!held.confirm() || deps.repo.awaitingWallet(1, userId).length === 0) return null;
      return deps.provisionWallet(userId);
    });
    if (!leased.ran || leased.value === null) continue;
    if (leased.value.ok) {
      report.provisioned.push(userId);
      continue;
    }
    // The provisioner is down, or this deployment hosts no wallets: the rest would fare the same.
    report.stopped = leased.value.reason;
    break;
  }
  return report;
}

export function createWalletRetry(deps: WalletRetryDeps) {
  const job = createPeriodicJob(() => retryWalletProvisioning(deps), 'coalesce');
  return {
    /** One pass now; a call while one runs shares it. */
    retryOnce: job.run,
    /** The first pass comes one interval after start. */
    start: (intervalMs: number, onError: (error: unknown) => void) => job.start(intervalMs, onError, { firstPass: 'after_interval' }),
  };
}

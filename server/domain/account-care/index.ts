/**
 * Account care: what a person does with the account itself. Changing the password lives with sign-in
 * (accounts.changePassword); this module adds what spans the other areas: exporting all of the
 * person's data and deleting the account (which touches the ledger, wallets and agent keys).
 */
import type { DeleteAccountInput } from '../../../shared/accounts';
import type { DatabaseHandle } from '../../db/client';
import { createAccountDeletionRepository } from '../../db/repositories/account-deletion-repository';
import { createDataExportRepository } from '../../db/repositories/data-export-repository';
import type { AccountsModule, RequestMeta } from '../accounts';
import type { AgentKeys } from '../agent-keys';
import type { Ledger } from '../ledger';
import { CHECKOUT_SESSION_LIFETIME_MS } from '../topups';
import { deleteAccount, moneyStanding, type DeletionResult } from './account-deletion';
import { buildDataExport, type DataExport, type DataExportFormat } from './data-export';

export type AccountCare = ReturnType<typeof createAccountCare>;

export function createAccountCare(deps: {
  database: Pick<DatabaseHandle, 'db'>;
  ledger: Ledger;
  accounts: AccountsModule;
  agentKeys: Pick<AgentKeys, 'list' | 'revoke'>;
  now: () => number;
}) {
  const { accounts, twoFactor, stepUp, audit, sessions } = deps.accounts;
  const exportRepo = createDataExportRepository(deps.database.db);
  const deletionRepo = createAccountDeletionRepository(deps.database.db);
  const deletion = {
    ledger: deps.ledger,
    moneyOnItsWay: (userId: string) => deletionRepo.moneyOnItsWay(userId, deps.now() - CHECKOUT_SESSION_LIFETIME_MS),
    proof: { stepUp, twoFactorEnabled: (userId: string) => twoFactor.isEnabled(userId), checkPassword: accounts.checkPassword },
    transaction: <T>(fn: () => T): T => deps.database.db.transaction(() => fn(), { behavior: 'immediate' }),
    removePersonalRows: deletionRepo.removePersonalRows,
    unusablePasswordHash: accounts.unusablePasswordHash,
    scrubUser: accounts.scrubDeletedUser,
    audit: (userId: string, detail: Record<string, number>, meta: RequestMeta) => audit.record(userId, 'account_deleted', detail, meta),
    endSessions: (userId: string) => sessions.revokeAll(userId),
    revokeAgentKeys: (userId: string) => {
      for (const key of deps.agentKeys.list(userId)) if (key.revokedAtMs === null) deps.agentKeys.revoke(userId, key.id);
    },
  };

  return {
    /** Everything of the person's, in one file; audited, so an export made from a stolen session shows up. */
    exportData(userId: string, format: DataExportFormat, meta: RequestMeta): DataExport {
      const tables = exportRepo.rowsFor(userId);
      audit.record(userId, 'data_exported', { format }, meta);
      return buildDataExport({ userId, tables, format, nowMs: deps.now() });
    },
    /** What the deletion form explains before anyone types a code: the balance at stake, and whether 2FA is the proof. */
    deletionStanding(userId: string) {
      const { availableMsat, moving } = moneyStanding(deletion, userId);
      return { availableMsat, moneyMoving: moving, proof: twoFactor.isEnabled(userId) ? ('code' as const) : ('password' as const) };
    },
    deleteAccount: (userId: string, input: DeleteAccountInput, meta: RequestMeta): Promise<DeletionResult> => deleteAccount(deletion, userId, input, meta),
  };
}

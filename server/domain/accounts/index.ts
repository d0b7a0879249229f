/**
 * Accounts and security: who is asking, and proof that it is really them.
 *
 * Other areas use:
 * - `accounts.getUser(userId)`, `accounts.walletConnection(userId)` (decrypted NWC URL; never log it).
 * - `stepUp` before large approvals and overage authorizations (see step-up.ts for the contract):
 *     `stepUp.verify({ userId, code, action: { kind, id } })` -> `{ ok, grant: { grantId, ... } }`
 *     `stepUp.consume({ userId, grantId, action })` inside the transaction that performs the action, or
 *     `stepUp.authorize({ userId, code, action })` to do both at once.
 * - `passwordReset`: the operator's reset links (server/cli/reset-link.ts) and the reset page's checks.
 * - `audit.record(userId, kind, detail?, meta?)` for their own security-relevant events
 *   ('spend_approved', 'overage_authorized', ...; kinds are listed in shared/accounts.ts).
 */
import type { Db } from '../../db/client';
import { createAccountsRepository } from '../../db/repositories/accounts-repository';
import { createAuditRepository } from '../../db/repositories/audit-repository';
import { createSessionsRepository } from '../../db/repositories/sessions-repository';
import { createSecretBox } from '../../db/secret-box';
import type { Logger } from '../../logger';
import type { WalletProvisioner } from '../ports/wallet-provisioner';
import { createAccountService } from './accounts';
import { createAuditLog } from './audit-log';
import { createSessionService } from './sessions';
import { createStepUp } from './step-up';
import { createPasswordReset } from './password-reset';
import { createKeyedHasher } from './tokens';
import { createTwoFactorService } from './two-factor';
import type { Clock } from './types';
import type { LiveBus } from '../ports/live-bus';
import { createLeases, type Leases } from '../background';
import { createWalletRetry } from './wallet-retry';

export type AccountsModule = ReturnType<typeof createAccountsModule>;

export function createAccountsModule(deps: {
  db: Db;
  secretsKey: Buffer;
  walletProvisioner: WalletProvisioner | null;
  logger: Logger;
  now?: Clock;
  sessionRecheckMs?: number;
  /** Where ended sessions are told (compose's one bus, shared with other instances); default: this process only. */
  liveBus?: LiveBus;
  /** This instance's leases (compose's); default: leases of this module's own. */
  leases?: Pick<Leases, 'withLease'>;
}) {
  const now = deps.now ?? (() => new Date());
  const repo = createAccountsRepository(deps.db);
  const secretBox = createSecretBox(deps.secretsKey);
  const audit = createAuditLog({ repo: createAuditRepository(deps.db), now });
  const sessions = createSessionService({ repo: createSessionsRepository(deps.db), now, recheckMs: deps.sessionRecheckMs, liveBus: deps.liveBus });
  const twoFactor = createTwoFactorService({
    repo,
    secretBox,
    recoveryCodeHasher: createKeyedHasher(deps.secretsKey, 'recovery-codes'),
    audit,
    now,
  });
  const stepUp = createStepUp({ repo, twoFactor, audit, now });
  const accounts = createAccountService({
    repo,
    sessions,
    twoFactor,
    audit,
    secretBox,
    walletProvisioner: deps.walletProvisioner,
    logger: deps.logger,
    now,
  });
  const passwordReset = createPasswordReset({ repo, sessions, twoFactor, audit, mac: createKeyedHasher(deps.secretsKey, 'password-reset'), now });
  const leases = deps.leases ?? createLeases({ db: deps.db, now: () => now().getTime() });
  const walletRetry = createWalletRetry({ repo, provisionWallet: accounts.provisionWallet, leases });
  return { accounts, sessions, twoFactor, stepUp, audit, walletRetry, passwordReset };
}

export type { AuditEvent, AuditLog } from './audit-log';
export { describeChange } from './audit-log';
export type { AccountService, Preferences, SignInRefusal } from './accounts';
export type { PasswordReset, ResetRefusal } from './password-reset';
export type { SessionService, SessionSummary } from './sessions';
export type { StepUp, StepUpAction, StepUpGrant, ConsumeRefusal } from './step-up';
export type { TwoFactorService, TwoFactorStatus, VerifyRefusal } from './two-factor';
export type { PublicUser, RequestMeta } from './types';

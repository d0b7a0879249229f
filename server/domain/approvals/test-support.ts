// A whole governance environment on one in-memory database, for approval, alert and API tests:
// accounts (TOTP step-up, audit log), ledger, governance, quotes (scripted probe), alerts, approvals,
// all on one clock the test moves.
import { randomBytes } from 'node:crypto';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../../shared/governance';
import { msat, type Msat } from '../../../shared/money';
import { openDatabase } from '../../db/client';
import { createLogger } from '../../logger';
import { createAccountsModule } from '../accounts';
import { TestClock, totpCode } from '../accounts/test-support';
import { createAgentKeys } from '../agent-keys';
import { createAlertService } from '../alerts';
import { createGovernance, budgetReservationMetadata } from '../governance';
import { createLocalLiveBus } from '../ports/live-bus';
import { createLedger, providerAccount, stripeAccount, userAvailableAccount } from '../ledger';
import { createQuoteService } from '../quotes';
import { planStep, scriptedProbe, testStanding, TEST_RATE } from '../quotes/test-support';
import { createApprovalService } from './approval-service';

export { planStep, TEST_RATE };

export function createGovernanceEnvironment(prices: Parameters<typeof scriptedProbe>[0] = {}, options: { quoteTtlMs?: number } = {}) {
  const database = openDatabase(':memory:');
  const clock = new TestClock(Date.UTC(2026, 2, 10, 15, 0, 0));
  const nowMs = () => clock.now().getTime();
  const logger = createLogger({ level: 'silent' });
  const accountsModule = createAccountsModule({ db: database.db, secretsKey: randomBytes(32), walletProvisioner: null, logger, now: clock.now });
  const governance = createGovernance(database, { now: nowMs });
  const ledger = createLedger(database, { now: nowMs, observer: governance.usageObserver });
  const probe = scriptedProbe({ ...prices });
  const standing = testStanding();
  const quotes = createQuoteService({ db: database.db, probePrice: probe.probePrice, rates: { current: async () => TEST_RATE }, standing, now: nowMs, options });
  const alerts = createAlertService({ db: database.db, now: nowMs });
  const timeZoneOf = (userId: string) => accountsModule.accounts.getUser(userId)?.timeZone ?? 'UTC';
  const agentKeys = createAgentKeys({ db: database.db, timeZoneOf, liveBus: createLocalLiveBus(), now: nowMs });
  /** The approvals of an instance on this database; each call, another instance with a bus of its own. */
  const approvalsOfAnInstance = (recheckMs?: number) =>
    createApprovalService({
      db: database.db,
      quotes,
      governance,
      stepUp: accountsModule.stepUp,
      audit: accountsModule.audit,
      alerts,
      agentKeys,
      timeZoneOf: (userId) => accountsModule.accounts.getUser(userId)?.timeZone ?? null,
      now: nowMs,
      ...(recheckMs === undefined ? {} : { recheckMs }),
    });
  const approvals = approvalsOfAnInstance();

  async function signUp(email: string, options: { twoFactor?: boolean } = {}) {
    const created = await accountsModule.accounts.signUp(
      { email, password: 'plum-orchard-lantern-42', timeZone: 'America/New_York', displayCurrency: 'USD' },
      { ip: null, userAgent: null },
    );
    if (!created.ok) throw new Error(created.reason);
    const userId = created.user.id;
    let secret: string | null = null;
    if (options.twoFactor) {
      const begun = await accountsModule.twoFactor.beginEnrollment(userId, email);
      if (!begun.ok) throw new Error(begun.reason);
      secret = begun.secret;
      const confirmed = accountsModule.twoFactor.confirmEnrollment(userId, totpCode(secret, clock));
      if (!confirmed.ok) throw new Error(confirmed.reason);
      clock.nextTotpStep();
    }
    return {
      userId,
      /** The authenticator's current code (a new one after clock.nextTotpStep()). */
      code: () => {
        if (!secret) throw new Error('this user has no two-factor');
        return totpCode(secret, clock);
      },
    };
  }

  function saveSettings(userId: string, patch: Partial<GovernanceSettings>) {
    governance.saveSettings(userId, { ...DEFAULT_GOVERNANCE_SETTINGS, ...patch });
  }

  let spendCounter = 0;
  /** Funds and spends `amountMsat` outside any task, as a posted-in-spirit pending hold. */
  function spend(userId: string, amountMsat: Msat) {
    spendCounter += 1;
    const funded = ledger.transfer({ idempotencyKey: `fund:${spendCounter}`, debit: stripeAccount, credit: userAvailableAccount(userId), amountMsat });
    if (!funded.ok) throw new Error(funded.reason);
    const reserved = ledger.reserve({
      idempotencyKey: `spend:${spendCounter}`,
      userId,
      destination: providerAccount('market/other'),
      amountMsat,
      expiresAtMs: nowMs() + 3_600_000,
      metadata: budgetReservationMetadata({ serviceId: 'market/other', taskId: null, feeReserveMsat: msat(0) }),
    });
    if (!reserved.ok) throw new Error(reserved.reason);
  }

  async function quoteFor(userId: string, taskId: string, services: string[]) {
    const result = await quotes.quotePlan({ userId, taskId, steps: services.map((service, i) => planStep(`s${i + 1}`, service)) });
    if (!result.ok) throw new Error(result.message);
    return result.quote;
  }

  return { database, clock, nowMs, accounts: accountsModule, ledger, governance, probe, standing, quotes, alerts, agentKeys, approvals, approvalsOfAnInstance, signUp, saveSettings, spend, quoteFor };
}

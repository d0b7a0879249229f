// Builds the real router over the real accounts module (in-memory database) and hands out callers as
// a given session, so API tests exercise the same middleware and scoping as HTTP requests.
import type { Writable } from 'node:stream';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../shared/governance';
import { createTestAccounts, TEST_META } from '../domain/accounts/test-support';
import { createCatalogService } from '../agent/catalog/catalog-service';
import { createBuiltinPlanner } from '../agent/planner/planner';
import { createTaskEvents } from '../agent/tasks/task-events';
import { createTaskRunner } from '../agent/tasks/task-runner';
import { createReceipts } from '../domain/payments';
import { createAlertService } from '../domain/alerts';
import { createApprovalService } from '../domain/approvals';
import { createGovernance } from '../domain/governance';
import { createLedger } from '../domain/ledger';
import type { WalletPort } from '../domain/ports/wallet';
import { createWalletOverview } from '../domain/wallet';
import { createQuoteService } from '../domain/quotes';
import { scriptedProbe, TEST_RATE } from '../domain/quotes/test-support';
import { createAgentStores } from '../integration/agent-support';
import { createApiContext, type ApiDeps, type RateLimitCheck, type SessionCookieJar } from './context';
import { appRouter } from './router';
import { createCallerFactory } from './trpc';

export const TEST_PASSWORD = 'plum-orchard-lantern-42';
const createCaller = createCallerFactory(appRouter);
const alwaysAllowed: RateLimitCheck = async () => ({ allowed: true });

export function createApiHarness(options: { logDestination?: Writable } = {}) {
  const accounts = createTestAccounts(options);
  /** Each person's spending wallet, for tests to plug a fake into; nobody has one until then. */
  const wallets = new Map<string, WalletPort>();
  const money = createWalletDeps(accounts, wallets);
  const deps: ApiDeps = {
    mode: 'sandbox',
    version: '0.0.0-test',
    logger: accounts.logger,
    accounts: {
      accounts: accounts.accounts,
      sessions: accounts.sessions,
      twoFactor: accounts.twoFactor,
      stepUp: accounts.stepUp,
      audit: accounts.audit,
    },
    receipts: createReceipts(accounts.database.db),
    ...createAgentDeps(accounts),
    ...createGovernanceDeps(accounts),
    wallet: money.wallet,
  };

  /** A caller as the holder of `token` (null = signed out); `jar.token` is whatever the call set. */
  function callerFor(token: string | null) {
    const jar: SessionCookieJar & { token: string | null } = {
      token,
      set(value) {
        jar.token = value;
      },
      clear() {
        jar.token = null;
      },
    };
    const ctx = createApiContext(deps, { sessionToken: token, meta: TEST_META, cookies: jar, checkRateLimit: alwaysAllowed });
    return { caller: createCaller(ctx), jar };
  }

  async function signUp(email: string) {
    const { caller, jar } = callerFor(null);
    const { user } = await caller.auth.signUp({ email, password: TEST_PASSWORD, timeZone: 'America/New_York', displayCurrency: 'USD' });
    if (!jar.token) throw new Error('sign-up set no session cookie');
    const token = jar.token;
    return { user, token, as: () => callerFor(token).caller };
  }

  return { ...accounts, deps, wallets, ledger: money.ledger, callerFor, signUp };
}

/**
 * Budget governance on the harness database: quotes price from a fixed table (no network; `summary`
 * costs 1,000 sats, which needs a confirmation), at the sandbox rate, on the accounts' clock.
 */
function createGovernanceDeps(accounts: ReturnType<typeof createTestAccounts>) {
  const now = () => accounts.clock.now().getTime();
  const governance = createGovernance(accounts.database, { now });
  const rates = { current: async () => TEST_RATE };
  const quotes = createQuoteService({ db: accounts.database.db, probePrice: scriptedProbe({ summary: { priceMsat: 1_000_000 } }).probePrice, rates, now });
  const alerts = createAlertService({ db: accounts.database.db, now });
  const approvals = createApprovalService({
    db: accounts.database.db,
    quotes,
    governance,
    stepUp: accounts.stepUp,
    audit: accounts.audit,
    alerts,
    timeZoneOf: (userId) => accounts.accounts.getUser(userId)?.timeZone ?? null,
    now,
  });
  return { governance, rates, quotes, alerts, approvals };
}

/** The Wallet page over a ledger on the harness database and whichever wallets a test plugged in. */
function createWalletDeps(accounts: ReturnType<typeof createTestAccounts>, wallets: ReadonlyMap<string, WalletPort>) {
  const ledger = createLedger(accounts.database, { now: () => accounts.clock.now().getTime() });
  const rates = { current: async () => TEST_RATE };
  return { ledger, wallet: createWalletOverview({ database: accounts.database, ledger, walletFor: async (userId) => wallets.get(userId) ?? null, rates }) };
}

/**
 * The agent with an empty catalog (no configured provider): requests get planned to "unsupported",
 * so nothing is ever quoted or paid here; the ports past planning fail loudly if reached.
 */
function createAgentDeps(accounts: ReturnType<typeof createTestAccounts>) {
  const { taskStore, catalogStore } = createAgentStores(accounts.database.db);
  const unreachable = (): never => {
    throw new Error('the API harness has no quotes, approvals or payments');
  };
  const settings = new Map<string, GovernanceSettings>();
  const catalog = createCatalogService({
    source: { readManifest: async () => ({ ok: false, reason: 'fetch_failed', detail: 'no network in the API harness' }) },
    store: catalogStore,
    governance: {
      settingsFor: (userId) => settings.get(userId) ?? DEFAULT_GOVERNANCE_SETTINGS,
      saveSettings: (userId, value) => void settings.set(userId, value),
    },
    configuredProviderUrls: [],
  });
  const taskEvents = createTaskEvents();
  const tasks = createTaskRunner({
    store: taskStore,
    events: taskEvents,
    planner: createBuiltinPlanner(),
    catalog,
    quotes: { quotePlan: unreachable },
    approvals: { request: unreachable, requestReapproval: unreachable, waitForResolution: unreachable, authorizationForStep: unreachable, cancelForTask: () => undefined },
    payments: { purchase: unreachable, paymentFor: () => undefined, reconcileOnce: async () => undefined },
    timeZoneFor: () => 'UTC',
  });
  return { tasks, taskEvents, catalog };
}

// The service graph, built once from its outside pieces (database, secrets key, sandbox or live rails).
// main.ts, the integration tests and the API harness all build the app through here, so what the
// tests run is what people run.
import { createCatalogService } from './agent/catalog/catalog-service';
import { createPlanner, type PlannerConfig } from './agent/planner/planner';
import { createTaskEvents } from './agent/tasks/task-events';
import { createTaskRunner } from './agent/tasks/task-runner';
import type { DatabaseHandle } from './db/client';
import { createCatalogRepository } from './db/repositories/catalog-repository';
import { createTasksRepository } from './db/repositories/tasks-repository';
import { createSecretBox } from './db/secret-box';
import { createAccountsModule } from './domain/accounts';
import { createAgentKeys } from './domain/agent-keys';
import { createAlertService } from './domain/alerts';
import { createApprovalService } from './domain/approvals';
import { createGovernance, createSettingsChanges } from './domain/governance';
import { createLedger, type Ledger } from './domain/ledger';
import { createPaymentService, createReceipts, createReconciler, creditUserFunding } from './domain/payments';
import type { ExchangeRatePort } from './domain/ports/exchange-rate';
import type { WalletPort } from './domain/ports/wallet';
import type { WalletProvisioner } from './domain/ports/wallet-provisioner';
import { createQuoteService, type QuoteServiceDeps } from './domain/quotes';
import { createSpending } from './domain/spending';
import { createWalletOverview } from './domain/wallet';
import type { Logger } from './logger';
import { createGuardedFetch, type PooledGuardedFetch } from './rails/http/guarded-fetch';
import { createCatalogSource } from './rails/l402/catalog-source';
import { createL402Http } from './rails/l402/l402-http';
import { openNwcWallet } from './rails/nwc/nwc-wallet';
import { msat } from '../shared/money';

/** A new sandbox account starts with 100,000 sats of play money, so it can try the agent at once. */
export const SANDBOX_WELCOME_BALANCE_MSAT = 100_000_000;
const RECONCILE_INTERVAL_MS = 60_000;
const CATALOG_REFRESH_INTERVAL_MS = 15 * 60_000;

export interface ComposeOptions {
  database: Pick<DatabaseHandle, 'db' | 'sqlite'>;
  secretsKey: Buffer;
  logger: Logger;
  rates: ExchangeRatePort;
  /**
   * Provider base URLs whose manifests form everybody's catalog (env.ts `configuredProviderUrls`).
   * The operator chose them, so the agent may reach them on loopback or private addresses; every
   * other origin (a provider a person added by URL) must resolve to public addresses only.
   */
  providerUrls: readonly string[];
  /** Makes each new account a funded spending wallet (sandbox); null when people bring their own. */
  sandboxWallets: { createUserWallet(userId: string, opts: { initialBalanceMsat: number }): Promise<string> } | null;
  llm?: PlannerConfig['llm'];
  now?: () => number;
  /** How often an open stream re-reads its session to notice expiry (server/domain/accounts/sessions.ts). */
  sessionRecheckMs?: number;
  seams?: ComposeSeams;
}

/**
 * Where the graph meets the outside world, for tests that must not reach it (the API harness,
 * server/api/test-harness.ts); each one left out is the real thing.
 */
export interface ComposeSeams {
  /** Gives each new account its spending wallet in place of `sandboxWallets` (and its welcome credit). */
  walletProvisioner?: WalletProvisioner;
  /** Opens a person's wallet from their connection string; normally NWC. */
  openWallet?: (nwcUrl: string) => { ok: true; wallet: WalletPort } | { ok: false };
  /** The agent's one way out to the network: manifests, price probes and paid calls. */
  fetcher?: PooledGuardedFetch;
  /** Prices a step for its quote; normally the payments service's probe over `fetcher`. */
  probePrice?: QuoteServiceDeps['probePrice'];
}

export function composeServices(options: ComposeOptions) {
  const { database, logger } = options;
  const seams = options.seams ?? {};
  const now = options.now ?? Date.now;
  const governance = createGovernance(database, { now });
  const ledger = createLedger(database, { now, observer: governance.usageObserver });

  const walletProvisioner =
    seams.walletProvisioner ?? (options.sandboxWallets ? fundedSandboxWallets(options.sandboxWallets, ledger) : null);
  const accounts = createAccountsModule({
    db: database.db,
    secretsKey: options.secretsKey,
    walletProvisioner,
    logger,
    now: () => new Date(now()),
    sessionRecheckMs: options.sessionRecheckMs,
  });

  const settingsChanges = createSettingsChanges({
    governance,
    accounts: accounts.accounts,
    twoFactor: accounts.twoFactor,
    stepUp: accounts.stepUp,
    audit: accounts.audit,
    rates: options.rates,
    transaction: (fn) => database.db.transaction(fn, { behavior: 'immediate' }),
  });

  const fetcher = seams.fetcher ?? createGuardedFetch({ allowedOrigins: [...options.providerUrls] });
  const openWallet = seams.openWallet ?? openNwcWallet;
  const openWallets = new Map<string, WalletPort>();
  const walletFor = async (userId: string): Promise<WalletPort | null> => {
    const known = openWallets.get(userId);
    if (known) return known;
    const url = accounts.accounts.walletConnection(userId);
    if (!url) return null;
    const opened = openWallet(url);
    if (!opened.ok) return null;
    openWallets.set(userId, opened.wallet);
    return opened.wallet;
  };

  const payments = createPaymentService({
    database,
    ledger,
    governance,
    http: createL402Http(fetcher),
    walletFor,
    secretBox: createSecretBox(options.secretsKey),
    now,
  });
  const reconciler = createReconciler({ records: payments.records, walletFor, now, isInFlight: payments.isInFlight });
  const receipts = createReceipts(database.db);
  const quotes = createQuoteService({ db: database.db, probePrice: seams.probePrice ?? payments.probePrice, rates: options.rates, now });
  const alerts = createAlertService({ db: database.db, now });
  const timeZoneOf = (userId: string) => accounts.accounts.getUser(userId)?.timeZone ?? 'UTC';
  const agentKeys = createAgentKeys({ db: database.db, timeZoneOf, now });
  const approvals = createApprovalService({
    db: database.db,
    quotes,
    governance,
    stepUp: accounts.stepUp,
    audit: accounts.audit,
    alerts,
    agentKeys,
    timeZoneOf: (userId) => accounts.accounts.getUser(userId)?.timeZone ?? null,
    now,
  });
  const catalog = createCatalogService({
    source: createCatalogSource(fetcher),
    store: createCatalogRepository(database.db),
    governance,
    configuredProviderUrls: options.providerUrls,
    now,
  });
  const wallet = createWalletOverview({ database, ledger, walletFor, rates: options.rates });
  const taskStore = createTasksRepository(database.db);
  const spending = createSpending({
    approvals,
    quotes,
    payments,
    governance,
    alerts,
    agentKeys,
    timeZoneOf,
    taskStartedAtMs: (userId, taskId) => {
      const task = taskStore.forUser(userId, taskId);
      return task ? (task.startedAtMs ?? task.createdAtMs) : null;
    },
  });
  const taskEvents = createTaskEvents();
  const tasks = createTaskRunner({
    store: taskStore,
    events: taskEvents,
    planner: createPlanner(options.llm ? { llm: options.llm } : {}),
    catalog,
    quotes,
    approvals,
    spending,
    payments: {
      paymentFor: (userId, key) => payments.records.byIdempotencyKey(userId, key),
      reconcileOnce: reconciler.reconcileOnce,
    },
    now,
    onError: (error, taskId) => logger.error({ err: error, taskId }, 'task loop failed'),
  });

  // Revoking a key is a kill switch: its unfinished tasks stop (and with them their pending approvals).
  agentKeys.onRevoked(({ userId, keyId }) => void tasks.cancelForAgentKey(userId, keyId).catch((err: unknown) => logger.error({ err, keyId }, 'stopping a revoked key failed')));

  const timers: NodeJS.Timeout[] = [];
  let reconciling: { stop(): Promise<void> } | null = null;

  return {
    accounts,
    ledger,
    governance,
    settingsChanges,
    payments,
    reconciler,
    receipts,
    quotes,
    alerts,
    approvals,
    agentKeys,
    spending,
    catalog,
    taskEvents,
    tasks,
    wallet,
    rates: options.rates,
    /** Background work: reconcile payments left in doubt, keep the catalog fresh, purge sessions. */
    async start(): Promise<void> {
      reconciling = reconciler.start(RECONCILE_INTERVAL_MS, (err) => logger.error({ err }, 'reconcile failed'));
      // People's own providers load in the background: a slow one must not hold up start-up.
      await catalog.refreshConfigured();
      void catalog.refreshAdded().catch((err: unknown) => logger.error({ err }, 'catalog refresh failed'));
      const resumed = await tasks.resume();
      if (resumed.resumed.length + resumed.failed.length > 0) logger.info(resumed, 'tasks picked up after restart');
      timers.push(setInterval(() => void catalog.refreshAll(), CATALOG_REFRESH_INTERVAL_MS));
      timers.push(setInterval(() => accounts.sessions.purgeExpired(), 60 * 60_000));
      for (const timer of timers) timer.unref();
    },
    async stop(): Promise<void> {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await tasks.stop();
      await reconciling?.stop();
      for (const wallet of openWallets.values()) wallet.close();
      openWallets.clear();
      fetcher.close();
    },
  };
}

export type Services = ReturnType<typeof composeServices>;

/**
 * The wallet balance and the ledger move together: the welcome balance the sandbox puts in the new
 * wallet is credited to the person's ledger funds exactly once (idempotency key per user).
 */
function fundedSandboxWallets(sandboxWallets: NonNullable<ComposeOptions['sandboxWallets']>, ledger: Ledger): WalletProvisioner {
  return {
    async provisionUserWallet(userId) {
      const nwcUrl = await sandboxWallets.createUserWallet(userId, { initialBalanceMsat: SANDBOX_WELCOME_BALANCE_MSAT });
      const credit = creditUserFunding(ledger, {
        userId,
        amountMsat: msat(SANDBOX_WELCOME_BALANCE_MSAT),
        idempotencyKey: `sandbox-welcome:${userId}`,
        source: 'sandbox_welcome',
      });
      if (!credit.ok) throw new Error(`welcome credit refused: ${credit.reason}`);
      return { nwcUrl };
    },
  };
}

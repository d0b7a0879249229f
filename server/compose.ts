// The service graph, built once from its outside pieces (database, secrets key, sandbox or live rails).
// main.ts, the integration tests and the API harness all build the app through here, so what the
// tests run is what people run.
import { createCatalogService } from './agent/catalog/catalog-service';
import type { CatalogService } from '../shared/catalog';
import { standingFrom } from './agent/planner/equivalents';
import { createPlanner, type PlannerConfig } from './agent/planner/planner';
import { createTaskEvents } from './agent/tasks/task-events';
import { createTaskRunner } from './agent/tasks/task-runner';
import type { DatabaseHandle } from './db/client';
import { createCatalogRepository } from './db/repositories/catalog-repository';
import { createDatabaseReadiness } from './db/readiness';
import { createTasksRepository } from './db/repositories/tasks-repository';
import { createSecretBox } from './db/secret-box';
import { createAccountsModule, type RequestMeta } from './domain/accounts';
import { createAgentKeys, issueAgentKey, type IssueKeyInput } from './domain/agent-keys';
import { createLeases, createPeriodicJob, DEFAULT_LEASE_TTL_MS, type PeriodicRun } from './domain/background';
import { createAlertService } from './domain/alerts';
import { createApprovalService } from './domain/approvals';
import { createGovernance, createSettingsChanges } from './domain/governance';
import { createAccountCare } from './domain/account-care';
import { createActivity } from './domain/activity';
import { createLedger, type Ledger } from './domain/ledger';
import { createPaymentService, createReceipts, createReconciler, creditUserFunding } from './domain/payments';
import type { ExchangeRatePort } from './domain/ports/exchange-rate';
import { createLocalLiveBus, type LiveBus, type LiveEvent } from './domain/ports/live-bus';
import type { BitcoinNetwork, OpenWallet } from './domain/ports/wallet';
import type { WalletProvisioner } from './domain/ports/wallet-provisioner';
import { createQuoteService, type FixedPriceCall, type QuoteServiceDeps } from './domain/quotes';
import { createSpending } from './domain/spending';
import { createWalletDomain } from './domain/wallet';
import type { Logger } from './logger';
import { createGuardedFetch, type PooledGuardedFetch } from './rails/http/guarded-fetch';
import { askProviderRefund, refundEndpointUrl } from './rails/l402/provider-refund';
import { createCatalogSource } from './rails/l402/catalog-source';
import { createL402Http } from './rails/l402/l402-http';
import { decodeInvoice } from './rails/l402/invoice';
import { nwcWalletOpener } from './rails/nwc/nwc-wallet';
import { createRelayCheck } from './rails/nwc/relay-policy';
import { createPgLiveBus } from './rails/live/pg-live-bus';
import { eq } from 'drizzle-orm';
import { msat, usdCents } from '../shared/money';
import type { TopUpLimits } from '../shared/topups';
import { users } from './db/schema/accounts';
import type { CardCheckoutPort } from './domain/ports/card-checkout';
import { createDisputes } from './domain/disputes';
import { createRateLimits } from './domain/rate-limits';
import { createProviderNames, createReputation, createStanding } from './domain/reputation';
import { createStandingRepository } from './db/repositories/standing-repository';
import { createHome } from './domain/home';
import { createHomeRepository } from './db/repositories/home-repository';
import { createRateLimitsRepository } from './db/repositories/rate-limits-repository';
import { createReputationRepository } from './db/repositories/reputation-repository';
import { createTopUps } from './domain/topups';

/** A new sandbox account starts with 100,000 sats of play money, so it can try the agent at once. */
export const SANDBOX_WELCOME_BALANCE_MSAT = 100_000_000;
const RECONCILE_INTERVAL_MS = 60_000;
const WALLET_SYNC_INTERVAL_MS = 5 * 60_000;
/** How often wallets that failed to provision at sign-up are tried again (domain/accounts/wallet-retry.ts). */
const WALLET_RETRY_INTERVAL_MS = 2 * 60_000;
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
  /**
   * Gives each new account a wallet from the operator's node (NWC_TREASURY_URL: an isolated sub-wallet
   * over create_connection, or `own_wallet_required`); wins over `sandboxWallets`.
   */
  hostedWallets?: WalletProvisioner;
  /** The Lightning network people's wallets must be on (default regtest, the sandbox's). */
  network?: BitcoinNetwork;
  /**
   * Whether a person's own wallet may name a relay on loopback: sandbox mode only (its relay is on
   * 127.0.0.1). Default: on regtest, off otherwise. Private and link-local relays are always refused.
   */
  allowLoopbackRelays?: boolean;
  llm?: PlannerConfig['llm'];
  now?: () => number;
  /** How often an open stream re-reads its session to notice expiry (server/domain/accounts/sessions.ts). */
  sessionRecheckMs?: number;
  seams?: ComposeSeams;
  /** The share of a month's paid spend a person may dispute themselves (DISPUTE_MAX_SHARE_PERCENT; default 50). */
  disputeSharePercent?: number;
  /**
   * Asking providers to refund disputes themselves (docs/provider-refunds.md): how long their answer
   * may take (default 10 s) and how long their return invoice lives (default 120 s; the treasury
   * waits that long on a provider that did not pay).
   */
  providerRefunds?: { timeoutMs?: number; returnInvoiceExpirySec?: number };
  /**
   * How long a lease on background work lasts (default 30 s, domain/background/leases.ts): a killed
   * instance's items wait that long for another. Restart tests shorten it.
   */
  leaseTtlMs?: number;
  /** Card top-ups; absent = refused as unavailable (the API harness, tests that do not need them). */
  topUps?: TopUpsConfig;
  /**
   * The PostgreSQL database several instances share (env.ts `databaseUrl`): live updates then travel
   * between them over LISTEN/NOTIFY. Absent = SQLite, one process, live updates stay in it.
   */
  databaseUrl?: string | null;
}

export interface TopUpsConfig {
  checkout: CardCheckoutPort;
  limits: TopUpLimits;
  /** Where Stripe sends the person back (PUBLIC_URL). */
  publicUrl: string;
  /** The treasury that pays top-ups into people's wallets: the sandbox treasury or NWC_TREASURY_URL. */
  treasuryUrl: string | null;
  /** How often the funding retry loop runs (default 2 s). */
  fundingIntervalMs?: number;
}

const DEFAULT_TOP_UP_LIMITS: TopUpLimits = { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 };
const FUNDING_INTERVAL_MS = 2_000;
const PROVIDER_REFUND_TIMEOUT_MS = 10_000;

/**
 * Where the graph meets the outside world, for tests that must not reach it (the API harness,
 * server/api/test-harness.ts); each one left out is the real thing.
 */
export interface ComposeSeams {
  /** Gives each new account its spending wallet in place of `sandboxWallets` (and its welcome credit). */
  walletProvisioner?: WalletProvisioner;
  /** Opens a person's wallet from their connection string; normally NWC. */
  openWallet?: OpenWallet;
  /** The agent's one way out to the network: manifests, price probes and paid calls. */
  fetcher?: PooledGuardedFetch;
  /** Prices a step for its quote; normally the payments service's probe over `fetcher`. */
  probePrice?: QuoteServiceDeps['probePrice'];
}

export function composeServices(options: ComposeOptions) {
  const { database, logger } = options;
  const seams = options.seams ?? {};
  const now = options.now ?? Date.now;
  const liveBus = createLiveBus(options.databaseUrl ?? null, logger);
  const governance = createGovernance(database, { now });
  const ledger = createLedger(database, { now, observer: governance.usageObserver });
  // This instance's leases on background work: with several instances on one database, each item of
  // a periodic job is worked on by one of them (docs/architecture.md, "Background work").
  const leases = createLeases({ db: database.db, now, ...(options.leaseTtlMs === undefined ? {} : { ttlMs: options.leaseTtlMs }) });

  const walletProvisioner =
    seams.walletProvisioner ??
    options.hostedWallets ??
    (options.sandboxWallets ? fundedSandboxWallets(options.sandboxWallets, ledger) : null);
  const accounts = createAccountsModule({
    db: database.db,
    secretsKey: options.secretsKey,
    walletProvisioner,
    logger,
    now: () => new Date(now()),
    sessionRecheckMs: options.sessionRecheckMs,
    liveBus,
    leases,
  });


  const fetcher = seams.fetcher ?? createGuardedFetch({ allowedOrigins: [...options.providerUrls] });
  const alerts = createAlertService({ db: database.db, now, liveBus });
  const relayPolicy = { allowLoopback: options.allowLoopbackRelays ?? (options.network ?? 'regtest') === 'regtest' };
  const openWallet =
    seams.openWallet ??
    nwcWalletOpener({
      ...relayPolicy,
      onRefused: (refusal) =>
        logger.warn({ hostname: refusal.hostname, address: refusal.address, addressClass: refusal.addressClass }, 'refused an own wallet relay connection'),
    });
  const wallet = createWalletDomain({
    database,
    ledger,
    accounts,
    alerts,
    secretBox: createSecretBox(options.secretsKey),
    openWallet,
    checkRelays: createRelayCheck(relayPolicy),
    decodeInvoice,
    network: options.network ?? 'regtest',
    rates: options.rates,
    leases,
    now,
  });
  const walletFor = wallet.walletFor;

  const payments = createPaymentService({
    database,
    ledger,
    governance,
    http: createL402Http(fetcher),
    walletFor,
    secretBox: createSecretBox(options.secretsKey),
    now,
  });
  const reconciler = createReconciler({ records: payments.records, walletFor, leases, now, isInFlight: payments.isInFlight });
  const receipts = createReceipts(database.db);
  const operatorIds = () => database.db.select({ id: users.id }).from(users).where(eq(users.role, 'operator')).all().map((u) => u.id);
  const reputationRepository = createReputationRepository(database.db);
  const reputation = createReputation({ repo: reputationRepository, now });
  const rateLimits = createRateLimits({ repo: createRateLimitsRepository(database.db), now });
  const standing = createStanding({ repo: createStandingRepository(database.db), reputation, audit: accounts.audit, alerts, operatorIds, now });
  const settingsChanges = createSettingsChanges({
    governance,
    accounts: accounts.accounts,
    twoFactor: accounts.twoFactor,
    stepUp: accounts.stepUp,
    audit: accounts.audit,
    rates: options.rates,
    standing,
    transaction: (fn) => database.db.transaction(fn, { behavior: 'immediate' }),
  });
  const quotes = createQuoteService({ db: database.db, probePrice: seams.probePrice ?? payments.probePrice, rates: options.rates, standing, now });
  const timeZoneOf = (userId: string) => accounts.accounts.getUser(userId)?.timeZone ?? 'UTC';
  const agentKeys = createAgentKeys({ db: database.db, timeZoneOf, liveBus, now });
  const keyIssuing = {
    agentKeys,
    proof: { stepUp: accounts.stepUp, twoFactorEnabled: (userId: string) => accounts.twoFactor.isEnabled(userId), checkPassword: accounts.accounts.checkPassword },
  };
  const approvals = createApprovalService({
    db: database.db,
    quotes,
    governance,
    stepUp: accounts.stepUp,
    audit: accounts.audit,
    alerts,
    agentKeys,
    timeZoneOf: (userId) => accounts.accounts.getUser(userId)?.timeZone ?? null,
    liveBus,
    now,
  });
  const catalog = createCatalogService({
    source: createCatalogSource(fetcher),
    store: createCatalogRepository(database.db),
    governance,
    configuredProviderUrls: options.providerUrls,
    onRefreshed: () => warmPrices(),
    leases,
    now,
  });
  const providerNames = createProviderNames({ catalogNames: (viewer) => catalog.providerNames(viewer), stepName: reputationRepository.stepProviderName });
  // A person's first quote of a fixed-price service must not wait on its provider (bench/planner.bench.ts).
  async function warmPrices(): Promise<void> {
    await quotes.warmFixedPrices(fixedPriceCalls(catalog.allServices())).catch((err: unknown) => logger.warn({ err }, 'warming fixed prices failed'));
  }
  const treasury = options.topUps?.treasuryUrl ? openWallet(options.topUps.treasuryUrl, 'operator') : null;
  if (treasury && !treasury.ok) throw new Error('the treasury connection string is not usable');
  const topUps = createTopUps({
    database,
    ledger,
    walletFor,
    walletSourceOf: wallet.sourceOf,
    treasury: treasury?.wallet ?? null,
    alerts,
    operatorIds,
    rates: options.rates,
    checkout: options.topUps?.checkout ?? null,
    limits: options.topUps?.limits ?? DEFAULT_TOP_UP_LIMITS,
    publicUrl: options.topUps?.publicUrl ?? 'http://127.0.0.1',
    liveBus,
    leases,
    now,
  });
  const disputes = createDisputes({
    database,
    ledger,
    governance,
    walletFor,
    // Refunds travel the funding path: the same treasury pays an invoice the person's wallet made.
    treasury: treasury?.wallet ?? null,
    alerts,
    audit: accounts.audit,
    operatorIds,
    timeZoneOf,
    providerNames,
    outputSchemaOf: (userId, serviceId) => {
      const schema = catalog.serviceFor(userId, serviceId)?.outputSchema;
      return schema ? JSON.stringify(schema) : null;
    },
    providerListed: (serviceId, url) => catalog.listedByOperator(serviceId, new URL(url).origin),
    afterNonDelivery: (service) => {
      standing.afterNonDelivery(service);
    },
    ...(options.disputeSharePercent === undefined ? {} : { sharePercent: options.disputeSharePercent }),
    providerRefunds: {
      endpointFor: (userId, serviceId) => {
        const service = catalog.serviceFor(userId, serviceId);
        return service ? refundEndpointUrl(service.origin, service.refundPath) : null;
      },
      ask: (endpointUrl, request) => askProviderRefund(fetcher, endpointUrl, request, options.providerRefunds?.timeoutMs ?? PROVIDER_REFUND_TIMEOUT_MS),
    },
    ...(options.providerRefunds?.returnInvoiceExpirySec === undefined ? {} : { returnInvoiceExpirySec: options.providerRefunds.returnInvoiceExpirySec }),
    liveBus,
    leases,
    now,
  });
  const taskStore = createTasksRepository(database.db);
  const spending = createSpending({
    approvals,
    quotes,
    payments,
    governance,
    alerts,
    agentKeys,
    standing,
    timeZoneOf,
    taskStartedAtMs: (userId, taskId) => {
      const task = taskStore.forUser(userId, taskId);
      return task ? (task.startedAtMs ?? task.createdAtMs) : null;
    },
  });
  const taskEvents = createTaskEvents(liveBus);
  const tasks = createTaskRunner({
    store: taskStore,
    watchKeyRevoked: agentKeys.watchRevoked,
    events: taskEvents,
    planner: createPlanner(options.llm ? { llm: options.llm } : {}),
    standingFor: (userId) => standingFrom(reputation.list(), userId, standing),
    catalog,
    quotes,
    approvals,
    spending,
    payments: {
      paymentFor: (userId, key) => payments.records.byIdempotencyKey(userId, key),
      reconcileOnce: reconciler.reconcileOnce,
    },
    disputes,
    leases,
    now,
    timeZoneOf,
    onError: (error, taskId) => logger.error({ err: error, taskId }, 'task loop failed'),
  });

  // Revoking a key is a kill switch: its unfinished tasks stop (and with them their pending approvals).
  const accountCare = createAccountCare({ database, ledger, accounts, agentKeys, now });
  const activity = createActivity({ receipts, agentKeys, disputes, providerNames, now });

  const timers: NodeJS.Timeout[] = [];
  // The periodic jobs, stopped in this order: each stop waits for its pass in progress.
  const jobs: PeriodicRun[] = [];
  let resumingTasks: PeriodicRun | null = null;

  return {
    /** Live updates (the streams' source); across instances when they share PostgreSQL. */
    liveBus,
    accounts,
    accountCare,
    activity,
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
    /** A new agent key as a person asks for one: with a fresh proof (domain/agent-keys/issue-key.ts). */
    issueAgentKey: (userId: string, input: IssueKeyInput, meta: RequestMeta) => issueAgentKey(keyIssuing, userId, input, meta),
    spending,
    catalog,
    taskEvents,
    tasks,
    wallet,
    topUps,
    disputes,
    reputation,
    providerNames,
    home: createHome({ repo: createHomeRepository(database.db), now: () => new Date(now()) }),
    standing,
    rateLimits,
    rates: options.rates,
    readiness: createDatabaseReadiness(database),
    leases,
    /**
     * Background work: reconcile payments left in doubt and wallets with the ledger, fund top-ups and
     * pay refunds, keep the catalog fresh (each item once across instances, under its lease), and in
     * this instance alone warm its price cache and purge sessions, ended rate-limit windows and
     * long-dead leases.
     */
    async start(): Promise<void> {
      const fundingIntervalMs = options.topUps?.fundingIntervalMs ?? FUNDING_INTERVAL_MS;
      jobs.push(reconciler.start(RECONCILE_INTERVAL_MS, (err) => logger.error({ err }, 'reconcile failed')));
      jobs.push(topUps.start(fundingIntervalMs, (err) => logger.error({ err }, 'top-up funding failed')));
      jobs.push(disputes.start(fundingIntervalMs, (err) => logger.error({ err }, 'dispute refund failed')));
      jobs.push(wallet.sync.start(WALLET_SYNC_INTERVAL_MS, (err) => logger.error({ err }, 'wallet reconciliation failed')));
      jobs.push(accounts.walletRetry.start(WALLET_RETRY_INTERVAL_MS, (err) => logger.error({ err }, 'wallet provisioning retry failed')));
      // Every instance loads the operator's providers before it takes requests; people's own providers
      // load in the background: a slow one must not hold up start-up.
      await catalog.refreshConfigured();
      void catalog.refreshAdded().catch((err: unknown) => logger.error({ err }, 'catalog refresh failed'));
      const logResumed = (resumed: Awaited<ReturnType<typeof tasks.resume>>) => {
        if (resumed.resumed.length + resumed.failed.length > 0) logger.info(resumed, 'tasks picked up (after a restart, or from an instance that died)');
      };
      logResumed(await tasks.resume());
      // Then again every lease time: tasks of an instance that died are picked up once their leases expire.
      const resuming = createPeriodicJob(() => tasks.resume().then(logResumed), 'coalesce');
      resumingTasks = resuming.start(options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, (err) => logger.error({ err }, 'resuming tasks failed'), { firstPass: 'after_interval' });
      jobs.push(catalog.start(CATALOG_REFRESH_INTERVAL_MS, (err) => logger.error({ err }, 'catalog refresh failed')));
      // Within every price-cache TTL, so a warmed price is renewed before it ends and never outlives it.
      timers.push(setInterval(() => void warmPrices(), quotes.priceCacheTtlMs / 2));
      // Often enough that addresses seen once (a flood from many) do not pile up for long.
      timers.push(setInterval(() => rateLimits.prune(), 10 * 60_000));
      timers.push(
        setInterval(() => {
          accounts.sessions.purgeExpired();
          leases.purgeExpired();
        }, 60 * 60_000),
      );
      for (const timer of timers) timer.unref();
    },
    async stop(): Promise<void> {
      for (const timer of timers.splice(0)) clearInterval(timer);
      // No task is picked up once the loops are being stopped.
      await resumingTasks?.stop();
      await tasks.stop();
      for (const job of jobs.splice(0)) await job.stop();
      treasury?.wallet.close();
      wallet.close();
      fetcher.close();
      await liveBus.close();
    },
  };
}

export type Services = ReturnType<typeof composeServices>;

/** One live bus for the whole graph: across instances on PostgreSQL, in this process otherwise. */
function createLiveBus(databaseUrl: string | null, logger: Logger): LiveBus {
  const onListenerError = (err: unknown, event: LiveEvent) => logger.error({ err, kind: event.kind }, 'a live listener failed');
  return databaseUrl === null ? createLocalLiveBus({ onListenerError }) : createPgLiveBus({ connectionString: databaseUrl, logger, onListenerError });
}

/** The catalog's calls priced by the manifest alone; the others depend on their input. */
function fixedPriceCalls(services: readonly CatalogService[]): FixedPriceCall[] {
  return services
    .filter((s) => s.pricing.model === 'fixed')
    .map((s) => ({ serviceName: s.name, origin: s.origin, method: s.method, path: s.path }));
}

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
      return { ok: true, nwcUrl };
    },
  };
}

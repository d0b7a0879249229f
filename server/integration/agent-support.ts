// The agent over the real stack, for integration tests and the restart test's child process: the
// embedded sandbox (relay, Lightning, NWC wallets, market), the app database in a directory, the
// real accounts, ledger, governance, payments, quotes, approvals, alerts, catalog and task runner.
// main.ts wires the same pieces the same way.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCatalogService, type CatalogStore } from '../agent/catalog/catalog-service';
import { createBuiltinPlanner } from '../agent/planner/planner';
import { createTaskEvents } from '../agent/tasks/task-events';
import { createTaskRunner } from '../agent/tasks/task-runner';
import type { TaskStore } from '../agent/tasks/task-store';
import { openDatabase, type Db } from '../db/client';
import { createCatalogRepository } from '../db/repositories/catalog-repository';
import { createTasksRepository } from '../db/repositories/tasks-repository';
import { createSecretBox } from '../db/secret-box';
import { createAccountsModule } from '../domain/accounts';
import { createAlertService } from '../domain/alerts';
import { createApprovalService } from '../domain/approvals';
import { createGovernance } from '../domain/governance';
import { createLedger } from '../domain/ledger';
import { createPaymentService, createReconciler } from '../domain/payments';
import type { WalletPort } from '../domain/ports/wallet';
import { createQuoteService } from '../domain/quotes';
import { createLogger } from '../logger';
import { createGuardedFetch } from '../rails/http/guarded-fetch';
import { createCatalogSource } from '../rails/l402/catalog-source';
import { createL402Http } from '../rails/l402/l402-http';
import { openNwcWallet } from '../rails/nwc/nwc-wallet';
import { createFixedExchangeRate } from '../rails/rates/fixed-rate';
import { startSandbox, type RunningSandbox } from '../sandbox/stack';

export function createAgentStores(db: Db): { taskStore: TaskStore; catalogStore: CatalogStore } {
  return { taskStore: createTasksRepository(db), catalogStore: createCatalogRepository(db) };
}

/** A new account's sandbox wallet and ledger balance: 100,000 sats, as in main.ts. */
export const WELCOME_BALANCE_MSAT = 100_000_000;

export async function startAgentStack(dataDir: string) {
  const sandbox: RunningSandbox = await startSandbox({ dataDir: join(dataDir, 'sandbox'), host: '127.0.0.1' });
  const database = openDatabase(join(dataDir, 'app.db'));
  const logger = createLogger({ level: 'silent' });
  const keyPath = join(dataDir, 'secrets.key');
  if (!existsSync(keyPath)) writeFileSync(keyPath, randomBytes(32), { mode: 0o600 });
  const secretsKey = readFileSync(keyPath);
  const accounts = createAccountsModule({
    db: database.db,
    secretsKey,
    walletProvisioner: { provisionUserWallet: async (userId) => ({ nwcUrl: await sandbox.createUserWallet(userId, { initialBalanceMsat: WELCOME_BALANCE_MSAT }) }) },
    logger,
  });
  const ledger = createLedger(database, { now: Date.now });
  const governance = createGovernance(database, { now: Date.now });
  const fetcher = createGuardedFetch({ allowedOrigins: [sandbox.marketUrl], timeoutMs: 10_000 });
  const wallets = new Map<string, WalletPort>();
  const walletFor = async (userId: string): Promise<WalletPort | null> => {
    const known = wallets.get(userId);
    if (known) return known;
    const url = accounts.accounts.walletConnection(userId);
    if (!url) return null;
    const opened = openNwcWallet(url);
    if (!opened.ok) return null;
    wallets.set(userId, opened.wallet);
    return opened.wallet;
  };
  const payments = createPaymentService({ database, ledger, governance, http: createL402Http(fetcher), walletFor, secretBox: createSecretBox(secretsKey) });
  const reconciler = createReconciler({ records: payments.records, walletFor, now: Date.now, isInFlight: payments.isInFlight });
  const quotes = createQuoteService({ db: database.db, probePrice: payments.probePrice, rates: createFixedExchangeRate() });
  const alerts = createAlertService({ db: database.db });
  const approvals = createApprovalService({
    db: database.db,
    quotes,
    governance,
    stepUp: accounts.stepUp,
    audit: accounts.audit,
    alerts,
    timeZoneOf: (userId) => accounts.accounts.getUser(userId)?.timeZone ?? null,
  });
  const { taskStore, catalogStore } = createAgentStores(database.db);
  const catalog = createCatalogService({ source: createCatalogSource(fetcher), store: catalogStore, governance, configuredProviderUrls: [sandbox.marketUrl] });
  await catalog.refreshAll();
  const taskEvents = createTaskEvents();
  const tasks = createTaskRunner({
    store: taskStore,
    events: taskEvents,
    planner: createBuiltinPlanner(),
    catalog,
    quotes,
    approvals,
    payments: {
      purchase: payments.purchase,
      paymentFor: (userId, key) => payments.records.byIdempotencyKey(userId, key),
      reconcileOnce: reconciler.reconcileOnce,
    },
    timeZoneFor: (userId) => accounts.accounts.getUser(userId)?.timeZone ?? 'UTC',
    onError: (error) => logger.error({ err: error }, 'task loop failed'),
  });

  return {
    sandbox,
    database,
    accounts,
    ledger,
    governance,
    payments,
    quotes,
    approvals,
    alerts,
    catalog,
    taskEvents,
    tasks,
    async close() {
      await tasks.stop();
      for (const wallet of wallets.values()) (wallet as { close?: () => void }).close?.();
      database.close();
      await sandbox.close();
    },
  };
}

export type AgentStack = Awaited<ReturnType<typeof startAgentStack>>;

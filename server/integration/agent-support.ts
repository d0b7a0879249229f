// The agent over the real stack, for integration tests and the restart test's child process: the
// embedded sandbox (relay, Lightning, NWC wallets, market) and the app's service graph built by
// server/compose.ts on a database in a directory, exactly as main.ts builds it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usdCents } from '../../shared/money';
import type { CatalogStore } from '../agent/catalog/catalog-service';
import type { TaskView } from '../agent/tasks/task-runner';
import type { TaskStore } from '../agent/tasks/task-store';
import { composeServices, SANDBOX_WELCOME_BALANCE_MSAT, type ComposeOptions, type TopUpsConfig } from '../compose';
import { openDatabase, type Db } from '../db/client';
import { configuredProviderUrls, parseEnv } from '../env';
import { createCatalogRepository } from '../db/repositories/catalog-repository';
import { createTasksRepository } from '../db/repositories/tasks-repository';
import { createLogger } from '../logger';
import type { WalletPort } from '../domain/ports/wallet';
import { createGuardedFetch } from '../rails/http/guarded-fetch';
import { createFixedExchangeRate } from '../rails/rates/fixed-rate';
import { createStripeCheckout } from '../rails/stripe/stripe-checkout';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../sandbox/stack';
import { startAdversarialProvider, type RunningAdversary } from './support/adversarial-provider';
import { wrappingTreasury } from './treasury-kill';

export function createAgentStores(db: Db): { taskStore: TaskStore; catalogStore: CatalogStore } {
  return { taskStore: createTasksRepository(db), catalogStore: createCatalogRepository(db) };
}

/** A new account's sandbox wallet and ledger balance. */
export const WELCOME_BALANCE_MSAT = SANDBOX_WELCOME_BALANCE_MSAT;

export interface AgentStackOptions {
  /**
   * Providers the operator configures (CATALOG_URLS), started once the sandbox is up (they may need its
   * Lightning network); read through env.ts and joined with the sandbox market as main.ts does.
   */
  catalogUrls?: (sandbox: RunningSandbox) => Promise<readonly string[]>;
  /** An OpenAI-compatible endpoint to plan with (a test's stub), instead of the built-in planner. */
  llm?: { baseUrl: string; model: string };
  /** Connects the sandbox treasury (as main.ts does through top-ups), so dispute refunds are paid. */
  treasury?: boolean;
  /** A shorter timeout for calls to providers (main.ts keeps the guarded fetch's default), so a test can see one lapse. */
  providerTimeoutMs?: number;
  /** Wraps the treasury wallet (the SIGKILL test stops it at a chosen point of a refund's payment). */
  wrapTreasury?: (treasury: WalletPort) => WalletPort;
  /** Market providers' refund behaviours instead of the catalog's (see market/README.md). */
  refundBehaviours?: SandboxOptions['refundBehaviours'];
  /** How long providers' refund answers may take and their return invoices live (compose.ts). */
  providerRefunds?: ComposeOptions['providerRefunds'];
  /** How long leases on background work last (compose.ts); restart tests shorten it. */
  leaseTtlMs?: number;
  /**
   * Another stack's sandbox, for a second instance on the same database (the same `dataDir`): this
   * stack uses it and leaves it to its owner to close.
   */
  sandbox?: RunningSandbox;
}

export async function startAgentStack(dataDir: string, options: AgentStackOptions = {}) {
  const sandbox =
    options.sandbox ?? (await startSandbox({ dataDir: join(dataDir, 'sandbox'), host: '127.0.0.1', ...(options.refundBehaviours ? { refundBehaviours: options.refundBehaviours } : {}) }));
  const catalogUrls = options.catalogUrls ? await options.catalogUrls(sandbox) : [];
  const env = parseEnv({ CATALOG_URLS: catalogUrls.join(',') });
  const providerUrls = configuredProviderUrls(env, sandbox.marketUrl);
  const database = openDatabase(join(dataDir, 'app.db'));
  // Kept in the directory so a restarted process can open the token vault it sealed before.
  const keyPath = join(dataDir, 'secrets.key');
  if (!existsSync(keyPath)) writeFileSync(keyPath, randomBytes(32), { mode: 0o600 });
  const composeOver = (over: typeof database) => composeServices({
    database: over,
    secretsKey: readFileSync(keyPath),
    logger: createLogger({ level: 'silent' }),
    rates: createFixedExchangeRate(),
    providerUrls,
    sandboxWallets: sandbox,
    ...(options.llm ? { llm: options.llm } : {}),
    ...(options.treasury ? { topUps: sandboxTopUps(sandbox) } : {}),
    ...(options.providerRefunds ? { providerRefunds: options.providerRefunds } : {}),
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    seams: {
      ...(options.providerTimeoutMs ? { fetcher: createGuardedFetch({ allowedOrigins: [...providerUrls], timeoutMs: options.providerTimeoutMs }) } : {}),
      ...(options.wrapTreasury ? { openWallet: wrappingTreasury(sandbox.wallets.treasury ?? null, options.wrapTreasury) } : {}),
    },
  });
  const services = composeOver(database);
  await services.catalog.refreshAll();

  return {
    ...services,
    sandbox,
    database,
    /** Another Steward instance on the same database and sandbox: its own connection and leases, not started. */
    anotherInstance() {
      const own = openDatabase(join(dataDir, 'app.db'));
      const other = composeOver(own);
      return {
        ...other,
        async close() {
          await other.stop();
          own.close();
        },
      };
    },
    async close() {
      await services.stop();
      database.close();
      if (!options.sandbox) await sandbox.close();
    },
  };
}

export type AgentStack = Awaited<ReturnType<typeof startAgentStack>>;

let signedUpCount = 0;

/** Signs a new person up on the stack (which makes their sandbox wallet and credits its welcome balance). */
export async function signUpOnStack(stack: Pick<AgentStack, 'accounts'>, emailPrefix: string): Promise<string> {
  signedUpCount++;
  const signedUp = await stack.accounts.accounts.signUp(
    { email: `${emailPrefix}-${signedUpCount}@example.com`, password: 'plum-orchard-lantern-42', timeZone: 'UTC', displayCurrency: 'USD' },
    { ip: null, userAgent: null },
  );
  if (!signedUp.ok) throw new Error(signedUp.reason);
  return signedUp.user.id;
}

/** Resolves with the task once `done` holds for it, watching the live events (not polling). */
export async function untilTask(stack: AgentStack, userId: string, taskId: string, done: (task: TaskView) => boolean): Promise<TaskView> {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), 20_000);
  try {
    const first = stack.tasks.get(userId, taskId);
    if (first && done(first)) return first;
    for await (const change of stack.taskEvents.changes(userId, controller.signal)) {
      if (change.taskId !== taskId) continue;
      const task = stack.tasks.get(userId, taskId);
      if (task && done(task)) return task;
    }
    throw new Error(`task ${taskId} never reached the expected state: ${JSON.stringify(stack.tasks.get(userId, taskId)?.status)}`);
  } finally {
    clearTimeout(timeout);
    controller.abort();
  }
}

/** Top-ups against the sandbox's Stripe and treasury: what connects the treasury that pays refunds. */
function sandboxTopUps(sandbox: RunningSandbox): TopUpsConfig {
  return {
    checkout: createStripeCheckout({ secretKey: 'sk_test_sandbox', webhookSecret: sandbox.stripeWebhookSecret, apiBaseUrl: sandbox.stripeUrl }),
    limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 },
    publicUrl: 'http://127.0.0.1',
    treasuryUrl: sandbox.wallets.treasury ?? null,
  };
}

/** A task that will not change again by itself. */
export const FINISHED_STATUSES: readonly TaskView['status'][] = ['completed', 'failed', 'cancelled'];
export const isFinished = (task: TaskView): boolean => FINISHED_STATUSES.includes(task.status);

/** Submits `text` as the person's request and resolves with its task once `settled` holds (by default: finished). */
export async function askOnStack(stack: AgentStack, userId: string, text: string, settled: (task: TaskView) => boolean = isFinished): Promise<TaskView> {
  const submitted = stack.tasks.submit(userId, text);
  if (!submitted.ok) throw new Error(submitted.reason);
  return untilTask(stack, userId, submitted.task.id, settled);
}

/**
 * The agent stack in a fresh directory whose catalog is one adversarial provider (support/adversarial-provider.ts),
 * answering its slow service after `slowMs`; `close` stops both and removes the directory.
 */
export async function startAdversaryStack(
  name: string,
  options: { slowMs: number } & Omit<AgentStackOptions, 'catalogUrls'>,
): Promise<{ stack: AgentStack; adversary: RunningAdversary; close(): Promise<void> }> {
  const { slowMs, ...stackOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), `steward-${name}-`));
  let adversary: RunningAdversary | undefined;
  const stack = await startAgentStack(dir, {
    ...stackOptions,
    catalogUrls: async (sandbox) => {
      adversary = await startAdversarialProvider({ network: sandbox.network, elsewhereOrigin: sandbox.marketUrl, slowMs });
      return [adversary.url];
    },
  });
  if (!adversary) throw new Error('the adversarial provider did not start');
  const started = adversary;
  return {
    stack,
    adversary: started,
    async close() {
      await stack.close();
      await started.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

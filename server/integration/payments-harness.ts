/**
 * The payments stack as main.ts wires it, over a sandbox market and one user's sandbox wallet: the
 * database, ledger, governance, secret box, guarded fetch + L402 rail, NWC wallet, payment service and
 * reconciler. Shared by the payments integration tests, their crash worker (a child process) and the
 * payments benchmark, so all three measure and test the same composition.
 */
import { openDatabase, type DatabaseHandle } from '../db/client';
import { createSecretBox } from '../db/secret-box';
import { createLeases } from '../domain/background';
import { createGovernance } from '../domain/governance';
import { createLedger, type Ledger } from '../domain/ledger';
import { createPaymentService, createReceipts, createReconciler, type PaymentOptions, type PaymentService, type Reconciler } from '../domain/payments';
import { createGuardedFetch } from '../rails/http/guarded-fetch';
import { createL402Http } from '../rails/l402/l402-http';
import { openNwcWallet, type NwcWallet, type NwcWalletTimeouts } from '../rails/nwc/nwc-wallet';

export interface PaymentsHarnessOptions {
  dbPath: string;
  marketUrl: string;
  userNwcUrl: string;
  /** 32 bytes, hex: the same key must open the vault in every process. */
  secretsKeyHex: string;
  walletTimeouts?: Partial<NwcWalletTimeouts>;
  fetchTimeoutMs?: number;
  paymentOptions?: Partial<PaymentOptions>;
  now?: () => number;
}

export interface PaymentsHarness {
  database: DatabaseHandle;
  ledger: Ledger;
  wallet: NwcWallet;
  service: PaymentService;
  reconciler: Reconciler;
  receipts: ReturnType<typeof createReceipts>;
  close(): void;
}

export function openPaymentsHarness(options: PaymentsHarnessOptions): PaymentsHarness {
  const now = options.now ?? Date.now;
  const database = openDatabase(options.dbPath);
  const governance = createGovernance(database, { now });
  const ledger = createLedger(database, { now, observer: governance.usageObserver });
  const opened = openNwcWallet(options.userNwcUrl, { timeouts: options.walletTimeouts ?? {} });
  if (!opened.ok) throw new Error(`the sandbox wallet's connection string was refused: ${opened.reason}`);
  const wallet = opened.wallet;
  const fetcher = createGuardedFetch({ allowedOrigins: [options.marketUrl], timeoutMs: options.fetchTimeoutMs ?? 5_000 });
  const service = createPaymentService({
    database,
    ledger,
    governance,
    http: createL402Http(fetcher, { now }),
    walletFor: async () => wallet,
    secretBox: createSecretBox(Buffer.from(options.secretsKeyHex, 'hex')),
    now,
    ...(options.paymentOptions ? { options: options.paymentOptions } : {}),
  });
  const reconciler = createReconciler({ records: service.records, walletFor: async () => wallet, leases: createLeases({ db: database.db, now }), now, isInFlight: service.isInFlight });
  return {
    database,
    ledger,
    wallet,
    service,
    reconciler,
    receipts: createReceipts(database.db),
    close() {
      fetcher.close();
      wallet.close();
      database.close();
    },
  };
}

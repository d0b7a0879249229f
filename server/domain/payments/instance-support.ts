// One Steward instance's payments stack on a database file that other instances (other stacks in the
// test, or a worker process) share: its own connection, the real repositories, its own leases. For
// reconciler.instances.test.ts and its worker process (reconciler-instance.worker.ts).
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createSecretBox } from '../../db/secret-box';
import { createLeases } from '../background';
import { createGovernance } from '../governance';
import { createLedger, type Ledger } from '../ledger';
import type { WalletPort } from '../ports/wallet';
import { createPaymentService, type PaymentService } from './payment-service';
import { createReconciler, type Reconciler } from './reconciler';
import { createFakeProvider } from './test-fakes';

/** Every instance opens the same vault: a payment one wrote ahead is settled by another. */
const SECRETS_KEY = Buffer.alloc(32, 7);
export const INSTANCE_PRICE_MSAT = 20_000;

export interface Instance {
  database: DatabaseHandle;
  ledger: Ledger;
  service: PaymentService;
  reconciler: Reconciler;
  close(): void;
}

export interface InstanceOptions {
  dbPath: string;
  holderId: string;
  wallet: WalletPort;
  /** The provider the purchases are made from (only the instance that buys needs it). */
  provider?: ReturnType<typeof createFakeProvider>;
  now: () => number;
  leaseTtlMs?: number;
}

export function openInstance(options: InstanceOptions): Instance {
  const { now } = options;
  const database = openDatabase(options.dbPath);
  const governance = createGovernance(database, { now });
  const ledger = createLedger(database, { now, observer: governance.usageObserver });
  const provider = options.provider ?? createFakeProvider({ service: 'joke', invoiceMsat: INSTANCE_PRICE_MSAT, nowMs: now });
  const walletFor = async () => options.wallet;
  const service = createPaymentService({ database, ledger, governance, http: provider.port, walletFor, secretBox: createSecretBox(SECRETS_KEY), now, options: { deliveryBackoffMs: 1 } });
  const leases = createLeases({ db: database.db, now, holderId: options.holderId, ...(options.leaseTtlMs === undefined ? {} : { ttlMs: options.leaseTtlMs }) });
  const reconciler = createReconciler({ records: service.records, walletFor, leases, now, isInFlight: service.isInFlight });
  return { database, ledger, service, reconciler, close: () => database.close() };
}

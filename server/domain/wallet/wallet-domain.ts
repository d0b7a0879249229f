/**
 * The wallet area assembled: the page's overview, bring-your-own-wallet, receive, withdraw, the CSV
 * export and the periodic reconciliation, over one choice of spending wallet (spending-wallets.ts).
 * Wiring only; the rules live in the modules it joins.
 */
import type { DatabaseHandle } from '../../db/client';
import { createTopUpsRepository } from '../../db/repositories/topups-repository';
import { createWalletRepository } from '../../db/repositories/wallet-repository';
import type { SecretBox } from '../../db/secret-box';
import type { AccountsModule } from '../accounts';
import type { AlertService } from '../alerts';
import type { Leases } from '../background';
import type { Ledger } from '../ledger';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import type { DecodeInvoice } from '../ports/invoice';
import type { BitcoinNetwork, CheckWalletRelays, OpenWallet } from '../ports/wallet';
import { movementsCsv } from './movements-csv';
import { createOwnWallets } from './own-wallet';
import { createReceive } from './receive';
import { createSpendingWallets } from './spending-wallets';
import { createWalletOverview } from './wallet-overview';
import { createWalletSync } from './wallet-sync';
import { createWithdraw } from './withdraw';

export interface WalletDomainDeps {
  database: Pick<DatabaseHandle, 'db' | 'sqlite'>;
  ledger: Ledger;
  accounts: Pick<AccountsModule, 'accounts' | 'twoFactor' | 'stepUp' | 'audit'>;
  alerts: Pick<AlertService, 'notify'>;
  secretBox: SecretBox;
  openWallet: OpenWallet;
  checkRelays: CheckWalletRelays;
  decodeInvoice: DecodeInvoice;
  network: BitcoinNetwork;
  rates: ExchangeRatePort;
  /** This instance's leases: each person's wallet is reconciled by one instance at a time. */
  leases: Pick<Leases, 'withLease'>;
  now: () => number;
}

export type WalletDomain = ReturnType<typeof createWalletDomain>;

export function createWalletDomain(deps: WalletDomainDeps) {
  const { ledger, now } = deps;
  const repo = createWalletRepository(deps.database.db);
  const transaction = <T>(fn: () => T): T => deps.database.db.transaction(() => fn(), { behavior: 'immediate' });
  const { accounts, twoFactor, stepUp, audit } = deps.accounts;
  const wallets = createSpendingWallets({
    repo,
    secretBox: deps.secretBox,
    provisionedConnection: (userId) => accounts.walletConnection(userId),
    openWallet: deps.openWallet,
  });
  const walletFor = wallets.walletFor;
  const proof = { stepUp, twoFactorEnabled: (userId: string) => twoFactor.isEnabled(userId), checkPassword: accounts.checkPassword };

  const overview = createWalletOverview({
    database: deps.database,
    ledger,
    walletFor,
    sourceOf: wallets.sourceOf,
    rates: deps.rates,
    operationStatuses: (userId) => new Map(repo.operationsFor(userId).map((op) => [op.id, op.status])),
  });
  const own = createOwnWallets({
    repo,
    secretBox: deps.secretBox,
    openWallet: deps.openWallet,
    checkRelays: deps.checkRelays,
    wallets,
    network: deps.network,
    proof,
    switching: {
      ledger,
      transaction,
      moneyOnItsWay: (userId) => repo.moneyOnItsWay(userId),
    },
    audit: (userId, kind, detail, meta) => audit.record(userId, kind, detail, meta),
    now,
  });
  const receive = createReceive({ repo, ledger, walletFor, transaction, now });
  const withdraw = createWithdraw({
    repo,
    ledger,
    debts: createTopUpsRepository(deps.database.db),
    walletFor,
    decodeInvoice: deps.decodeInvoice,
    network: deps.network,
    proof,
    transaction,
    audit: (userId, detail, meta) => audit.record(userId, 'withdrawal_sent', detail, meta),
    now,
  });
  const sync = createWalletSync({ repo, ledger, walletFor, notify: (userId, alert) => void deps.alerts.notify(userId, alert), transaction, leases: deps.leases, now });

  return {
    /** The person's spending wallet (own or provisioned), for the payment rails. */
    walletFor,
    sourceOf: wallets.sourceOf,
    summary: overview.summary,
    status: overview.status,
    exportCsv: (userId: string) => movementsCsv(overview.allMovements(userId)),
    connectOwn: own.connect,
    disconnectOwn: own.disconnect,
    createInvoice: receive.createInvoice,
    checkReceive: receive.check,
    withdraw: withdraw.withdraw,
    sync,
    close: wallets.closeAll,
  };
}

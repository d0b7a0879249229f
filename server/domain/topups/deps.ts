import type { DatabaseHandle } from '../../db/client';
import type { TopUpsRepository } from '../../db/repositories/topups-repository';
import type { TopUpRow } from '../../db/schema/topups';
import type { AlertService } from '../alerts';
import type { Ledger } from '../ledger';
import type { WalletPort } from '../ports/wallet';

/** What the top-up engine works with; built once by createTopUps (topup-service.ts). */
export interface TopUpEngineDeps {
  database: Pick<DatabaseHandle, 'db'>;
  repo: TopUpsRepository;
  ledger: Pick<Ledger, 'transfer' | 'userBalances'>;
  /** The person's spending wallet, which makes the invoice the treasury pays. */
  walletFor: (userId: string) => Promise<WalletPort | null>;
  /** Which wallet the person spends from now: a reversal's take names it (domain/wallet/wallet-switch.ts). */
  walletSourceOf: (userId: string) => 'own' | 'provisioned' | null;
  /** The operator's treasury (the sandbox treasury, or NWC_TREASURY_URL live); null = none configured. */
  treasury: WalletPort | null;
  alerts: Pick<AlertService, 'notify'>;
  /** Accounts told when the treasury cannot fund a top-up or a reversal leaves a debt. */
  operatorIds: () => string[];
  now: () => number;
  /** Tells live watchers (the return page) that this top-up changed. */
  changed: (row: TopUpRow) => void;
}

import type { DatabaseHandle } from '../../db/client';
import type { DisputesRepository } from '../../db/repositories/disputes-repository';
import type { ProviderClaimsRepository } from '../../db/repositories/provider-claims-repository';
import type { DisputeRow } from '../../db/schema/disputes';
import type { AuditLog } from '../accounts/audit-log';
import type { AlertService } from '../alerts';
import type { Governance } from '../governance';
import type { Ledger } from '../ledger';
import type { ProviderRefundPort } from '../ports/provider-refund';
import type { WalletPort } from '../ports/wallet';
import type { ProviderNames } from '../reputation/provider-names';

/** What the disputes engine works with; built once by createDisputes (dispute-service.ts). */
export interface DisputeEngineDeps {
  database: Pick<DatabaseHandle, 'sqlite'>;
  repo: DisputesRepository;
  /** Claims against providers that did not refund (one per dispute). */
  claims: ProviderClaimsRepository;
  ledger: Pick<Ledger, 'transfer' | 'getReservation'>;
  governance: Pick<Governance, 'recordRefundCredit'>;
  /** The person's spending wallet, which makes the invoice the treasury pays. */
  walletFor: (userId: string) => Promise<WalletPort | null>;
  /** Asks a provider that publishes a refund endpoint to pay the refund itself (asked first). */
  providerRefunds: ProviderRefundPort;
  /** The return invoice's expiry: how long the treasury waits on a provider that did not pay. */
  returnInvoiceExpirySec: number;
  /** The operator's treasury (as for top-ups); null = none configured: refunds wait. */
  treasury: WalletPort | null;
  alerts: Pick<AlertService, 'notify'>;
  audit: Pick<AuditLog, 'record'>;
  /** Accounts told when the treasury cannot pay a refund (it is retried until it can). */
  operatorIds: () => string[];
  timeZoneOf: (userId: string) => string;
  /** Names the disputed provider in every view (the person's own, or null: an operator's). */
  providerNames: ProviderNames;
  now: () => number;
  /** Tells live watchers (the Disputes page) that this dispute changed. */
  changed: (row: DisputeRow) => void;
}

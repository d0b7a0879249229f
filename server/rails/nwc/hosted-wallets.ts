/**
 * Hosted spending wallets from the operator's node (live mode): each new person gets an isolated
 * sub-wallet, created over NIP-47 `create_connection` on the treasury connection (Alby Hub's "isolated
 * app": its own balance, which the treasury funds by paying its invoices). The new connection's secret
 * is generated here and never sent: the node learns only its public key, as NIP-47 requires.
 * A treasury that does not offer create_connection hosts nothing: people connect their own wallet.
 */
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import type { WalletInfo } from '../../domain/ports/wallet';
import type { ProvisionedWallet, WalletProvisioner } from '../../domain/ports/wallet-provisioner';
import type { CreateConnectionRequest, NwcWallet } from './nwc-wallet';

/** What a person's wallet is for: paying L402 invoices, receiving top-ups, and the checks on both. */
export const HOSTED_WALLET_METHODS = [
  'get_info',
  'get_balance',
  'get_budget',
  'make_invoice',
  'pay_invoice',
  'lookup_invoice',
  'list_transactions',
] as const;

/** True when the treasury connection may create connections (get_info's methods). */
export function canHostWallets(info: Pick<WalletInfo, 'methods'>): boolean {
  return info.methods.includes('create_connection');
}

type Treasury = Pick<NwcWallet, 'createConnection' | 'connectionStringFor'>;

export function hostedWalletProvisioner(treasury: Treasury, appName: (userId: string) => string = (id) => `Steward ${id}`): WalletProvisioner {
  return {
    async provisionUserWallet(userId): Promise<ProvisionedWallet> {
      const clientSecret = generateSecretKey();
      const request: CreateConnectionRequest = {
        clientPubkeyHex: getPublicKey(clientSecret),
        name: appName(userId),
        requestMethods: HOSTED_WALLET_METHODS,
        isolated: true,
      };
      const created = await treasury.createConnection(request);
      if (created.ok) return { ok: true, nwcUrl: treasury.connectionStringFor(created.value.walletPubkeyHex, Buffer.from(clientSecret).toString('hex')) };
      // The node turned the method off since start-up: a named outcome, not a failure to retry.
      if (created.outcome === 'refused' && (created.reason === 'not_implemented' || created.reason === 'restricted')) {
        return { ok: false, reason: 'own_wallet_required' };
      }
      // The caller records the failure and may provision again later (the port's contract).
      throw new Error(`create_connection ${created.outcome}: ${created.reason}`);
    },
  };
}

/** For a treasury that cannot host wallets: every new person connects their own. */
export const ownWalletsOnly: WalletProvisioner = {
  provisionUserWallet: async () => ({ ok: false, reason: 'own_wallet_required' }),
};

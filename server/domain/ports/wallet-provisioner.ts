/**
 * Gives a new user a spending wallet. In sandbox mode the embedded Lightning network makes one; in live
 * mode an operator's node that supports NIP-47 `create_connection` (Alby Hub) makes an isolated
 * sub-wallet (server/rails/nwc/hosted-wallets.ts); a node that cannot answers `own_wallet_required`,
 * and the person connects their own wallet instead.
 * The returned `nwcUrl` is a bearer secret (nostr+walletconnect://...?secret=...): the caller stores it
 * encrypted and never logs it. An unexpected failure (the node did not answer) is thrown, and the caller
 * may provision again later.
 */
export type ProvisionedWallet =
  | { ok: true; nwcUrl: string }
  /** This deployment hosts no wallets: the person must connect their own (bring your own wallet). */
  | { ok: false; reason: 'own_wallet_required' };

export interface WalletProvisioner {
  provisionUserWallet(userId: string): Promise<ProvisionedWallet>;
}

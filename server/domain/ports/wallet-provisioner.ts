/**
 * Gives a new user a spending wallet. In sandbox mode the embedded Lightning network makes one; a live
 * deployment may make one on a wallet service, or have people bring their own (then no provisioner).
 * The returned `nwcUrl` is a bearer secret (nostr+walletconnect://...?secret=...): the caller stores it
 * encrypted and never logs it.
 */
export interface WalletProvisioner {
  provisionUserWallet(userId: string): Promise<{ nwcUrl: string }>;
}

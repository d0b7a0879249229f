/**
 * Which wallet the agent spends from: the person's own wallet while one is connected, otherwise the
 * one Steward provisioned (kept, encrypted, for when they disconnect). `walletFor` reads the choice
 * from storage on every call, so a change of wallet takes effect for the next payment at once.
 */
import type { WalletRepository } from '../../db/repositories/wallet-repository';
import type { SecretBox } from '../../db/secret-box';
import type { OpenWallet, WalletOrigin, WalletPort } from '../ports/wallet';

export type WalletSource = 'own' | 'provisioned';

export interface SpendingWalletsDeps {
  repo: Pick<WalletRepository, 'findOwnWallet'>;
  secretBox: SecretBox;
  /** The provisioned wallet's decrypted connection string (accounts.walletConnection). */
  provisionedConnection: (userId: string) => string | null;
  openWallet: OpenWallet;
}

/** The secret box context of an own wallet's connection string: a ciphertext opens only for its owner. */
export const ownWalletContext = (userId: string) => `own-wallet:${userId}`;

export type SpendingWallets = ReturnType<typeof createSpendingWallets>;

export function createSpendingWallets(deps: SpendingWalletsDeps) {
  // By origin and connection string: two people may connect the same wallet (a shared demo wallet),
  // and one relay connection serves both; an own wallet is never served by an operator's client,
  // whose relay connections skip the address policy (ports/wallet.ts, WalletOrigin).
  const opened = new Map<string, WalletPort>();
  const keyOf = (url: string, origin: WalletOrigin) => `${origin} ${url}`;

  function connectionFor(userId: string): { source: WalletSource; url: string } | null {
    const own = deps.repo.findOwnWallet(userId);
    if (own) return { source: 'own', url: deps.secretBox.open(own.nwcUrlCiphertext, ownWalletContext(userId)) };
    const provisioned = deps.provisionedConnection(userId);
    return provisioned ? { source: 'provisioned', url: provisioned } : null;
  }

  function open(url: string, source: WalletSource): WalletPort | null {
    const origin: WalletOrigin = source === 'own' ? 'own' : 'operator';
    const known = opened.get(keyOf(url, origin));
    if (known) return known;
    const result = deps.openWallet(url, origin);
    if (!result.ok) return null;
    opened.set(keyOf(url, origin), result.wallet);
    return result.wallet;
  }

  return {
    connectionFor,
    sourceOf: (userId: string): WalletSource | null => connectionFor(userId)?.source ?? null,
    async walletFor(userId: string): Promise<WalletPort | null> {
      const connection = connectionFor(userId);
      return connection ? open(connection.url, connection.source) : null;
    },
    /** The provisioned wallet, whichever is in use: what a disconnect returns to. */
    provisionedWallet(userId: string): WalletPort | null {
      const url = deps.provisionedConnection(userId);
      return url ? open(url, 'provisioned') : null;
    },
    /** Keeps an own wallet just checked for connecting, so the first payment reuses its relay connection. */
    adopt(url: string, wallet: WalletPort): void {
      const key = keyOf(url, 'own');
      if (!opened.has(key)) opened.set(key, wallet);
      else if (opened.get(key) !== wallet) wallet.close();
    },
    closeAll(): void {
      for (const wallet of opened.values()) wallet.close();
      opened.clear();
    },
  };
}

// Which origin each wallet is opened with: an own wallet's relays are held to the address policy at
// every connect, so it must never be opened (or served from the cache) as the operator's.
import { describe, expect, it } from 'vitest';
import type { SecretBox } from '../../db/secret-box';
import type { WalletOrigin, WalletPort } from '../ports/wallet';
import { createSpendingWallets } from './spending-wallets';

const URL_A = 'nostr+walletconnect://a';

function setup(own: string | null, provisioned: string | null) {
  const opens: Array<{ url: string; origin: WalletOrigin }> = [];
  const wallets = createSpendingWallets({
    repo: { findOwnWallet: () => (own === null ? undefined : ({ nwcUrlCiphertext: own } as never)) },
    secretBox: { seal: (plain: string) => plain, open: (sealed: string) => sealed } as unknown as SecretBox,
    provisionedConnection: () => provisioned,
    openWallet: (url, origin) => {
      opens.push({ url, origin });
      return { ok: true, wallet: { close: () => undefined } as unknown as WalletPort };
    },
  });
  return { wallets, opens };
}

describe('spending wallets: origin of each opened wallet', () => {
  it("opens an own wallet as 'own' and the provisioned one as 'operator'", async () => {
    const { wallets, opens } = setup('nostr+walletconnect://own', 'nostr+walletconnect://provisioned');
    await wallets.walletFor('u1');
    wallets.provisionedWallet('u1');
    expect(opens).toEqual([
      { url: 'nostr+walletconnect://own', origin: 'own' },
      { url: 'nostr+walletconnect://provisioned', origin: 'operator' },
    ]);
  });

  it("never serves an own wallet from the operator's client of the same string", async () => {
    const { wallets, opens } = setup(URL_A, URL_A);
    const provisioned = wallets.provisionedWallet('u1');
    const own = await wallets.walletFor('u1');
    expect(own).not.toBe(provisioned);
    expect(opens.map((o) => o.origin)).toEqual(['operator', 'own']);
  });
});

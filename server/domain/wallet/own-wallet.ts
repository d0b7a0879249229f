/**
 * Bring your own wallet: a person pastes an NWC connection string, Steward checks the wallet can be
 * spent from on this app's network, stores the string encrypted and spends from it from then on.
 * Disconnecting returns to the provisioned wallet. Either change needs a fresh proof (wallet-proof.ts)
 * and moves the ledger balance to the wallet now in use (wallet-switch.ts).
 *
 * The wallet's own NWC budget (get_budget, where it has one) is shown as a second line of defence;
 * Steward's budget and ledger stay the first.
 */
import type { Msat } from '../../../shared/money';
import type { WalletRepository } from '../../db/repositories/wallet-repository';
import type { SecretBox } from '../../db/secret-box';
import type { RequestMeta } from '../accounts/types';
import { unansweredReason, type BitcoinNetwork, type CheckWalletRelays, type ConnectionStringRefusal, type OpenWallet, type WalletBudgetStatus, type WalletInfo, type WalletPort, type WalletRefusalReason, type WalletUnknownReason } from '../ports/wallet';
import { ownWalletContext, type SpendingWallets } from './spending-wallets';
import { proveFresh, type ProofDeps, type ProofInput, type ProofRefusal } from './wallet-proof';
import { switchWalletBalance, type SwitchDeps, type SwitchRefusal } from './wallet-switch';

/** Methods a spending wallet must allow: paying, and reading the balance the ledger mirrors. */
export const REQUIRED_METHODS = ['pay_invoice', 'get_balance'] as const;

export type WalletCheckRefusal =
  | ConnectionStringRefusal
  /** A relay of the string is on an address the server must not connect to (loopback, private, ...). */
  | 'relay_not_allowed'
  /** No answer from the wallet (relay down, wallet offline). */
  | 'wallet_unreachable'
  /** The wallet answered with an error (e.g. the connection was revoked). */
  | 'wallet_refused'
  | 'wrong_network'
  | 'pay_invoice_not_allowed'
  | 'get_balance_not_allowed';

export type ConnectRefusal = WalletCheckRefusal | ProofRefusal | SwitchRefusal;
export type DisconnectRefusal = 'no_own_wallet' | 'wallet_unreachable' | ProofRefusal | SwitchRefusal;

export interface CheckedWallet {
  alias: string;
  network: BitcoinNetwork;
  methods: string[];
  balanceMsat: Msat;
  budget: WalletBudgetStatus;
}

export interface OwnWalletDeps {
  repo: Pick<WalletRepository, 'findOwnWallet' | 'saveOwnWallet' | 'deleteOwnWallet' | 'restartSync' | 'unfinished' | 'transition'>;
  secretBox: SecretBox;
  openWallet: OpenWallet;
  /** Checked before anything connects: a pasted string must not aim the server at its own network. */
  checkRelays: CheckWalletRelays;
  wallets: Pick<SpendingWallets, 'provisionedWallet' | 'adopt'>;
  /** The network this app runs on: regtest in the sandbox, mainnet live. */
  network: BitcoinNetwork;
  proof: ProofDeps;
  switching: SwitchDeps;
  audit: (userId: string, kind: 'wallet_connected' | 'wallet_disconnected', detail: Record<string, string>, meta: RequestMeta) => void;
  now: () => number;
}

type Checked = { ok: true; wallet: CheckedWallet } | { ok: false; reason: WalletCheckRefusal };

/** Refusal for a method the wallet did not answer: silence is not a refusal of the connection. */
const unanswered = (failure: { outcome: 'refused'; reason: WalletRefusalReason } | { outcome: 'unknown'; reason: WalletUnknownReason }): WalletCheckRefusal =>
  failure.outcome === 'unknown' ? unansweredReason(failure) : 'wallet_refused';

function methodRefusal(info: WalletInfo): WalletCheckRefusal | null {
  if (!info.methods.includes('pay_invoice')) return 'pay_invoice_not_allowed';
  if (!info.methods.includes('get_balance')) return 'get_balance_not_allowed';
  return null;
}

/** Asks the wallet what it is, what it allows, what it holds and its own budget. */
export async function checkWallet(wallet: WalletPort, network: BitcoinNetwork): Promise<Checked> {
  const info = await wallet.getInfo();
  if (!info.ok) return { ok: false, reason: unanswered(info) };
  if (info.value.network !== network) return { ok: false, reason: 'wrong_network' };
  const missing = methodRefusal(info.value);
  if (missing) return { ok: false, reason: missing };
  const balance = await wallet.getBalance();
  if (!balance.ok) return { ok: false, reason: unanswered(balance) };
  // get_budget is optional: a wallet without it (or one that cannot answer now) shows no budget.
  const budget = info.value.methods.includes('get_budget') ? await wallet.getBudget() : null;
  return {
    ok: true,
    wallet: {
      alias: info.value.alias,
      network,
      methods: info.value.methods,
      balanceMsat: balance.value.balanceMsat,
      budget: budget?.ok ? budget.value : { kind: 'unsupported' },
    },
  };
}

export type OwnWallets = ReturnType<typeof createOwnWallets>;

export function createOwnWallets(deps: OwnWalletDeps) {
  /** Receive invoices made on the old wallet are no longer watched; money paid to them stays in that wallet. */
  function closeOpenReceives(userId: string, nowMs: number): void {
    for (const op of deps.repo.unfinished(userId)) {
      if (op.kind === 'receive') deps.repo.transition(op.id, ['open'], { status: 'expired', failureReason: 'wallet_changed', settledAtMs: nowMs });
    }
  }

  async function connect(
    input: ProofInput & { connectionString: string },
    meta: RequestMeta,
  ): Promise<{ ok: true; wallet: CheckedWallet } | { ok: false; reason: ConnectRefusal; retryAt?: string }> {
    const url = input.connectionString.trim();
    const relays = await deps.checkRelays(url);
    if (!relays.ok) return relays;
    const opened = deps.openWallet(url, 'own');
    if (!opened.ok) return { ok: false, reason: opened.reason ?? 'not_a_connection_string' };
    const checked = await checkWallet(opened.wallet, deps.network);
    if (!checked.ok) {
      opened.wallet.close();
      return checked;
    }
    const proven = await proveFresh(deps.proof, input, { kind: 'change_spending_wallet', id: 'own' }, meta);
    if (!proven.ok) {
      opened.wallet.close();
      return proven;
    }
    const nowMs = deps.now();
    const previous = deps.repo.findOwnWallet(input.userId) ? 'own' : 'provisioned';
    const switched = switchWalletBalance(deps.switching, { userId: input.userId, from: previous, to: 'own', newBalanceMsat: checked.wallet.balanceMsat }, () => {
      deps.repo.saveOwnWallet({
        userId: input.userId,
        nwcUrlCiphertext: deps.secretBox.seal(url, ownWalletContext(input.userId)),
        alias: checked.wallet.alias,
        connectedAtMs: nowMs,
      });
      deps.repo.restartSync(input.userId, nowMs);
      closeOpenReceives(input.userId, nowMs);
    });
    if (!switched.ok) {
      opened.wallet.close();
      return switched;
    }
    deps.wallets.adopt(url, opened.wallet);
    deps.audit(input.userId, 'wallet_connected', { wallet: checked.wallet.alias }, meta);
    return checked;
  }

  async function disconnect(input: ProofInput, meta: RequestMeta): Promise<{ ok: true; balanceMsat: Msat } | { ok: false; reason: DisconnectRefusal; retryAt?: string }> {
    const own = deps.repo.findOwnWallet(input.userId);
    if (!own) return { ok: false, reason: 'no_own_wallet' };
    // Back to the provisioned wallet, whose balance the ledger then mirrors; none in a deployment
    // where everyone brings their own, and then nothing is left to spend.
    const provisioned = deps.wallets.provisionedWallet(input.userId);
    let balanceMsat = 0 as Msat;
    if (provisioned) {
      const balance = await provisioned.getBalance();
      if (!balance.ok) return { ok: false, reason: 'wallet_unreachable' };
      balanceMsat = balance.value.balanceMsat;
    }
    const proven = await proveFresh(deps.proof, input, { kind: 'change_spending_wallet', id: 'provisioned' }, meta);
    if (!proven.ok) return proven;
    const nowMs = deps.now();
    const switched = switchWalletBalance(deps.switching, { userId: input.userId, from: 'own', to: 'provisioned', newBalanceMsat: balanceMsat }, () => {
      deps.repo.deleteOwnWallet(input.userId);
      deps.repo.restartSync(input.userId, nowMs);
      closeOpenReceives(input.userId, nowMs);
    });
    if (!switched.ok) return switched;
    deps.audit(input.userId, 'wallet_disconnected', { wallet: own.alias }, meta);
    return { ok: true, balanceMsat: switched.inMsat };
  }

  return { connect, disconnect };
}

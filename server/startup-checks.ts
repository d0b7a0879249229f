/**
 * The checks a deployment passes before it serves anyone: a fresh BTC/USD rate, and (when
 * NWC_TREASURY_URL is set) a treasury that answers get_info and may pay_invoice. Each failure is a
 * StartupRefusal whose message is the one line main.ts prints before exiting non-zero: an operator
 * should learn at start, not from a person's failed top-up, that the rails cannot move money.
 */
import type { Env } from './env';
import type { Logger } from './logger';
import { RateUnavailableError } from './domain/ports/exchange-rate';
import type { WalletInfo, WalletPort } from './domain/ports/wallet';
import type { WalletProvisioner } from './domain/ports/wallet-provisioner';
import { canHostWallets, hostedWalletProvisioner, ownWalletsOnly } from './rails/nwc/hosted-wallets';
import { openNwcWallet, type NwcWallet } from './rails/nwc/nwc-wallet';
import { createLiveExchangeRate, describeRefreshFailure, type LiveExchangeRate, type LiveRateOptions } from './rails/rates/live-rate';

export class StartupRefusal extends Error {
  override readonly name = 'StartupRefusal';
}

const refuse = (line: string) => new StartupRefusal(`Steward will not start: ${line}`);

/** How long start-up waits for the treasury's get_info: long enough for a relay round trip, short enough to fail fast. */
const TREASURY_CHECK_TIMEOUT_MS = 10_000;
const RATE_FETCH_TIMEOUT_MS = 5_000;

/**
 * The rate feed, read once now: it must give a fresh price before anything is served (a quote or
 * top-up made in the first minute would otherwise be refused), then refreshes in the background.
 */
export async function startRateFeed(
  options: Omit<LiveRateOptions, 'timeoutMs'> & { timeoutMs?: number },
  logger: Pick<Logger, 'warn'>,
): Promise<LiveExchangeRate> {
  const rates = createLiveExchangeRate({ timeoutMs: RATE_FETCH_TIMEOUT_MS, ...options });
  const first = await rates.refresh();
  try {
    await rates.current();
  } catch (error) {
    if (!(error instanceof RateUnavailableError)) throw error;
    if (error.reason === 'no_rate' && !first.ok) throw refuse(`no BTC/USD price from RATE_URLS (${describeRefreshFailure(first)})`);
    throw refuse(`${error.message}; quotes and top-ups never lock a stale rate (see RATE_URLS, RATE_MAX_AGE_SECONDS)`);
  }
  rates.start((outcome) => logger.warn({ sources: describeRefreshFailure(outcome) }, 'BTC/USD rate refresh failed; keeping the last price until it is stale'));
  return rates;
}

/**
 * The treasury must answer get_info, name a network we know (mainnet in live mode, which moves real
 * money) and allow pay_invoice, or no top-up could ever be funded.
 */
export async function checkTreasury(treasury: WalletPort, mode: Env['mode']): Promise<WalletInfo> {
  const answered = await treasury.getInfo();
  if (!answered.ok) {
    const what = answered.outcome === 'unknown' ? 'did not answer get_info' : 'refused get_info';
    throw refuse(`the treasury wallet (NWC_TREASURY_URL) ${what} (${answered.reason}: ${answered.message}); check that its wallet service is running and reachable through its relay`);
  }
  const info = answered.value;
  if (info.network === null) {
    throw refuse(`the treasury wallet (NWC_TREASURY_URL) reports the network "${info.networkReported}", which Steward does not know`);
  }
  if (mode === 'live' && info.network !== 'mainnet') {
    throw refuse(`the treasury wallet (NWC_TREASURY_URL) is on ${info.network}; live mode moves real money and needs a mainnet wallet`);
  }
  if (!info.methods.includes('pay_invoice')) {
    const allowed = info.methods.length > 0 ? info.methods.join(', ') : 'nothing';
    throw refuse(`the treasury wallet (NWC_TREASURY_URL) may not pay_invoice (it allows ${allowed}); give its connection permission to pay, or no top-up can be funded`);
  }
  return info;
}

export interface ConnectedTreasury {
  treasury: NwcWallet;
  info: WalletInfo;
  /** Isolated sub-wallets over create_connection where the node offers it; else people bring their own. */
  provisioner: WalletProvisioner;
}

/** Opens NWC_TREASURY_URL and checks it (checkTreasury); closes it again when it fails. */
export async function connectTreasury(
  nwcUrl: string,
  mode: Env['mode'],
  timeoutMs: number = TREASURY_CHECK_TIMEOUT_MS,
): Promise<ConnectedTreasury> {
  const opened = openNwcWallet(nwcUrl, { timeouts: { otherMs: timeoutMs } });
  if (!opened.ok) throw refuse(`NWC_TREASURY_URL is not a usable connection string (${opened.reason})`);
  try {
    const info = await checkTreasury(opened.wallet, mode);
    const provisioner = canHostWallets(info) ? hostedWalletProvisioner(opened.wallet) : ownWalletsOnly;
    return { treasury: opened.wallet, info, provisioner };
  } catch (error) {
    opened.wallet.close();
    throw error;
  }
}

/**
 * Sandbox mode: the app's rate and the demo market's btc-price service agree. The app reads the
 * market's free spot price through the same live adapter (and start-up check) live mode uses, and a
 * third-party L402 client buying btc-price gets the same price, to the cent, for the same minute.
 */
import '../sandbox/websocket-global';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchWithL402 } from '@getalby/lightning-tools/402/l402';
import { NWCClient } from '@getalby/sdk/nwc';
import { afterAll, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, usdCents } from '../../shared/money';
import { SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { startSandbox, type RunningSandbox } from '../sandbox/stack';
import { startRateFeed } from '../startup-checks';

const quiet = { warn: () => undefined };
const dirs: string[] = [];
const sandboxes: RunningSandbox[] = [];
const clients: NWCClient[] = [];

async function sandboxWith(options: { btcUsdPerBtc?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-sandbox-rate-'));
  dirs.push(dataDir);
  const sandbox = await startSandbox({ dataDir, ...options });
  sandboxes.push(sandbox);
  const guest = new NWCClient({ nostrWalletConnectUrl: sandbox.wallets.guest ?? '' });
  clients.push(guest);
  return { sandbox, guest };
}

/** The market's paid btc-price answer in USD, bought as any L402 client would. */
async function boughtPrice(sandbox: RunningSandbox, guest: NWCClient): Promise<{ price: number; asOf: string }> {
  const response = await fetchWithL402(`${sandbox.marketUrl}/v1/btc/price?currency=USD`, {}, { wallet: guest });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { price: number; as_of: string };
  return { price: body.price, asOf: body.as_of };
}

const minuteOf = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();

afterAll(async () => {
  for (const client of clients) client.close();
  for (const sandbox of sandboxes) await sandbox.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('sandbox rate and market price', () => {
  it("values money at the market's own moving price, the one btc-price sells", async () => {
    const { sandbox, guest } = await sandboxWith();
    // The series moves once a minute: read both within one minute (a second try if one straddled it).
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const rates = await startRateFeed({ urls: [sandbox.rateUrl], maxAgeMs: 300_000, refreshMs: 60_000 }, quiet);
      rates.stop();
      const reading = rates.newest();
      if (!reading) throw new Error('no reading');
      const sold = await boughtPrice(sandbox, guest);
      if (sold.asOf !== minuteOf(reading.pricedAtMs)) continue;
      expect(reading.centsPerBtc).toBe(Math.round(sold.price * 100));
      expect(await rates.current()).toEqual(btcUsdRateFromCentsPerBtc(usdCents(Math.round(sold.price * 100))));
      // Not the old fixed $100,000: the sandbox's series lives well below it.
      expect(reading.centsPerBtc).not.toBe(100_000_00);
      return;
    }
    throw new Error('the rate and the price never fell in one minute');
  });

  it('pins both to BTC_USD_RATE when the sandbox is told to', async () => {
    const { sandbox, guest } = await sandboxWith({ btcUsdPerBtc: 100_000 });
    const rates = await startRateFeed({ urls: [sandbox.rateUrl], maxAgeMs: 300_000, refreshMs: 60_000 }, quiet);
    rates.stop();
    expect(await rates.current()).toEqual(SANDBOX_BTC_USD_RATE);
    expect((await boughtPrice(sandbox, guest)).price).toBe(100_000);
  });
});

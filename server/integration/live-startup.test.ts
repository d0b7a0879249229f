/**
 * Live-mode start-up refuses, with one line, rails that cannot move money: a treasury that cannot pay
 * or cannot be reached, a treasury on the wrong network, and a rate that is stale or missing. Checked
 * on the functions main.ts calls and on the real entry point (exit code and stderr).
 */
import '../sandbox/websocket-global';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NWCWalletService, NWCWalletServiceKeyPair, type Nip47SingleMethod } from '@getalby/sdk/nwc';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../sandbox/relay/relay';
import { startSandbox, type RunningSandbox } from '../sandbox/stack';
import { connectTreasury, startRateFeed, StartupRefusal } from '../startup-checks';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const quiet = { warn: () => undefined };
/** The frozen feed's timestamp: an hour before the clock the rate check is given. */
const FROZEN_AT_SEC = Math.floor(Date.now() / 1000) - 3_600;
const NO_PAY_LINE =
  'Steward will not start: the treasury wallet (NWC_TREASURY_URL) may not pay_invoice (it allows get_info, get_balance, make_invoice); ' +
  'give its connection permission to pay, or no top-up can be funded';

let relay: RunningRelay;
let walletService: NWCWalletService;
let priceServer: Server;
let priceBase = '';
let dataDir: string;
let sandbox: RunningSandbox;

/** A mainnet wallet service that may receive but not pay: what a read-only Alby Hub connection looks like. */
async function receiveOnlyTreasury(): Promise<string> {
  const walletSecret = generateSecretKey();
  const clientSecret = generateSecretKey();
  const methods: Nip47SingleMethod[] = ['get_info', 'get_balance', 'make_invoice'];
  const keypair = new NWCWalletServiceKeyPair(hex(walletSecret), getPublicKey(clientSecret));
  await walletService.subscribe(keypair, {
    getInfo: async () => ({
      result: { alias: 'receive only', color: '', pubkey: '02'.padEnd(66, '1'), network: 'mainnet', block_height: 1, block_hash: '', methods, notifications: [] },
      error: undefined,
    }),
  });
  await walletService.publishWalletServiceInfoEvent(hex(walletSecret), methods, []);
  return `nostr+walletconnect://${getPublicKey(walletSecret)}?relay=${encodeURIComponent(relay.url)}&secret=${hex(clientSecret)}`;
}

/** A connection string nobody answers: its relay's port is closed. */
const unreachableTreasury = () =>
  `nostr+walletconnect://${getPublicKey(generateSecretKey())}?relay=${encodeURIComponent('ws://127.0.0.1:9')}&secret=${hex(generateSecretKey())}`;

beforeAll(async () => {
  relay = await startRelay();
  walletService = new NWCWalletService({ relayUrls: [relay.url] });
  priceServer = createServer((req, res) => {
    const bodies: Record<string, unknown> = {
      '/fresh': { data: { amount: '97250.51', base: 'BTC', currency: 'USD' } },
      // A frozen feed: it answers, with a price an hour old by its own clock.
      '/frozen': { bitcoin: { usd: 94_000, last_updated_at: FROZEN_AT_SEC } },
    };
    const body = bodies[req.url ?? ''];
    if (!body) return void res.writeHead(503).end('down');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => priceServer.listen(0, '127.0.0.1', resolve));
  priceBase = `http://127.0.0.1:${(priceServer.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'steward-startup-'));
  sandbox = await startSandbox({ dataDir: join(dataDir, 'sandbox') });
});
afterAll(async () => {
  walletService.close();
  await relay.close();
  await sandbox.close();
  priceServer.closeAllConnections();
  await new Promise((resolve) => priceServer.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('treasury check at start', () => {
  it('refuses a treasury that may not pay_invoice', async () => {
    await expect(connectTreasury(await receiveOnlyTreasury(), 'live')).rejects.toThrow(new StartupRefusal(NO_PAY_LINE));
  });

  it('refuses a treasury nobody answers for', async () => {
    const refused = await connectTreasury(unreachableTreasury(), 'live', 3_000).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StartupRefusal);
    expect((refused as Error).message).toMatch(
      /^Steward will not start: the treasury wallet \(NWC_TREASURY_URL\) did not answer get_info \((wallet_unreachable|reply_timeout): .+\); check that its wallet service is running and reachable through its relay$/,
    );
  });

  it('refuses a regtest treasury in live mode, and takes it in sandbox mode, hosting wallets where it can create connections', async () => {
    const treasuryUrl = sandbox.wallets.treasury ?? '';
    await expect(connectTreasury(treasuryUrl, 'live')).rejects.toThrow(
      'Steward will not start: the treasury wallet (NWC_TREASURY_URL) is on regtest; live mode moves real money and needs a mainnet wallet',
    );
    const connected = await connectTreasury(treasuryUrl, 'sandbox');
    try {
      expect(connected.info.methods).toEqual(expect.arrayContaining(['pay_invoice', 'create_connection']));
      const hosted = await connected.provisioner.provisionUserWallet('someone');
      expect(hosted.ok && hosted.nwcUrl).toMatch(/^nostr\+walletconnect:\/\/[0-9a-f]{64}\?relay=/);
    } finally {
      connected.treasury.close();
    }
    // The guest connection may not create connections: new people would bring their own wallet.
    const guest = await connectTreasury(sandbox.wallets.guest ?? '', 'sandbox');
    try {
      expect(await guest.provisioner.provisionUserWallet('someone')).toEqual({ ok: false, reason: 'own_wallet_required' });
    } finally {
      guest.treasury.close();
    }
  });
});

describe('rate check at start', () => {
  const now = () => (FROZEN_AT_SEC + 3_600) * 1000;
  const feed = (paths: string[]) => startRateFeed({ urls: paths.map((p) => `${priceBase}${p}`), maxAgeMs: 300_000, refreshMs: 60_000, now }, quiet);

  it('refuses a stale rate', async () => {
    await expect(feed(['/frozen'])).rejects.toThrow(
      new StartupRefusal(
        `Steward will not start: the BTC/USD price ($94,000.00 from ${new URL(priceBase).host}) is 3600 s old, over the 300 s limit; ` +
          'quotes and top-ups never lock a stale rate (see RATE_URLS, RATE_MAX_AGE_SECONDS)',
      ),
    );
  });

  it('refuses when no source answers, naming each', async () => {
    await expect(feed(['/down', '/also-down'])).rejects.toThrow(
      new StartupRefusal(
        `Steward will not start: no BTC/USD price from RATE_URLS (${priceBase}/down: http_error (HTTP 503); ${priceBase}/also-down: http_error (HTTP 503))`,
      ),
    );
  });

  it('starts on a fresh fallback', async () => {
    const rates = await feed(['/down', '/fresh']);
    rates.stop();
    expect(rates.newest()?.centsPerBtc).toBe(97_250_51);
  });
});

describe('the entry point', () => {
  /** `tsx server/main.ts` in live mode: its exit code and what it printed on stderr. */
  async function startLive(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        DATA_DIR: join(dataDir, 'live'),
        PORT: '0',
        LOG_LEVEL: 'silent',
        STRIPE_SECRET_KEY: 'sk_live_startup_test',
        STRIPE_WEBHOOK_SECRET: 'whsec_startup_test',
        CATALOG_URLS: 'https://provider.example',
        SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stderr };
  }

  it('exits non-zero with the one refusal line when the rate is stale', async () => {
    const { code, stderr } = await startLive({ NWC_TREASURY_URL: unreachableTreasury(), RATE_URLS: `${priceBase}/frozen` });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Steward will not start: the BTC\/USD price \(\$94,000\.00 from [^)]+\) is 36\d\d s old, over the 300 s limit; quotes and top-ups never lock a stale rate \(see RATE_URLS, RATE_MAX_AGE_SECONDS\)\n$/);
  }, 30_000);

  it('exits non-zero with the one refusal line when the treasury cannot pay', async () => {
    const { code, stderr } = await startLive({ NWC_TREASURY_URL: await receiveOnlyTreasury(), RATE_URLS: `${priceBase}/fresh` });
    expect(code).toBe(1);
    expect(stderr).toBe(`${NO_PAY_LINE}\n`);
  }, 30_000);
});

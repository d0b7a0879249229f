// Builds the real router over the app's real service graph (server/compose.ts, as main.ts builds it)
// on an in-memory database, and hands out callers as a given session, so API tests exercise the same
// middleware and scoping as HTTP requests. Only the outside world is faked, through compose's seams:
// no network, wallets that tests plug in, prices from a fixed table.
import type { Writable } from 'node:stream';
import { usdCents } from '../../shared/money';
import { composeServices, type ComposeSeams } from '../compose';
import { createTestEnvironment, fakeWalletProvisioner, TEST_META } from '../domain/accounts/test-support';
import type { ExchangeRatePort } from '../domain/ports/exchange-rate';
import type { WalletPort } from '../domain/ports/wallet';
import { scriptedProbe, TEST_RATE } from '../domain/quotes/test-support';
import { fakeCardCheckout } from '../domain/topups/test-support';
import { createApiContext, type ApiDeps, type RateLimitCheck, type SessionCookieJar } from './context';
import { appRouter } from './router';
import { createCallerFactory } from './trpc';
import { TRPCError } from '@trpc/server';
import { RefusalDetail } from './errors';

export const TEST_PASSWORD = 'plum-orchard-lantern-42';
const createCaller = createCallerFactory(appRouter);
const alwaysAllowed: RateLimitCheck = async () => ({ allowed: true });

/** Every request fails as if nothing answered: the harness never reaches the network. */
const noNetwork: NonNullable<ComposeSeams['fetcher']> = Object.assign(
  async () => ({ ok: false as const, reason: 'connection_failed' as const, detail: 'no network in the API harness' }),
  { close: () => undefined },
);

/**
 * A caller over any service graph as the holder of `token` (null = signed out); `jar.token` is whatever
 * the call set. The integration tests use it over the real sandbox stack. `checkRateLimit` stands in
 * for the HTTP layer's limiter (default: every call allowed).
 */
/** A limiter that has run out, as for an address that guessed too often. */
export const exhaustedRateLimit: RateLimitCheck = async () => ({ allowed: false, retryAfterSeconds: 60 });

export function callerOver(deps: ApiDeps, token: string | null, checkRateLimit: RateLimitCheck = alwaysAllowed) {
  const jar: SessionCookieJar & { token: string | null } = {
    token,
    set(value) {
      jar.token = value;
    },
    clear() {
      jar.token = null;
    },
  };
  const ctx = createApiContext(deps, { sessionToken: token, meta: TEST_META, cookies: jar, checkRateLimit });
  return { caller: createCaller(ctx), jar };
}

/** The one provider a harness may be given (`providerManifest`); only its manifest answers. */
export const HARNESS_PROVIDER_URL = 'https://market.test';

/** Answers the harness provider's manifest and nothing else. */
function manifestOnly(manifest: unknown): NonNullable<ComposeSeams['fetcher']> {
  const body = Buffer.from(JSON.stringify(manifest));
  return Object.assign(
    async (url: string) =>
      url === `${HARNESS_PROVIDER_URL}/.well-known/l402.json`
        ? { ok: true as const, response: { status: 200, headers: new Headers({ 'content-type': 'application/json' }), body, url, text: () => body.toString('utf8') } }
        : noNetwork(url),
    { close: () => undefined },
  );
}

/**
 * `providerManifest`: a catalog for everybody, served as HARNESS_PROVIDER_URL's manifest (load it
 * with `deps.catalog.refreshAll()`); without it the catalog is empty. `rates`: the BTC/USD rate
 * source (default a fixed $100,000). `databasePath` and `secretsKey`: a database file and key to share
 * with other harnesses, as instances share one database and SECRETS_KEY (default: their own).
 */
export function createApiHarness(
  options: {
    logDestination?: Writable;
    sessionRecheckMs?: number;
    providerManifest?: unknown;
    rates?: ExchangeRatePort;
    /** One instance of several: a database file and key they share, and the PostgreSQL their live updates travel through. */
    storage?: { databasePath: string; secretsKey: Buffer };
    databaseUrl?: string;
  } = {},
) {
  const environment = createTestEnvironment(options);
  const provisioner = fakeWalletProvisioner();
  /** Each person's spending wallet, for tests to plug a fake into; nobody has one until then. */
  const wallets = new Map<string, WalletPort>();
  const walletOwners = new Map<string, string>();
  const services = composeServices({
    database: environment.database,
    secretsKey: environment.secretsKey,
    logger: environment.logger,
    rates: options.rates ?? { current: async () => TEST_RATE },
    // No configured provider unless asked for: requests get planned to "unsupported", so nothing is
    // quoted or paid through the agent here.
    providerUrls: options.providerManifest === undefined ? [] : [HARNESS_PROVIDER_URL],
    sandboxWallets: null,
    now: () => environment.clock.now().getTime(),
    sessionRecheckMs: options.sessionRecheckMs,
    databaseUrl: options.databaseUrl ?? null,
    seams: {
      // A wallet URL per account (with a recognisable secret, so tests can look for leaks), no welcome credit.
      walletProvisioner: {
        async provisionUserWallet(userId) {
          const issued = await provisioner.provisionUserWallet(userId);
          if (issued.ok) walletOwners.set(issued.nwcUrl, userId);
          return issued;
        },
      },
      openWallet: (nwcUrl) => {
        const wallet = wallets.get(walletOwners.get(nwcUrl) ?? '');
        return wallet ? { ok: true, wallet } : { ok: false };
      },
      fetcher: options.providerManifest === undefined ? noNetwork : manifestOnly(options.providerManifest),
      // `summary` costs 1,000 sats, which needs a confirmation.
      probePrice: scriptedProbe({ summary: { priceMsat: 1_000_000 } }).probePrice,
    },
    topUps: {
      checkout: fakeCardCheckout(),
      limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 },
      publicUrl: 'http://127.0.0.1:5402',
      treasuryUrl: null,
    },
  });
  const deps: ApiDeps = { mode: 'sandbox', version: '0.0.0-test', logger: environment.logger, ...services };

  const callerFor = (token: string | null) => callerOver(deps, token);

  async function signUp(email: string) {
    const { caller, jar } = callerFor(null);
    const { user } = await caller.auth.signUp({ email, password: TEST_PASSWORD, timeZone: 'America/New_York', displayCurrency: 'USD' });
    if (!jar.token) throw new Error('sign-up set no session cookie');
    const token = jar.token;
    return { user, token, as: () => callerFor(token).caller };
  }

  return { ...environment, ...services.accounts, provisioner, deps, services, wallets, ledger: services.ledger, callerFor, signUp };
}

/** A call's refusal as the browser sees it: the tRPC code and the named reason (fails if the call succeeded). */
export async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; reason: string | undefined }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return { code: error.code, reason: error.cause instanceof RefusalDetail ? error.cause.reason : undefined };
}

import { describe, expect, it } from 'vitest';
import { configuredProviderUrls, InvalidEnvError, parseEnv, testDatabaseUrl } from './env';

describe('parseEnv', () => {
  it('defaults to the sandbox on 127.0.0.1:5402 with the database under data/', () => {
    const env = parseEnv({});
    expect(env.mode).toBe('sandbox');
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.PORT).toBe(5402);
    expect(env.databasePath).toBe('data/steward.db');
    expect(env.sandboxPieces).toEqual({ treasury: true, stripe: true, catalog: true });
  });

  it('names the variable when a value is invalid', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT: /);
    expect(() => parseEnv({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => parseEnv({ NWC_TREASURY_URL: 'https://wallet' })).toThrow(/NWC_TREASURY_URL: must be a nostr\+walletconnect/);
    expect(() => parseEnv({ SECRETS_KEY: 'c2hvcnQ=' })).toThrow(/SECRETS_KEY: must be base64 of exactly 32 bytes/);
    expect(() => parseEnv({ CATALOG_URLS: 'not a url' })).toThrow(InvalidEnvError);
  });

  it('selects PostgreSQL only with a postgres:// DATABASE_URL, SQLite otherwise', () => {
    expect(parseEnv({}).databaseUrl).toBeNull();
    expect(parseEnv({ DATABASE_URL: '' }).databaseUrl).toBeNull();
    expect(parseEnv({ DATABASE_URL: 'postgres://steward:pw@db.internal:5432/steward' }).databaseUrl).toBe('postgres://steward:pw@db.internal:5432/steward');
    expect(parseEnv({ DATABASE_URL: 'postgresql://db.internal/steward' }).databaseUrl).toBe('postgresql://db.internal/steward');
    expect(() => parseEnv({ DATABASE_URL: 'mysql://db.internal/steward' })).toThrow(/^Invalid configuration: DATABASE_URL: must be a postgres:\/\//);
    expect(() => parseEnv({ DATABASE_URL: 'data/steward.db' })).toThrow(/DATABASE_URL/);
    expect(testDatabaseUrl({})).toBeNull();
    expect(testDatabaseUrl({ TEST_DATABASE_URL: 'postgres://127.0.0.1:5432/t' })).toBe('postgres://127.0.0.1:5432/t');
    expect(() => testDatabaseUrl({ TEST_DATABASE_URL: 'sqlite:x' })).toThrow(/TEST_DATABASE_URL/);
  });

  it('refuses half of a pair of settings', () => {
    expect(() => parseEnv({ STRIPE_SECRET_KEY: 'sk_test_123' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => parseEnv({ LLM_BASE_URL: 'http://127.0.0.1:9/v1' })).toThrow(/LLM_MODEL/);
  });

  it('replaces each sandbox piece with its live setting and is live only when all are real', () => {
    const stripeOnly = parseEnv({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' });
    expect(stripeOnly.mode).toBe('sandbox');
    expect(stripeOnly.sandboxPieces.stripe).toBe(false);

    const live = {
      STRIPE_SECRET_KEY: 'sk_live_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
      NWC_TREASURY_URL: 'nostr+walletconnect://abc?relay=wss://r&secret=00',
      CATALOG_URLS: 'https://a.example, https://b.example',
    };
    expect(() => parseEnv(live)).toThrow(/SECRETS_KEY: required in live mode/);
    const env = parseEnv({ ...live, SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(env.mode).toBe('live');
    expect(env.CATALOG_URLS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('holds live mode to real money: a live Stripe key, and no sandbox price pin', () => {
    const live = {
      STRIPE_SECRET_KEY: 'sk_live_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
      NWC_TREASURY_URL: 'nostr+walletconnect://abc?relay=wss://r&secret=00',
      CATALOG_URLS: 'https://a.example',
      SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    expect(() => parseEnv({ ...live, STRIPE_SECRET_KEY: 'sk_test_1' })).toThrow(
      'Invalid configuration: STRIPE_SECRET_KEY: live mode needs a live key (sk_live_...); a test key is for sandbox mode',
    );
    expect(parseEnv({ ...live, STRIPE_SECRET_KEY: 'rk_live_1' }).mode).toBe('live');
    expect(() => parseEnv({ ...live, BTC_USD_RATE: '100000' })).toThrow('Invalid configuration: BTC_USD_RATE: sandbox only; live mode reads the price from RATE_URLS');
    expect(parseEnv({ BTC_USD_RATE: '100000' }).BTC_USD_RATE).toBe('100000');
  });

  it('reads the rate feed settings: endpoints in order, a staleness limit, a refresh shorter than it', () => {
    const defaults = parseEnv({});
    expect([defaults.RATE_URLS, defaults.RATE_MAX_AGE_SECONDS, defaults.RATE_REFRESH_SECONDS]).toEqual([undefined, 300, 60]);
    const env = parseEnv({ RATE_URLS: 'https://a.example/spot, http://127.0.0.1:9/ticker', RATE_MAX_AGE_SECONDS: '120' });
    expect(env.RATE_URLS).toEqual(['https://a.example/spot', 'http://127.0.0.1:9/ticker']);
    expect(() => parseEnv({ RATE_URLS: 'ftp://a.example/spot' })).toThrow(/RATE_URLS/);
    expect(() => parseEnv({ RATE_MAX_AGE_SECONDS: '60', RATE_REFRESH_SECONDS: '60' })).toThrow(/RATE_REFRESH_SECONDS: must be shorter than RATE_MAX_AGE_SECONDS/);
  });

  it('combines CATALOG_URLS with the sandbox market in sandbox mode, and stays sandbox until every rail is real', () => {
    const env = parseEnv({ CATALOG_URLS: 'http://127.0.0.1:9000, http://10.0.0.7:8080/api' });
    expect(env.mode).toBe('sandbox');
    const market = 'http://127.0.0.1:4021';
    expect(configuredProviderUrls(env, market)).toEqual(['http://127.0.0.1:9000', 'http://10.0.0.7:8080/api', market]);
    // One entry per origin, the operator's first.
    expect(configuredProviderUrls(parseEnv({ CATALOG_URLS: `${market}/x` }), market)).toEqual([`${market}/x`]);
    expect(configuredProviderUrls(parseEnv({}), market)).toEqual([market]);
    // Live mode has no sandbox market: the operator's providers only.
    expect(configuredProviderUrls(env, null)).toEqual(['http://127.0.0.1:9000', 'http://10.0.0.7:8080/api']);
  });

  it('reads slow sandbox services as name:ms pairs, and refuses anything else', () => {
    expect(parseEnv({}).SANDBOX_SLOW_SERVICES).toBeUndefined();
    expect(parseEnv({ SANDBOX_SLOW_SERVICES: 'summarise:2000, translate:500' }).SANDBOX_SLOW_SERVICES).toEqual({ summarise: 2000, translate: 500 });
    expect(() => parseEnv({ SANDBOX_SLOW_SERVICES: 'summarise' })).toThrow(/SANDBOX_SLOW_SERVICES.*: must be service:milliseconds pairs/);
    expect(() => parseEnv({ SANDBOX_SLOW_SERVICES: 'summarise:2s' })).toThrow(/SANDBOX_SLOW_SERVICES/);
  });

  it('reads misbehaving sandbox services as name:misbehaviour pairs, off by default, and refuses unknown misbehaviours', () => {
    expect(parseEnv({}).SANDBOX_MISBEHAVING_SERVICES).toBeUndefined();
    expect(parseEnv({ SANDBOX_MISBEHAVING_SERVICES: 'weather:drift, headlines:paid-500' }).SANDBOX_MISBEHAVING_SERVICES).toEqual({
      weather: 'drift',
      headlines: 'paid-500',
    });
    expect(() => parseEnv({ SANDBOX_MISBEHAVING_SERVICES: 'weather:lies' })).toThrow(/SANDBOX_MISBEHAVING_SERVICES.*: must be service:misbehaviour pairs/);
    expect(() => parseEnv({ SANDBOX_MISBEHAVING_SERVICES: 'weather' })).toThrow(/SANDBOX_MISBEHAVING_SERVICES/);
  });

  it('reads top-up limits in dollars into cents and the spread in percent into basis points, refusing limits out of order', () => {
    expect(parseEnv({})).toMatchObject({ TOPUP_MIN_USD: 100, TOPUP_MAX_USD: 50_000, TOPUP_DAILY_LIMIT_USD: 100_000, TOPUP_SPREAD_PERCENT: 300 });
    expect(parseEnv({ TOPUP_MIN_USD: '2.50', TOPUP_MAX_USD: '20', TOPUP_DAILY_LIMIT_USD: '40', TOPUP_SPREAD_PERCENT: '1.25' })).toMatchObject({
      TOPUP_MIN_USD: 250,
      TOPUP_MAX_USD: 2_000,
      TOPUP_DAILY_LIMIT_USD: 4_000,
      TOPUP_SPREAD_PERCENT: 125,
    });
    expect(() => parseEnv({ TOPUP_MIN_USD: '10', TOPUP_MAX_USD: '5' })).toThrow('TOPUP_MAX_USD');
    expect(() => parseEnv({ TOPUP_MAX_USD: '5.001' })).toThrow('TOPUP_MAX_USD: must be a dollar amount');
    expect(() => parseEnv({ TOPUP_SPREAD_PERCENT: '100' })).toThrow('TOPUP_SPREAD_PERCENT');
  });

  it('limits sign-ups per address to 10 unless told otherwise', () => {
    expect(parseEnv({}).SIGN_UP_RATE_LIMIT).toBe(10);
    expect(parseEnv({ SIGN_UP_RATE_LIMIT: '200' }).SIGN_UP_RATE_LIMIT).toBe(200);
    expect(() => parseEnv({ SIGN_UP_RATE_LIMIT: '0' })).toThrow(/SIGN_UP_RATE_LIMIT/);
  });

  it('reads the trusted proxies as addresses, ranges or proxy-addr names, and refuses trusting everyone', () => {
    expect(parseEnv({}).TRUST_PROXY).toBeUndefined();
    expect(parseEnv({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,loopback' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'loopback']);
    // `true` would let any client name its own address in X-Forwarded-For and walk past per-address limits.
    expect(() => parseEnv({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => parseEnv({ TRUST_PROXY: 'balancer.internal' })).toThrow(/TRUST_PROXY/);
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ DATABASE_PATH: '', STRIPE_SECRET_KEY: '' }).databasePath).toBe('data/steward.db');
  });
});

import { z } from 'zod';
import { CATALOG_MISBEHAVIOURS, type CatalogMisbehaviour } from './sandbox/market/misbehaving';

/**
 * The only reader of process.env. Every setting is validated once at start-up; an invalid value stops
 * the process with one line naming the variable, so a typo never becomes a half-working server.
 * Each live setting replaces one sandbox piece; with none of them the whole product runs on the sandbox.
 */

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().min(1).optional());
const optionalUrl = z.preprocess(emptyAsUndefined, z.url().optional());
const optionalPostgresUrl = z.preprocess(
  emptyAsUndefined,
  z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
);
const MISBEHAVING_PAIR = new RegExp(`^[a-z0-9-]+:(${CATALOG_MISBEHAVIOURS.join('|')})$`);
const port = z.coerce.number().int().min(0).max(65_535);
/** A dollar amount like "10" or "2.50", read into whole cents. */
const usdAmount = z
  .string()
  .regex(/^\d{1,7}(\.\d{1,2})?$/, 'must be a dollar amount like 10 or 2.50')
  .transform((v) => Math.round(Number(v) * 100))
  .refine((cents) => cents > 0, 'must be more than zero');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(5402),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_PATH: optionalString,
  /**
   * PostgreSQL shared by several Steward instances (postgres://user:password@host:5432/db); absent =
   * SQLite at DATABASE_PATH, one process.
   */
  DATABASE_URL: optionalPostgresUrl,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** base64 of 32 random bytes; encrypts secrets at rest. Generated into DATA_DIR when absent. */
  SECRETS_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes')
      .optional(),
  ),
  /** The app's public origin, used for Stripe redirect URLs. Defaults to http://HOST:PORT. */
  PUBLIC_URL: optionalUrl,
  /**
   * The reverse proxies or load balancers in front of the app: comma-separated addresses or CIDR
   * ranges, or `loopback`, `linklocal`, `uniquelocal` (private ranges). A request from one of them is
   * counted, limited and audited under the client address in its X-Forwarded-For; from anyone else that
   * header is ignored, so a client cannot pick its own address. Absent = no proxy is trusted.
   */
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(
        z
          .array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6(), z.enum(['loopback', 'linklocal', 'uniquelocal'])], { error: 'must be IP addresses or CIDR ranges like 10.0.0.0/8' }))
          .min(1),
      )
      .optional(),
  ),
  /** Live treasury wallet (NIP-47 connection string); absent = sandbox treasury. */
  NWC_TREASURY_URL: z.preprocess(
    emptyAsUndefined,
    z.string().startsWith('nostr+walletconnect://', 'must be a nostr+walletconnect:// URL').optional(),
  ),
  STRIPE_SECRET_KEY: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^(sk|rk)_(test|live)_/, 'must be a Stripe secret key (sk_...)').optional(),
  ),
  STRIPE_WEBHOOK_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().startsWith('whsec_', 'must start with whsec_').optional(),
  ),
  /** Comma-separated base URLs of L402 providers whose /.well-known/l402.json forms the catalog. */
  CATALOG_URLS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.url()).min(1))
      .optional(),
  ),
  /**
   * Sandbox only: pins the BTC/USD price ("97250.5") of the sandbox market, which the app reads as its
   * rate, so fiat figures stay fixed (e2e uses 100000). Absent = the market's own moving price.
   */
  BTC_USD_RATE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d+(\.\d{1,8})?$/, 'must be a USD price per BTC like 97250.5')
      .refine((v) => Number(v) > 0, 'must be more than zero')
      .optional(),
  ),
  /**
   * Comma-separated public BTC/USD price endpoints, primary first, then fallbacks (Coinbase spot,
   * Kraken ticker or CoinGecko simple price shapes; server/rails/rates/price-body.ts). Absent = the
   * sandbox market's price in sandbox mode, DEFAULT_RATE_URLS in live mode.
   */
  RATE_URLS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1))
      .optional(),
  ),
  /** A price older than this is stale: quotes and top-ups refuse to lock it. */
  RATE_MAX_AGE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
  RATE_REFRESH_SECONDS: z.coerce.number().int().min(5).max(3_600).default(60),
  /** Card top-ups: smallest and largest single top-up, and the most one person may top up in 24 hours, in USD. */
  TOPUP_MIN_USD: usdAmount.default(100),
  TOPUP_MAX_USD: usdAmount.default(50_000),
  TOPUP_DAILY_LIMIT_USD: usdAmount.default(100_000),
  /** The share of a month's paid spend one person may dispute themselves (non-delivery refunds never count). */
  DISPUTE_MAX_SHARE_PERCENT: z.coerce.number().int().min(0).max(100).default(50),
  /** The operator's spread on top-ups, in percent (3 = $10.00 buys 3% fewer sats than the market rate). */
  TOPUP_SPREAD_PERCENT: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage below 100 like 3 or 2.5')
    .default('3')
    .transform((v) => Math.round(Number(v) * 100)),
  LLM_BASE_URL: optionalUrl,
  LLM_MODEL: optionalString,
  LLM_API_KEY: optionalString,
  /** First operator account, created at start-up when both are set (never through public sign-up). */
  OPERATOR_EMAIL: z.preprocess(emptyAsUndefined, z.email().optional()),
  OPERATOR_PASSWORD: optionalString,
  /**
   * New accounts one client address may create per 10 minutes (default 10). The e2e suite, which
   * signs up a fresh person per journey from one address, raises it.
   */
  SIGN_UP_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  /**
   * Sign-in attempts one client address may make per 5 minutes (default 20). The e2e suite, whose
   * journeys sign in and out as a person and an operator from one address, raises it.
   */
  SIGN_IN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(20),
  SANDBOX_RELAY_PORT: port.default(0),
  SANDBOX_MARKET_PORT: port.default(0),
  SANDBOX_STRIPE_PORT: port.default(0),
  /**
   * Sandbox market services that take their time after payment, as `name:ms` pairs
   * ("summarise:2000,translate:500"); absent = every service answers at once. For demos and e2e.
   */
  SANDBOX_SLOW_SERVICES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[a-z0-9-]+:\d{1,6}$/, 'must be service:milliseconds pairs like summarise:2000')).min(1))
      .transform((pairs) => Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf(':')), Number(pair.slice(pair.indexOf(':') + 1))])))
      .optional(),
  ),
  /**
   * Sandbox market services that break their contract in a named way, as `name:misbehaviour` pairs
   * ("weather:drift,headlines:paid-500"); absent = every service is honest. For soak runs and demos.
   */
  SANDBOX_MISBEHAVING_SERVICES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(MISBEHAVING_PAIR, `must be service:misbehaviour pairs, the misbehaviour one of ${CATALOG_MISBEHAVIOURS.join(', ')}`)).min(1))
      .transform((pairs) => Object.fromEntries(pairs.map((pair) => pair.split(':') as [string, CatalogMisbehaviour])))
      .optional(),
  ),
});

export type RawEnv = z.infer<typeof envSchema>;

export interface Env extends RawEnv {
  databasePath: string;
  /** DATABASE_URL: PostgreSQL when set, SQLite (databasePath) when null. */
  databaseUrl: string | null;
  publicUrl: string;
  /** 'live' only when every rail is real; any sandbox piece makes the deployment a sandbox. */
  mode: 'sandbox' | 'live';
  sandboxPieces: { treasury: boolean; stripe: boolean; catalog: boolean };
}

export class InvalidEnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') ?? 'environment';
    throw new InvalidEnvError(`Invalid configuration: ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const raw = parsed.data;
  if (Boolean(raw.STRIPE_SECRET_KEY) !== Boolean(raw.STRIPE_WEBHOOK_SECRET)) {
    throw new InvalidEnvError(
      'Invalid configuration: STRIPE_WEBHOOK_SECRET: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together',
    );
  }
  if (raw.TOPUP_MIN_USD > raw.TOPUP_MAX_USD || raw.TOPUP_MAX_USD > raw.TOPUP_DAILY_LIMIT_USD) {
    throw new InvalidEnvError('Invalid configuration: TOPUP_MAX_USD: needs TOPUP_MIN_USD <= TOPUP_MAX_USD <= TOPUP_DAILY_LIMIT_USD');
  }
  if (Boolean(raw.LLM_BASE_URL) !== Boolean(raw.LLM_MODEL)) {
    throw new InvalidEnvError('Invalid configuration: LLM_MODEL: LLM_BASE_URL and LLM_MODEL go together');
  }
  const sandboxPieces = {
    treasury: !raw.NWC_TREASURY_URL,
    stripe: !raw.STRIPE_SECRET_KEY,
    catalog: !raw.CATALOG_URLS,
  };
  const live = !sandboxPieces.treasury && !sandboxPieces.stripe && !sandboxPieces.catalog;
  if (live) checkLiveSettings(raw);
  if (raw.RATE_REFRESH_SECONDS >= raw.RATE_MAX_AGE_SECONDS) {
    throw new InvalidEnvError('Invalid configuration: RATE_REFRESH_SECONDS: must be shorter than RATE_MAX_AGE_SECONDS, or every price goes stale before the next');
  }
  return {
    ...raw,
    databasePath: raw.DATABASE_PATH ?? `${raw.DATA_DIR}/steward.db`,
    databaseUrl: raw.DATABASE_URL ?? null,
    publicUrl: raw.PUBLIC_URL ?? `http://${raw.HOST}:${raw.PORT}`,
    mode: live ? 'live' : 'sandbox',
    sandboxPieces,
  };
}

/** Live mode moves real money: real keys only, and no sandbox-only setting. */
function checkLiveSettings(raw: RawEnv): void {
  if (!raw.SECRETS_KEY) throw new InvalidEnvError('Invalid configuration: SECRETS_KEY: required in live mode');
  if (!/^(sk|rk)_live_/.test(raw.STRIPE_SECRET_KEY ?? '')) {
    throw new InvalidEnvError('Invalid configuration: STRIPE_SECRET_KEY: live mode needs a live key (sk_live_...); a test key is for sandbox mode');
  }
  if (raw.BTC_USD_RATE) {
    throw new InvalidEnvError('Invalid configuration: BTC_USD_RATE: sandbox only; live mode reads the price from RATE_URLS');
  }
}

/** Live mode's price endpoints when RATE_URLS is not set: Coinbase's spot price, then Kraken's ticker. */
export const DEFAULT_RATE_URLS: readonly string[] = [
  'https://api.coinbase.com/v2/prices/BTC-USD/spot',
  'https://api.kraken.com/0/public/Ticker?pair=XBTUSD',
];

/**
 * The providers everybody's catalog is loaded from: the operator's `CATALOG_URLS` and, in sandbox mode,
 * the sandbox market beside them (one entry per origin). They are the operator's choice, so the agent
 * may reach them on loopback or private addresses (a person testing their own L402 service locally);
 * providers people add by URL stay behind the SSRF guard.
 */
export function configuredProviderUrls(env: Pick<Env, 'CATALOG_URLS'>, sandboxMarketUrl: string | null): string[] {
  const urls = [...(env.CATALOG_URLS ?? []), ...(sandboxMarketUrl === null ? [] : [sandboxMarketUrl])];
  const origins = new Set<string>();
  return urls.filter((url) => {
    const origin = new URL(url).origin;
    if (origins.has(origin)) return false;
    origins.add(origin);
    return true;
  });
}

/**
 * The PostgreSQL server for the test suites that need one (TEST_DATABASE_URL); null = those suites are
 * skipped and say so, and everything else runs on SQLite alone.
 */
export function testDatabaseUrl(source: Record<string, string | undefined> = process.env): string | null {
  const parsed = optionalPostgresUrl.safeParse(source.TEST_DATABASE_URL);
  if (!parsed.success) throw new InvalidEnvError('Invalid configuration: TEST_DATABASE_URL: must be a postgres:// or postgresql:// URL');
  return parsed.data ?? null;
}

/** Reads process.env; on bad configuration prints one line and exits (used by entry points only). */
export function loadEnv(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (error instanceof InvalidEnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * `npm run mcp`: the stdio bridge an MCP client launches. It carries the agent's messages to the
 * running Steward server's /mcp with the agent key; it opens no database and holds no other secret.
 */
const mcpBridgeEnvSchema = z.object({
  STEWARD_AGENT_KEY: z.string().regex(/^stw_[A-Za-z0-9_-]{20,}$/, { message: 'STEWARD_AGENT_KEY must be an agent key (stw_...) made under Settings -> Agent keys.' }),
  STEWARD_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:5402'),
});
export type McpBridgeEnv = z.infer<typeof mcpBridgeEnvSchema>;

export function parseMcpBridgeEnv(source: Record<string, string | undefined>): McpBridgeEnv {
  const parsed = mcpBridgeEnvSchema.safeParse(source);
  if (!parsed.success) throw new InvalidEnvError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return parsed.data;
}

export function loadMcpBridgeEnv(): McpBridgeEnv {
  try {
    return parseMcpBridgeEnv(process.env);
  } catch (error) {
    if (error instanceof InvalidEnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

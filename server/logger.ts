import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/**
 * Structured logs. Anything that can carry a secret is redacted by key name wherever it appears,
 * so a careless `log.info({ connection })` cannot leak a wallet secret or a token.
 */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'secrets',
  'token',
  'preimage',
  'macaroon',
  'authorization',
  'cookie',
  'nwcUrl',
  'connectionString',
  'nostrWalletConnectUrl',
  'totpSecret',
  'apiKey',
  'stripeSecretKey',
  'SECRETS_KEY',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'NWC_TREASURY_URL',
  'LLM_API_KEY',
  'OPERATOR_PASSWORD',
  'DATABASE_URL',
  'databaseUrl',
];

const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
]);

/**
 * JSON lines by default (for services and log collectors); `pretty` (a person at a terminal) formats
 * the same lines for reading, in-process. Redaction runs before either, so both are equally safe.
 */
export function createLogger(options: { level: string; destination?: NodeJS.WritableStream; pretty?: boolean }): Logger {
  const destination = options.destination ?? process.stdout;
  const stream = options.pretty
    ? pinoPretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true })
    : destination;
  return pino({ level: options.level, redact: { paths: redactPaths, censor: '[redacted]' } }, stream);
}

export type { Logger };

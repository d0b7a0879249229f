import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Anything that can carry a secret is redacted by key name wherever it appears,
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
];

const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
]);

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    { level: options.level, redact: { paths: redactPaths, censor: '[redacted]' } },
    options.destination ?? process.stdout,
  );
}

export type { Logger };

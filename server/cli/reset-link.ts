// Prints a password reset link for a person who lost their password, after the operator checked who
// they are (Steward sends no email: the operator hands the link over). It works for an hour, once, and
// only until the password changes; with 2FA on, the person still needs their authenticator or a
// recovery code. Both its issue and its use are in the person's security log.
//   npm run operator:reset-link -- person@example.com
// Uses the same configuration (DATA_DIR, DATABASE_PATH or DATABASE_URL, SECRETS_KEY, PUBLIC_URL) as the server.
import { join } from 'node:path';
import { openDatabase } from '../db/client';
import { loadSecretsKey } from '../db/secret-box';
import { createAccountsModule } from '../domain/accounts';
import { loadEnv } from '../env';
import { createLogger } from '../logger';

function main(): void {
  const email = process.argv[2];
  if (!email) throw new Error('usage: npm run operator:reset-link -- <email>');
  const env = loadEnv();
  const database = openDatabase(env.databaseUrl ?? env.databasePath);
  try {
    const secretsKey = loadSecretsKey({ configuredKeyBase64: env.SECRETS_KEY, mode: env.mode, keyPath: join(env.DATA_DIR, 'secrets.key') });
    const module = createAccountsModule({ db: database.db, secretsKey, walletProvisioner: null, logger: createLogger({ level: 'warn' }) });
    const link = module.passwordReset.issueLink(email);
    if (!link.ok) throw new Error(`no account has the email ${email}`);
    // In the fragment: browsers do not send it to the server, so no request log or Referer carries it.
    process.stdout.write(`${new URL('/reset-password', env.publicUrl).href}#${link.token}\n`);
    process.stderr.write(`valid until ${new Date(link.expiresAtMs).toISOString()}, once; give it to the person only\n`);
  } finally {
    database.close();
  }
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

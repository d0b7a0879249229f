// Prints a password reset link for a person who lost their password, after the operator checked who
// they are (Steward sends no email: the operator hands the link over). It works for an hour, once, and
// only until the password changes; with 2FA on, the person still needs their authenticator or a
// recovery code. Both its issue and its use are in the person's security log.
//   npm run operator:reset-link -- person@example.com
// Uses the same configuration (DATA_DIR, DATABASE_PATH or DATABASE_URL, SECRETS_KEY, PUBLIC_URL) as the server.
import { accountsOnServer } from './accounts-on-server';

function main(): void {
  const email = process.argv[2];
  if (!email) throw new Error('usage: npm run operator:reset-link -- <email>');
  const server = accountsOnServer();
  try {
    const link = server.accounts.passwordReset.issueLink(email);
    if (!link.ok) throw new Error(`no account has the email ${email}`);
    // In the fragment: browsers do not send it to the server, so no request log or Referer carries it.
    process.stdout.write(`${new URL('/reset-password', server.env.publicUrl).href}#${link.token}\n`);
    process.stderr.write(`valid until ${new Date(link.expiresAtMs).toISOString()}, once; give it to the person only\n`);
  } finally {
    server.close();
  }
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

// Creates the first operator (or makes an existing account one, given its own password), outside the public sign-up:
//   npm run operator:create -- ops@example.com        (then type the password; it is not echoed)
//   printf '%s\n' "$PASSWORD" | npm run operator:create -- ops@example.com
// Uses the same configuration (DATA_DIR, DATABASE_PATH or DATABASE_URL, SECRETS_KEY) as the server.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { accountsOnServer } from './accounts-on-server';

async function readPassword(): Promise<string> {
  // Input goes to a muted stream, so a password typed at a terminal is not echoed.
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: Boolean(process.stdin.isTTY) });
  if (process.stdin.isTTY) process.stderr.write('Operator password: ');
  const line = await new Promise<string>((resolve) => rl.once('line', resolve).once('close', () => resolve('')));
  rl.close();
  if (process.stdin.isTTY) process.stderr.write('\n');
  return line;
}

async function main(): Promise<void> {
  const email = process.argv[2];
  if (!email) throw new Error('usage: npm run operator:create -- <email>   (password on stdin)');
  const server = accountsOnServer();
  try {
    const outcome = await server.accounts.accounts.ensureOperator({ email, password: await readPassword() });
    process.stdout.write(`operator ${email}: ${outcome}\n`);
    // An account someone signed up with this address is upgraded only with its own password.
    if (outcome === 'password_mismatch') process.exitCode = 1;
  } finally {
    server.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

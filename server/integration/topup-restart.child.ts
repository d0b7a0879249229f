// The server side of the top-up SIGKILL test, run as a real process.
// `start <dir> <point>`: signs up, creates a $10 top-up, pays it with 4242 on the sandbox's checkout page,
// and when funding reaches <point> of the treasury payment prints {"at": point} and stops there for the
// parent to SIGKILL it: `before` (pay_invoice not sent), `during` (sent, its answer not yet read) or
// `after` (answered, the top-up not yet marked funded).
// `resume <dir> <userId> <topUpId>`: starts again on the same data, waits for the top-up to be funded
// and prints what the person's wallet (over NWC) and the ledger hold.
import { usdCents } from '../../shared/money';
import { signUpOnStack } from './agent-support';
import { payWithCard, startTopUpStack, untilTopUp, walletBalanceOverNwc } from './topup-support';
import { printLine as print, RESTART_LEASE_TTL_MS, stoppingAt } from './treasury-kill';

const [mode, dir, a, b] = process.argv.slice(2);
if (!dir || !a) throw new Error('usage: start <dir> <before|during|after> | resume <dir> <userId> <topUpId>');

if (mode === 'start') {
  const stack = await startTopUpStack(dir, { wrapTreasury: stoppingAt(a), leaseTtlMs: RESTART_LEASE_TTL_MS });
  const userId = await signUpOnStack(stack, 'restart');
  const created = await stack.topUps.create(userId, usdCents(1_000));
  if (!created.ok) throw new Error(created.reason);
  print({ userId, topUpId: created.topUp.id, amountMsat: created.topUp.amountMsat });
  const paid = await payWithCard(created.topUp.checkoutUrl ?? '', '4242424242424242');
  if (paid.status !== 303) throw new Error(`checkout answered ${paid.status}`);
} else if (mode === 'resume' && b) {
  const stack = await startTopUpStack(dir);
  const funded = await untilTopUp(stack, a, b, (status) => status === 'funded');
  const walletMsat = await walletBalanceOverNwc(stack.accounts.accounts.walletConnection, a);
  const credits = stack.database.sqlite
    .prepare("SELECT count(*) AS n FROM ledger_transfers WHERE idempotency_key LIKE 'topup:' || ? || '%'")
    .get(b) as { n: number };
  print({
    status: funded.status,
    walletMsat,
    availableMsat: stack.ledger.userBalances(a).availableMsat,
    ledgerTransfers: credits.n,
  });
  await stack.close();
  process.exit(0);
}

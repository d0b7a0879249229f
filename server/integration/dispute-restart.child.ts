// The server side of the dispute refund SIGKILL test, run as a real process.
// `start <dir> <point>`: signs up, asks a provider that takes the payment and answers 500; the
// automatic refund starts at once and, at <point> of the treasury's payment (treasury-kill.ts), prints
// {"at": point} and stops there for the parent to SIGKILL it.
// `resume <dir> <userId>`: starts again on the same data (the refund loop's first pass picks the
// dispute up), waits for the dispute to be refunded and prints what the person's wallet (over NWC),
// the ledger and the month's usage hold.
import { SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { signUpOnStack, startAgentStack, untilTask } from './agent-support';
import { BEHAVIOURS, startAdversarialProvider, type RunningAdversary } from './support/adversarial-provider';
import { printLine as print, RESTART_LEASE_TTL_MS, stoppingAt } from './treasury-kill';

const [mode, dir, a] = process.argv.slice(2);
if (!dir || !a) throw new Error('usage: start <dir> <before|during|after> | resume <dir> <userId>');

if (mode === 'start') {
  let adversary: RunningAdversary | null = null;
  const stack = await startAgentStack(dir, {
    treasury: true,
    wrapTreasury: stoppingAt(a),
    leaseTtlMs: RESTART_LEASE_TTL_MS,
    catalogUrls: async (sandbox) => {
      adversary = await startAdversarialProvider({ network: sandbox.network, elsewhereOrigin: sandbox.marketUrl, slowMs: 1_000 });
      return [adversary.url];
    },
  });
  const userId = await signUpOnStack(stack, 'refund-restart');
  print({ userId });
  const submitted = stack.tasks.submit(userId, BEHAVIOURS.paid500.name);
  if (!submitted.ok) throw new Error(submitted.reason);
  await untilTask(stack, userId, submitted.task.id, (t) => t.status === 'failed');
} else if (mode === 'resume') {
  const stack = await startAgentStack(dir, { treasury: true });
  const refunding = stack.disputes.start(100, () => undefined);
  const deadline = Date.now() + 30_000;
  const refunded = () => stack.disputes.list(a).find((d) => d.status === 'refunded');
  while (!refunded() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await refunding.stop();
  const dispute = refunded();
  const balance = await stack.wallet.status(a);
  const credits = stack.database.sqlite.prepare("SELECT count(*) AS n FROM ledger_transfers WHERE idempotency_key LIKE 'dispute:%'").get() as { n: number };
  print({
    status: dispute?.status ?? stack.disputes.list(a)[0]?.status ?? null,
    refundMsat: dispute?.refundMsat ?? null,
    walletBalance: balance.balance,
    availableMsat: stack.ledger.userBalances(a).availableMsat,
    monthUsedMsat: stack.governance.status(a, 'UTC', SANDBOX_BTC_USD_RATE).summary.usedMsat,
    refundCredits: credits.n,
  });
  await stack.close();
  process.exit(0);
}

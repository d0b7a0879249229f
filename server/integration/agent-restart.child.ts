// The server side of the restart test, run as a real process: `start <dir> <email>` signs up, submits
// a three-step task and prints every change of it as a JSON line until it is killed; `resume <dir>
// <userId> <taskId>` resumes unfinished tasks after the crash and prints the final task and receipts.
import { createReceipts } from '../domain/payments';
import { SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { startAgentStack } from './agent-support';
import { RESTART_LEASE_TTL_MS } from './treasury-kill';

const [mode, dir, a, b] = process.argv.slice(2);
if (!dir || !a) throw new Error('usage: start <dir> <email> | resume <dir> <userId> <taskId>');
// Short leases: the task (and any pass the kill interrupted) is taken over a second later, not in 30 s.
const stack = await startAgentStack(dir, { leaseTtlMs: RESTART_LEASE_TTL_MS });
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

if (mode === 'start') {
  const signedUp = await stack.accounts.accounts.signUp(
    { email: a, password: 'plum-orchard-lantern-42', timeZone: 'UTC', displayCurrency: 'USD' },
    { ip: null, userAgent: null },
  );
  if (!signedUp.ok) throw new Error(signedUp.reason);
  const userId = signedUp.user.id;
  const changes = stack.taskEvents.changes(userId, undefined);
  const submitted = stack.tasks.submit(userId, 'BTC price, fee estimate and a joke about bitcoin');
  if (!submitted.ok) throw new Error(submitted.reason);
  print({ userId, taskId: submitted.task.id });
  for await (const change of changes) {
    const task = stack.tasks.get(userId, change.taskId);
    if (task) print({ status: task.status, steps: task.steps.map((s) => s.status) });
  }
} else if (mode === 'resume' && b) {
  // The killed process held the task's lease: it is picked up once that lease ran out (a second), and
  // once the wallet has told the reconciler how the payment it was making ended.
  let resumed = await stack.tasks.resume();
  for (let tries = 0; !resumed.resumed.includes(b) && tries < 150; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    resumed = await stack.tasks.resume();
  }
  await stack.tasks.idle();
  const task = stack.tasks.get(a, b);
  const receipts = createReceipts(stack.database.db).list(a);
  const usedMsat = stack.governance.status(a, 'UTC', SANDBOX_BTC_USD_RATE).summary.usedMsat;
  print({ resumed, task, receipts, usedMsat, balances: stack.ledger.userBalances(a), unresolved: stack.payments.records.unresolved().length });
  await stack.close();
  process.exit(0);
}

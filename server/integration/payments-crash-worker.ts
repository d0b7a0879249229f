/**
 * A payments process the fault tests can kill: `pay` buys one joke (the test SIGKILLs it while the
 * wallet is still paying), `reconcile` runs one reconciler pass, as a restarted server does at
 * start-up, and prints its report. Arguments: <pay|reconcile> <dbPath> <marketUrl> <nwcUrl> <keyHex> <userId>.
 */
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../shared/money';
import { testAuthorization } from '../domain/payments/test-fakes';
import { openPaymentsHarness } from './payments-harness';

const [mode, dbPath, marketUrl, userNwcUrl, secretsKeyHex, userId] = process.argv.slice(2);
if (!mode || !dbPath || !marketUrl || !userNwcUrl || !secretsKeyHex || !userId) throw new Error('usage: <pay|reconcile> <dbPath> <marketUrl> <nwcUrl> <keyHex> <userId>');

const app = openPaymentsHarness({ dbPath, marketUrl, userNwcUrl, secretsKeyHex, walletTimeouts: { payMs: 30_000 } });
try {
  if (mode === 'pay') {
    const outcome = await app.service.purchase({
      userId,
      timeZone: 'UTC',
      idempotencyKey: 'crash-step',
      task: null,
      serviceId: 'satoshi-jokes/joke',
      service: 'joke',
      providerId: 'satoshi-jokes',
      request: { url: new URL('/v1/joke?topic=bitcoin', marketUrl).href, method: 'GET' },
      authorization: testAuthorization({ approvedMaxMsat: msat(1_000), rate: btcUsdRateFromCentsPerBtc(usdCents(10_000_000)) }),
    });
    process.stdout.write(`${JSON.stringify({ outcome: outcome.kind })}\n`);
  } else {
    const report = await app.reconciler.reconcileOnce();
    app.ledger.checkInvariants();
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }
} finally {
  app.close();
}

// The writer's memory of ledger accounts must answer every funds check exactly as the database would,
// however the ledger's writes arrive: each in its own transaction, in group-commit batches that commit
// or roll back, inside other transactions that commit or roll back, or from another connection on the
// same file. Random ledger operations; after each, the accounts' funds read through memory are
// compared with the same read from the database (inside a transaction, where memory is never used).
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import {
  accountCode,
  createLedger,
  providerAccount,
  routingFeesAccount,
  stripeAccount,
  userAvailableAccount,
  userReservedAccount,
  type Ledger,
} from '../../domain/ledger';
import { createGroupCommit } from '../group-commit';
import { createLedgerRepository } from './ledger-repository';
import { openTwoConnections, whereArb, writeIn } from './memory-test-support';

const USERS = ['ann', 'ben'];
const PROVIDERS = ['jokes', 'news'];

type Operation =
  | { kind: 'fund'; user: number; amount: number }
  | { kind: 'reserve'; user: number; provider: number; amount: number }
  | { kind: 'post'; pick: number; paidPercent: number; fee: number }
  | { kind: 'void'; pick: number }
  | { kind: 'spend'; user: number; provider: number; amount: number };

const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('fund' as const), user: fc.nat(1), amount: fc.integer({ min: 1, max: 5_000 }) }),
  fc.record({ kind: fc.constant('reserve' as const), user: fc.nat(1), provider: fc.nat(1), amount: fc.integer({ min: 1, max: 3_000 }) }),
  fc.record({ kind: fc.constant('post' as const), pick: fc.nat(), paidPercent: fc.integer({ min: 0, max: 100 }), fee: fc.nat(5) }),
  fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('spend' as const), user: fc.nat(1), provider: fc.nat(1), amount: fc.integer({ min: 1, max: 2_000 }) }),
);
describe('the writer memory of ledger accounts', () => {
  let file: ReturnType<typeof openTwoConnections>;
  beforeEach(() => {
    file = openTwoConnections('ledger-memory');
  });
  afterEach(() => file.close());

  it('reads what the database holds after any mix of ledger writes, commits and rollbacks', async () => {
    let runs = 0;
    let keys = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(operationArb, whereArb), { minLength: 1, maxLength: 30 }), async (steps) => {
        runs += 1;
        const { handle, other } = file;
        const user = (n: number) => `run${runs}-${USERS[n] ?? 'ann'}`;
        const provider = (n: number) => providerAccount(`run${runs}-${PROVIDERS[n] ?? 'jokes'}`);
        const now = () => 1_000;
        const ledger = createLedger(handle, { now });
        const otherLedger = createLedger(other, { now });
        const repository = createLedgerRepository(handle);
        const writer = createGroupCommit(handle.sqlite);
        const codes = [
          ...USERS.flatMap((_, n) => [accountCode(userAvailableAccount(user(n))), accountCode(userReservedAccount(user(n)))]),
          ...PROVIDERS.map((_, n) => accountCode(provider(n))),
          accountCode(routingFeesAccount),
          accountCode(stripeAccount),
        ];
        const triples = [codes.slice(0, 3), codes.slice(3, 6), [codes[0] ?? '', codes[6] ?? '', codes[7] ?? '']] as [string, string, string][];
        const read = () => ({
          one: codes.map((code) => repository.findAccountWithBalance(code) ?? null),
          three: triples.map((triple) => Object.fromEntries(repository.findAccountsWithBalances(triple))),
          rows: codes.map((code) => repository.findAccountByCode(code) ?? null),
        });
        const truth = () => handle.sqlite.transaction(read)();

        const run = (on: Ledger, operation: Operation): void => {
          keys += 1;
          const key = `k${keys}`;
          const pending = on.pendingReservations().filter((r) => r.userId.startsWith(`run${runs}-`));
          switch (operation.kind) {
            case 'fund':
              on.transfer({ idempotencyKey: key, debit: stripeAccount, credit: userAvailableAccount(user(operation.user)), amountMsat: msat(operation.amount) });
              return;
            case 'reserve':
              on.reserve({ idempotencyKey: key, userId: user(operation.user), destination: provider(operation.provider), amountMsat: msat(operation.amount), expiresAtMs: 10_000 });
              return;
            case 'spend':
              on.transfer({ idempotencyKey: key, debit: userAvailableAccount(user(operation.user)), credit: provider(operation.provider), amountMsat: msat(operation.amount) });
              return;
            case 'post': {
              const target = pending[operation.pick % Math.max(1, pending.length)];
              if (!target) return;
              const paid = Math.floor((target.amountMsat * operation.paidPercent) / 100);
              on.post({ idempotencyKey: key, reservationId: target.id, amountMsat: msat(paid), feeMsat: msat(Math.min(operation.fee, target.amountMsat - paid)) });
              return;
            }
            case 'void': {
              const target = pending[operation.pick % Math.max(1, pending.length)];
              if (target) on.void({ idempotencyKey: key, reservationId: target.id, reason: 'test' });
            }
          }
        };

        for (const [operation, where] of steps) {
          read(); // memory filled before the write, so the write must change or forget what it holds
          // Inside the transaction, memory answers with its own writes (in the batch) or is not used.
          await writeIn(where, { handle, writer }, { here: () => run(ledger, operation), there: () => run(otherLedger, operation), readInside: read });
          expect(read(), `${where}: ${JSON.stringify(operation)}`).toEqual(truth());
        }
        ledger.checkInvariants();
      }),
      { numRuns: 120 },
    );
  });
});

import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../domain/accounts/test-support';
import { RefusalDetail } from '../errors';
import { createApiHarness, TEST_PASSWORD } from '../test-harness';

let h: ReturnType<typeof createApiHarness>;
beforeEach(() => {
  h = createApiHarness();
});
afterEach(() => h.database.close());

const stateOf = (checklist: { steps: { step: string; state: string }[] }) => Object.fromEntries(checklist.steps.map((s) => [s.step, s.state]));

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof TRPCError)) throw new Error('expected a refusal');
  return error.cause instanceof RefusalDetail ? error.cause.reason : undefined;
}

/** A paid purchase row as payments writes it (the reservation it points at is not needed here). */
function insertPayment(userId: string, id: string, fields: { serviceId: string; amountMsat: number; feeMsat: number; paidAtMs: number; status?: string }) {
  h.database.sqlite.pragma('foreign_keys = OFF');
  h.database.sqlite
    .prepare(
      `INSERT INTO payments (id, user_id, idempotency_key, payment_hash, reservation_id, status, origin, service, service_id, provider_id, method, url,
        challenge_scheme, macaroon_id_hex, invoice, invoice_expires_at_ms, amount_msat, fee_allowance_msat, fee_msat, created_at_ms, paid_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, 'https://market.test', ?, ?, ?, 'GET', 'https://market.test/x', 'L402', '00', 'lnbc', 0, ?, 0, ?, ?, ?, ?)`,
    )
    .run(id, userId, id, id.padEnd(64, '0'), Math.floor(Math.random() * 1e9), fields.status ?? 'paid', fields.serviceId.split('/')[1], fields.serviceId, fields.serviceId.split('/')[0], fields.amountMsat, fields.feeMsat, fields.paidAtMs - 1_000, fields.paidAtMs, fields.paidAtMs);
  h.database.sqlite.pragma('foreign_keys = ON');
}

describe('the first-run checklist', () => {
  it('starts a new account with the wallet done and keeps skips across reloads, per person', async () => {
    const alice = await h.signUp('alice@example.com');
    const bob = await h.signUp('bob@example.com');
    expect(stateOf(await alice.as().home.checklist())).toEqual({ wallet: 'done', top_up: 'todo', budget: 'todo', two_factor: 'todo', first_task: 'todo' });

    await alice.as().home.mark({ step: 'top_up', action: 'skip' });
    await alice.as().home.mark({ step: 'budget', action: 'done' });
    // A new caller is a reload: the marks are on the server.
    expect(stateOf(await alice.as().home.checklist())).toMatchObject({ top_up: 'skipped', budget: 'done' });
    expect(stateOf(await bob.as().home.checklist())).toMatchObject({ top_up: 'todo', budget: 'todo' });

    await alice.as().home.mark({ step: 'top_up', action: 'undo' });
    expect(stateOf(await alice.as().home.checklist()).top_up).toBe('todo');
  });

  it('ticks 2FA from the fact, and refuses to skip the wallet or to tick a fact by hand', async () => {
    const alice = await h.signUp('alice@example.com');
    expect(await reasonOf(alice.as().home.mark({ step: 'wallet', action: 'skip' }))).toBe('step_not_skippable');
    expect(await reasonOf(alice.as().home.mark({ step: 'two_factor', action: 'done' }))).toBe('step_done_by_its_fact');
    await alice.as().home.mark({ step: 'two_factor', action: 'skip' });
    const begun = await alice.as().security.beginTotpEnrollment();
    await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
    expect(stateOf(await alice.as().home.checklist()).two_factor).toBe('done');
  });

  it('validates the step and the action with zod', async () => {
    const alice = await h.signUp('alice@example.com');
    const error = await alice.as().home.mark({ step: 'everything' as never, action: 'skip' }).then(() => null, (e: unknown) => e);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
  });
});

describe("the month's spending", () => {
  it("adds up this month's paid purchases by day and service, the person's only", async () => {
    // The harness clock is 15 January 2026, 12:00 UTC; people are in New York.
    const alice = await h.signUp('alice@example.com');
    const bob = await h.signUp('bob@example.com');
    const jan14 = Date.UTC(2026, 0, 14, 18);
    insertPayment(alice.user.id, 'p1', { serviceId: 'jokes/joke', amountMsat: 5_000, feeMsat: 50, paidAtMs: jan14 });
    insertPayment(alice.user.id, 'p2', { serviceId: 'skycast/weather', amountMsat: 20_000, feeMsat: 0, paidAtMs: jan14 + 3_600_000 });
    insertPayment(alice.user.id, 'p3', { serviceId: 'jokes/joke', amountMsat: 7_000, feeMsat: 0, paidAtMs: jan14, status: 'failed' });
    insertPayment(alice.user.id, 'p4', { serviceId: 'jokes/joke', amountMsat: 9_000, feeMsat: 0, paidAtMs: Date.UTC(2025, 11, 20) });
    insertPayment(bob.user.id, 'p5', { serviceId: 'jokes/joke', amountMsat: 1_000, feeMsat: 0, paidAtMs: jan14 });

    const month = await alice.as().home.monthSpending();
    expect(month.periodKey).toBe('2026-01');
    expect(month.totalMsat).toBe(25_050);
    expect(month.byDay).toHaveLength(31);
    expect(month.byDay.find((d) => d.day === '2026-01-14')?.spentMsat).toBe(25_050);
    expect(month.byService.map((s) => [s.serviceId, s.spentMsat])).toEqual([
      ['skycast/weather', 20_000],
      ['jokes/joke', 5_050],
    ]);
    expect((await bob.as().home.monthSpending()).totalMsat).toBe(1_000);
  });
});

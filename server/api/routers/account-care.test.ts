import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { totpCode } from '../../domain/accounts/test-support';
import { insertDisputeUnderReview } from '../../domain/disputes/test-support';
import { lightningAccount, userAvailableAccount } from '../../domain/ledger';
import type { RateLimitBucket } from '../context';
import { callerOver, createApiHarness, TEST_PASSWORD, refusalOf } from '../test-harness';

// Account care through the router, as a browser would call it: changing the password, exporting all
// of one's data, deleting the account.

const NEW_PASSWORD = 'quince-harbour-violet-77';
let h: ReturnType<typeof createApiHarness>;
beforeEach(() => {
  h = createApiHarness();
});
afterEach(() => h.database.close());

/** A second browser signed in to the same account. */
async function signIn(email: string, password = TEST_PASSWORD) {
  const { caller, jar } = h.callerFor(null);
  await caller.auth.signIn({ email, password });
  if (!jar.token) throw new Error('sign-in set no cookie');
  const token = jar.token;
  return () => h.callerFor(token).caller;
}

function credit(userId: string, amountMsat: number) {
  const moved = h.ledger.transfer({ idempotencyKey: `test-credit:${userId}`, debit: lightningAccount, credit: userAvailableAccount(userId), amountMsat: msat(amountMsat) });
  if (!moved.ok) throw new Error(moved.reason);
}

/** A caller whose rate-limit checks all pass and are recorded (which buckets, for whom). */
function recordingCaller(token: string) {
  const counted: { bucket: RateLimitBucket; person: string | undefined }[] = [];
  const { caller } = callerOver(h.deps, token, async (bucket, who) => {
    counted.push({ bucket, person: who && 'person' in who ? who.person : undefined });
    return { allowed: true };
  });
  return { caller, counted };
}

describe('changing the password', () => {
  it('refuses without the right current password, and changes nothing', async () => {
    const alice = await h.signUp('alice@example.com');
    const other = await signIn('alice@example.com');

    expect(await refusalOf(alice.as().account.changePassword({ currentPassword: 'not-my-password-at-all', newPassword: NEW_PASSWORD }))).toEqual({ code: 'BAD_REQUEST', reason: 'wrong_password' });
    // Without it at all, the input itself is refused.
    expect((await refusalOf(alice.as().account.changePassword({ newPassword: NEW_PASSWORD } as never))).code).toBe('BAD_REQUEST');

    expect((await other().auth.session()).user?.email).toBe('alice@example.com');
    await expect(signIn('alice@example.com', NEW_PASSWORD)).rejects.toThrow();
    const failed = (await alice.as().security.auditLog({})).find((e) => e.kind === 'password_check_failed');
    expect(failed?.detail).toEqual({ for: 'password_change' });
  });

  it('ends every other session at once, keeps this one, and audits it', async () => {
    const alice = await h.signUp('alice@example.com');
    const phone = await signIn('alice@example.com');
    const laptop = await signIn('alice@example.com');

    const changed = await alice.as().account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });

    expect(changed).toEqual({ otherSessionsEnded: 2 });
    expect((await phone().auth.session()).user).toBeNull();
    expect(await refusalOf(laptop().tasks.list())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await alice.as().auth.session()).user?.email).toBe('alice@example.com');
    await expect(signIn('alice@example.com', TEST_PASSWORD)).rejects.toThrow();
    expect((await (await signIn('alice@example.com', NEW_PASSWORD))().auth.session()).user?.id).toBe(alice.user.id);
    const audited = (await alice.as().security.auditLog({})).find((e) => e.kind === 'password_changed');
    expect(audited?.detail).toEqual({ otherSessionsEnded: 2 });
  });
});

describe('guessing the current password from a stolen session', () => {
  it('counts each attempt against the sign-in limit, for the address and for the person', async () => {
    const alice = await h.signUp('alice@example.com');
    const { caller: recording, counted } = recordingCaller(alice.token);
    await refusalOf(recording.account.changePassword({ currentPassword: 'a-guess-at-the-password', newPassword: NEW_PASSWORD }));
    expect(counted).toEqual([
      { bucket: 'sign_in', person: undefined },
      { bucket: 'sign_in', person: alice.user.id },
    ]);
    // Another address with the same session still counts for the person: past the limit it is refused.
    const exhaustedForAlice = callerOver(h.deps, alice.token, async (_bucket, who) => (who && 'person' in who && who.person === alice.user.id ? { allowed: false, retryAfterSeconds: 60 } : { allowed: true })).caller;
    expect(await refusalOf(exhaustedForAlice.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }))).toMatchObject({ reason: 'rate_limited' });
    await expect(signIn('alice@example.com', NEW_PASSWORD)).rejects.toThrow();
  });

  it('a password given as proof elsewhere (deleting the account) counts for the person too, so it is no way around the limit', async () => {
    const alice = await h.signUp('alice@example.com');
    const { caller: recording, counted } = recordingCaller(alice.token);
    await refusalOf(recording.account.deleteAccount({ password: 'a-guess-at-the-password' }));
    expect(counted).toContainEqual({ bucket: 'sign_in', person: alice.user.id });
    const exhaustedForAlice = callerOver(h.deps, alice.token, async (_bucket, who) => (who && 'person' in who && who.person === alice.user.id ? { allowed: false, retryAfterSeconds: 60 } : { allowed: true })).caller;
    expect(await refusalOf(exhaustedForAlice.account.deleteAccount({ password: TEST_PASSWORD }))).toMatchObject({ reason: 'rate_limited' });
    expect((await alice.as().auth.session()).user?.email).toBe('alice@example.com');
  });

  it('with 2FA on, wrong current passwords lock the second factor as wrong sign-ins do, and then even the right one waits', async () => {
    const alice = await h.signUp('alice@example.com');
    const begun = await alice.as().security.beginTotpEnrollment();
    await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) reasons.push((await refusalOf(alice.as().account.changePassword({ currentPassword: `guess-number-${i}-of-five`, newPassword: NEW_PASSWORD }))).reason);
    expect(reasons).toEqual(['wrong_password', 'wrong_password', 'wrong_password', 'wrong_password', 'locked']);
    expect(await refusalOf(alice.as().account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'locked' });
    // The same lockout holds sign-in: the right password and a right code are refused until it passes.
    const signingIn = h.callerFor(null).caller;
    expect(await refusalOf(signingIn.auth.signIn({ email: 'alice@example.com', password: TEST_PASSWORD, code: totpCode(begun.secret, h.clock) }))).toMatchObject({ reason: 'locked' });
    await expect(signIn('alice@example.com', NEW_PASSWORD)).rejects.toThrow();
  });
});

describe('exporting all my data', () => {
  it("holds the person's rows in every format, and none of another person's", async () => {
    const alice = await h.signUp('alice@example.com');
    const bob = await h.signUp('bob@example.com');
    await alice.as().tasks.submit({ text: 'alice asks for a haiku about plums' });
    await bob.as().tasks.submit({ text: 'bob asks about the weather in Lisbon' });
    credit(alice.user.id, 5_000);
    credit(bob.user.id, 7_000);

    const json = await alice.as().account.exportData({ format: 'json' });
    const csv = await alice.as().account.exportData({ format: 'csv' });

    expect(json.filename).toMatch(/^steward-data-\d{4}-\d{2}-\d{2}\.json$/);
    const document = JSON.parse(json.body) as { userId: string; tables: Record<string, Record<string, unknown>[]> };
    expect(document.userId).toBe(alice.user.id);
    expect(document.tables.users).toEqual([expect.objectContaining({ id: alice.user.id, email: 'alice@example.com', password_hash: '[redacted]' })]);
    expect(document.tables.tasks?.map((t) => t.request)).toEqual(['alice asks for a haiku about plums']);
    expect(document.tables.sessions?.every((s) => s.token_hash === '[redacted]')).toBe(true);
    expect(document.tables.ledger_transfers?.some((t) => t.amount_msat === 5_000)).toBe(true);
    for (const body of [json.body, csv.body]) {
      expect(body).toContain('alice asks for a haiku about plums');
      expect(body).not.toContain(bob.user.id);
      expect(body).not.toContain('bob@example.com');
      expect(body).not.toContain('Lisbon');
      expect(body).not.toContain('scrypt$');
    }
    expect(csv.body.split('\r\n')[0]).toBe('table,row,column,value');
    expect(csv.body).toContain('tasks,1,request,alice asks for a haiku about plums');
    expect((await alice.as().security.auditLog({})).filter((e) => e.kind === 'data_exported').map((e) => e.detail)).toEqual([{ format: 'csv' }, { format: 'json' }]);
  });
});

describe('exporting all my data from a stolen session', () => {
  it('counts every export for the person, whatever the address; past the limit nothing is read and nothing is exported', async () => {
    const alice = await h.signUp('alice@example.com');
    const { caller: recording, counted } = recordingCaller(alice.token);
    await recording.account.exportData({ format: 'json' });
    expect(counted).toEqual([{ bucket: 'data_export', person: alice.user.id }]);

    const exhausted = callerOver(h.deps, alice.token, async (bucket) => (bucket === 'data_export' ? { allowed: false, retryAfterSeconds: 600 } : { allowed: true })).caller;
    expect(await refusalOf(exhausted.account.exportData({ format: 'csv' }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    expect((await alice.as().security.auditLog({})).filter((e) => e.kind === 'data_exported').map((e) => e.detail)).toEqual([{ format: 'json' }]);
  });
});

describe('deleting the account', () => {
  it('refuses without a fresh proof: the password without 2FA, the code with it', async () => {
    const alice = await h.signUp('alice@example.com');
    expect(await refusalOf(alice.as().account.deleteAccount({}))).toEqual({ code: 'FORBIDDEN', reason: 'deletion_password_required' });
    expect(await refusalOf(alice.as().account.deleteAccount({ password: 'not-my-password-at-all' }))).toMatchObject({ reason: 'wrong_password' });

    const begun = await alice.as().security.beginTotpEnrollment();
    await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
    expect(await refusalOf(alice.as().account.deleteAccount({ password: TEST_PASSWORD }))).toEqual({ code: 'FORBIDDEN', reason: 'deletion_code_required' });
    expect((await alice.as().auth.session()).user?.email).toBe('alice@example.com');
  });

  it('refuses while the wallet holds sats, unless the person chooses to leave them behind', async () => {
    const alice = await h.signUp('alice@example.com');
    credit(alice.user.id, 12_000);
    expect(await alice.as().account.deletionStanding()).toEqual({ availableMsat: 12_000, moneyMoving: false, proof: 'password' });

    expect(await refusalOf(alice.as().account.deleteAccount({ password: TEST_PASSWORD }))).toMatchObject({ reason: 'balance_not_withdrawn' });
    expect(h.ledger.userBalances(alice.user.id).availableMsat).toBe(12_000);

    expect(await alice.as().account.deleteAccount({ password: TEST_PASSWORD, forfeitBalance: true })).toEqual({ deleted: true, forfeitedMsat: 12_000 });
    expect(h.ledger.userBalances(alice.user.id).availableMsat).toBe(0);
    expect(h.ledger.balanceMsat({ kind: 'forfeited' })).toBe(12_000);
    h.ledger.checkInvariants();
  });

  it('refuses while a dispute may still pay a refund into the wallet, in every state before it lands', async () => {
    const alice = await h.signUp('alice@example.com');
    insertDisputeUnderReview(h.database.db, { id: 'd-1', userId: alice.user.id, stepId: 's-1' });
    for (const status of ['open', 'under_review', 'refunding'] as const) {
      h.database.sqlite.prepare('UPDATE disputes SET status = ? WHERE id = ?').run(status, 'd-1');
      expect((await alice.as().account.deletionStanding()).moneyMoving).toBe(true);
      expect(await refusalOf(alice.as().account.deleteAccount({ password: TEST_PASSWORD, forfeitBalance: true }))).toMatchObject({ reason: 'money_in_flight' });
      expect((await alice.as().auth.session()).user?.email).toBe('alice@example.com');
    }
    // Waiting for the provider's return invoice is still `refunding` with a provider step.
    h.database.sqlite.prepare("UPDATE disputes SET provider_step = 'asking' WHERE id = 'd-1'").run();
    expect(await refusalOf(alice.as().account.deleteAccount({ password: TEST_PASSWORD }))).toMatchObject({ reason: 'money_in_flight' });

    for (const status of ['refunded', 'rejected'] as const) {
      h.database.sqlite.prepare('UPDATE disputes SET status = ? WHERE id = ?').run(status, 'd-1');
      expect((await alice.as().account.deletionStanding()).moneyMoving).toBe(false);
    }
    expect(await alice.as().account.deleteAccount({ password: TEST_PASSWORD })).toEqual({ deleted: true, forfeitedMsat: 0 });
  });

  it('refuses while a step of a running task is being paid (its dispute would open after the check)', async () => {
    const alice = await h.signUp('alice@example.com');
    h.database.sqlite.prepare("INSERT INTO tasks (id, user_id, request, status, created_at_ms, updated_at_ms) VALUES ('task-p', ?, 'a joke', 'running', 1, 1)").run(alice.user.id);
    h.database.sqlite
      .prepare(
        "INSERT INTO task_steps (task_id, step_id, position, service_id, service_name, provider_name, status, idempotency_key, updated_at_ms) VALUES ('task-p', 's1', 0, 'market/joke', 'joke', 'Market', 'paying', 'task:task-p:step:s1', 1)",
      )
      .run();
    expect(await refusalOf(alice.as().account.deleteAccount({ password: TEST_PASSWORD }))).toMatchObject({ reason: 'money_in_flight' });
    // A task that failed with its step left `paying` (an unknown outcome) holds its spend in the ledger instead.
    h.database.sqlite.prepare("UPDATE tasks SET status = 'failed' WHERE id = 'task-p'").run();
    expect((await alice.as().account.deletionStanding()).moneyMoving).toBe(false);
  });

  it('refuses while a card top-up is on its way (checkout open, paid, funding), not once it is settled or expired', async () => {
    const alice = await h.signUp('alice@example.com');
    const nowMs = h.clock.now().getTime();
    h.database.sqlite
      .prepare(
        `INSERT INTO top_ups (id, user_id, status, amount_usd_cents, amount_msat, rate_usd_cents, rate_per_msat, spread_bps, effective_cents_per_btc, created_at_ms, updated_at_ms)
         VALUES ('t-1', ?, 'created', 1000, 10000000, 10000000, 1, 0, 1, ?, ?)`,
      )
      .run(alice.user.id, nowMs, nowMs);
    for (const status of ['created', 'paid', 'funding', 'funding_delayed'] as const) {
      h.database.sqlite.prepare('UPDATE top_ups SET status = ? WHERE id = ?').run(status, 't-1');
      expect(await refusalOf(alice.as().account.deleteAccount({ password: TEST_PASSWORD, forfeitBalance: true }))).toMatchObject({ reason: 'money_in_flight' });
    }
    // A checkout left open past its session's lifetime can no longer be paid: it does not hold deletion up.
    h.database.sqlite.prepare("UPDATE top_ups SET status = 'created', created_at_ms = ? WHERE id = 't-1'").run(nowMs - 2 * 60 * 60_000);
    expect((await alice.as().account.deletionStanding()).moneyMoving).toBe(false);
    for (const status of ['funded', 'failed', 'expired', 'refunded'] as const) {
      h.database.sqlite.prepare('UPDATE top_ups SET status = ? WHERE id = ?').run(status, 't-1');
      expect((await alice.as().account.deletionStanding()).moneyMoving).toBe(false);
    }
    expect(await alice.as().account.deleteAccount({ password: TEST_PASSWORD })).toEqual({ deleted: true, forfeitedMsat: 0 });
  });

  it('ends every session, frees the email, and keeps the money trail without the person in it', async () => {
    const alice = await h.signUp('alice@example.com');
    const phone = await signIn('alice@example.com');
    await alice.as().tasks.submit({ text: 'alice asks for a haiku about plums' });

    await alice.as().account.deleteAccount({ password: TEST_PASSWORD });

    expect((await alice.as().auth.session()).user).toBeNull();
    expect((await phone().auth.session()).user).toBeNull();
    await expect(signIn('alice@example.com')).rejects.toThrow();
    const row = h.database.sqlite.prepare('SELECT email FROM users WHERE id = ?').get(alice.user.id) as { email: string };
    expect(row.email).not.toContain('alice');
    const task = h.database.sqlite.prepare('SELECT request FROM tasks WHERE user_id = ?').get(alice.user.id) as { request: string };
    expect(task.request).toBe('');
    const kept = h.database.sqlite.prepare("SELECT kind FROM audit_events WHERE user_id = ? AND kind = 'account_deleted'").all(alice.user.id);
    expect(kept).toHaveLength(1);
    // The address may sign up again, as a new person with nothing of the old account.
    const again = await h.signUp('alice@example.com');
    expect(again.user.id).not.toBe(alice.user.id);
    expect(await again.as().tasks.list()).toEqual([]);
  });
});

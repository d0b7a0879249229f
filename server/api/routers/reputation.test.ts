import { TRPCError } from '@trpc/server';
import { afterAll, describe, expect, it } from 'vitest';
import { insertDisputeUnderReview, insertOpenClaim } from '../../domain/disputes/test-support';
import { createApiHarness, TEST_PASSWORD } from '../test-harness';

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code, reason: (error.cause as { reason?: unknown } | undefined)?.reason };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('reputation router: a person blocks a provider from a dispute', () => {
  const h = createApiHarness();
  afterAll(() => h.database.close());

  it('blocks in one click (audited); a direct call to unblock without the step-up proof is refused and changes nothing', async () => {
    const ann = await h.signUp('ann.block@example.com');
    const disputeId = insertDisputeUnderReview(h.database.db, { id: 'ann-dispute', userId: ann.user.id, stepId: 's1' });
    expect(await ann.as().reputation.blockFromDispute({ disputeId })).toEqual({ providerId: 'satoshi-jokes', providerName: 'satoshi-jokes' });
    expect(await ann.as().reputation.blocked()).toEqual([expect.objectContaining({ providerId: 'satoshi-jokes', disputeId })]);

    expect(await refusal(ann.as().reputation.unblock({ providerId: 'satoshi-jokes' }))).toEqual({ code: 'FORBIDDEN', reason: 'password_required' });
    expect(await refusal(ann.as().reputation.unblock({ providerId: 'satoshi-jokes', password: 'not-anns-password-at-all' }))).toEqual({ code: 'BAD_REQUEST', reason: 'wrong_password' });
    expect(h.deps.standing.refusalFor(ann.user.id, { providerId: 'satoshi-jokes', serviceId: 'satoshi-jokes/joke' })).toBe('provider_blocked');

    expect(await ann.as().reputation.unblock({ providerId: 'satoshi-jokes', password: TEST_PASSWORD })).toEqual({ providerId: 'satoshi-jokes' });
    expect(await ann.as().reputation.blocked()).toEqual([]);
    const kinds = (await ann.as().security.auditLog({})).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['provider_blocked', 'provider_unblocked']));
  });

  it("refuses to block from someone else's dispute", async () => {
    const owner = await h.signUp('owner.block@example.com');
    const other = await h.signUp('other.block@example.com');
    const disputeId = insertDisputeUnderReview(h.database.db, { id: 'owner-dispute', userId: owner.user.id, stepId: 's1' });
    expect(await refusal(other.as().reputation.blockFromDispute({ disputeId }))).toEqual({ code: 'NOT_FOUND', reason: 'dispute_not_found' });
    expect(await other.as().reputation.blocked()).toEqual([]);
  });
});

describe('views name the provider: the catalog name, its id when Steward knows none', () => {
  const JOKE = {
    name: 'joke',
    provider: { id: 'satoshi-jokes', name: 'Satoshi Jokes' },
    resources: [{ path: '/v1/joke', method: 'GET', pricing: { model: 'fixed', price_msat: 5_000 }, input_schema: { type: 'object', properties: {} } }],
  };
  const h = createApiHarness({ providerManifest: { version: '0.1', services: [JOKE] } });
  afterAll(() => h.database.close());

  async function operator() {
    await h.accounts.ensureOperator({ email: 'op.names@example.com', password: TEST_PASSWORD });
    const op = await h.accounts.signIn({ email: 'op.names@example.com', password: TEST_PASSWORD }, { ip: null, userAgent: null });
    if (!op.ok) throw new Error(op.reason);
    return h.callerFor(op.sessionToken).caller;
  }

  it('in the person\'s disputes, the block they make from one, and the operators\' queue, claims and provider history', async () => {
    await h.deps.catalog.refreshAll();
    const ann = await h.signUp('ann.names@example.com');
    insertDisputeUnderReview(h.database.db, { id: 'listed', userId: ann.user.id, stepId: 's1' });
    insertDisputeUnderReview(h.database.db, { id: 'unknown', userId: ann.user.id, stepId: 's2', evidence: { providerId: 'gone-provider', serviceId: 'gone-provider/x' } });
    insertOpenClaim(h.database.db, { id: 'claim-listed', disputeId: 'listed', userId: ann.user.id });
    const named = (views: { id: string; providerName: string }[]) => Object.fromEntries(views.map((v) => [v.id, v.providerName]));

    expect(named(await ann.as().disputes.list())).toEqual({ listed: 'Satoshi Jokes', unknown: 'gone-provider' });
    expect(await ann.as().disputes.get({ disputeId: 'listed' })).toMatchObject({ evidence: { providerId: 'satoshi-jokes' }, providerName: 'Satoshi Jokes' });
    expect(await ann.as().reputation.blockFromDispute({ disputeId: 'listed' })).toEqual({ providerId: 'satoshi-jokes', providerName: 'Satoshi Jokes' });
    expect(await ann.as().reputation.blocked()).toEqual([expect.objectContaining({ providerId: 'satoshi-jokes', providerName: 'Satoshi Jokes' })]);

    const op = await operator();
    expect(named((await op.disputes.queue()).underReview)).toEqual({ listed: 'Satoshi Jokes', unknown: 'gone-provider' });
    const [claim] = await op.claims.list();
    expect(claim).toMatchObject({ claim: { providerId: 'satoshi-jokes', providerName: 'Satoshi Jokes' }, dispute: { id: 'listed', providerName: 'Satoshi Jokes' } });
    expect((await op.reputation.providerHistory({ providerId: 'satoshi-jokes' })).providerName).toBe('Satoshi Jokes');
    expect((await op.reputation.providerHistory({ providerId: 'gone-provider' })).providerName).toBe('gone-provider');
  });
});

import { TRPCError } from '@trpc/server';
import { afterAll, describe, expect, it } from 'vitest';
import { insertDisputeUnderReview } from '../../domain/disputes/test-support';
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

/** Test helpers: a dispute under review written directly (for tests about access and decisions, not opening). */
import type { DisputeEvidence } from '../../../shared/disputes';
import type { Db } from '../../db/client';
import { disputes } from '../../db/schema/disputes';

export function sampleEvidence(overrides: Partial<DisputeEvidence> = {}): DisputeEvidence {
  return {
    paymentId: 'pay-1',
    serviceId: 'joke',
    providerId: 'satoshi-jokes',
    url: 'http://127.0.0.1/joke',
    challengeScheme: 'L402',
    invoice: 'lnbcrt1sample',
    paymentHash: 'a'.repeat(64),
    preimageHex: null,
    macaroonIdHex: 'ab',
    amountMsat: 2_000,
    feeMsat: 0,
    approvedMaxMsat: 2_100,
    httpStatus: 200,
    responseBytes: 10,
    responseSha256: null,
    delivery: 'delivered',
    deliveryReason: null,
    deliveryDetail: null,
    outputSchemaJson: null,
    paidAtMs: 1,
    requestedAtMs: 1,
    answeredAtMs: 1,
    ...overrides,
  };
}

export function insertDisputeUnderReview(db: Db, input: { id: string; userId: string; stepId: string; disputedMsat?: number }): string {
  const evidence = sampleEvidence({ paymentId: `pay-${input.id}`, amountMsat: input.disputedMsat ?? 2_000 });
  db.insert(disputes)
    .values({
      id: input.id,
      userId: input.userId,
      taskId: 'task-1',
      stepId: input.stepId,
      paymentId: evidence.paymentId,
      status: 'under_review',
      category: 'wrong_or_low_quality',
      openedBy: 'person',
      reason: 'not funny',
      disputedMsat: evidence.amountMsat,
      evidenceJson: JSON.stringify(evidence),
      transitionsJson: JSON.stringify([{ status: 'under_review', atMs: 1, by: 'steward', note: null }]),
      createdAtMs: 1,
      updatedAtMs: 1,
    })
    .run();
  return input.id;
}

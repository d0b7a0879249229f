/** Test helpers: a dispute under review written directly (for tests about access and decisions, not opening), and the refund engine over fakes. */
import type { DisputeEvidence } from '../../../shared/disputes';
import type { DatabaseHandle, Db } from '../../db/client';
import { createDisputesRepository } from '../../db/repositories/disputes-repository';
import { createProviderClaimsRepository } from '../../db/repositories/provider-claims-repository';
import { disputes, type ProviderClaimRow } from '../../db/schema/disputes';
import type { HeldLease } from '../background';
import type { AccountRef } from '../ledger';
import type { createFakeTreasuryPair } from '../payments/test-fakes';
import type { ProviderRefundPort } from '../ports/provider-refund';
import { providerNamesOver } from '../reputation/test-support';
import type { DisputeEngineDeps } from './deps';

/** The refund engine alone, as the one instance at work: its lease always holds (leases: background/leases.test.ts). */
export const HELD_LEASE: HeldLease = { confirm: () => true, lost: new AbortController().signal };

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

export function insertDisputeUnderReview(db: Db, input: { id: string; userId: string; stepId: string; disputedMsat?: number; evidence?: Partial<DisputeEvidence> }): string {
  const evidence = sampleEvidence({ paymentId: `pay-${input.id}`, amountMsat: input.disputedMsat ?? 2_000, ...input.evidence });
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

/**
 * The refund engine over a fake person wallet and treasury (payments/test-fakes.ts): the disputed
 * payment and its reservation are what the budget credit needs; the ledger is stubbed and reports
 * each credit's source account. No provider publishes a refund endpoint unless `providerRefunds` says.
 */
export function fakeEngine(
  database: DatabaseHandle,
  rails: ReturnType<typeof createFakeTreasuryPair>,
  hooks: { now: () => number; onCredit?: (debit: AccountRef) => void; onAlert?: (userId: string, dedupeKey: string | undefined) => void; providerRefunds?: ProviderRefundPort },
): DisputeEngineDeps {
  const repo = createDisputesRepository(database.db);
  let transfers = 0;
  return {
    database,
    repo: { ...repo, payment: () => ({ reservationId: 'res-1' }) as never },
    claims: createProviderClaimsRepository(database.db),
    ledger: {
      transfer: (request) => {
        hooks.onCredit?.(request.debit);
        return { ok: true, transfer: { id: ++transfers } } as never;
      },
      getReservation: () => ({ id: 'res-1' }) as never,
    },
    governance: { recordRefundCredit: () => true },
    walletFor: async () => rails.person,
    treasury: rails.treasury,
    providerRefunds: hooks.providerRefunds ?? { endpointFor: () => null, ask: async () => ({ kind: 'no_answer', detail: 'not asked' }) },
    returnInvoiceExpirySec: 60,
    alerts: {
      notify: (userId, alert) => {
        hooks.onAlert?.(userId, alert.dedupeKey);
        return {} as never;
      },
    },
    audit: { record: () => undefined },
    operatorIds: () => ['op-1'],
    timeZoneOf: () => 'UTC',
    providerNames: providerNamesOver(database.db),
    now: hooks.now,
    changed: () => undefined,
  };
}

/** An open claim against a provider over a dispute, written directly (for tests about access, not refunds). */
export function insertOpenClaim(db: Db, input: { id: string; disputeId: string; userId: string; reason?: ProviderClaimRow['reason'] }): string {
  createProviderClaimsRepository(db).insert({
    id: input.id,
    disputeId: input.disputeId,
    userId: input.userId,
    providerId: 'satoshi-jokes',
    serviceId: 'satoshi-jokes/joke',
    amountMsat: 2_000,
    reason: input.reason ?? 'refused',
    status: 'open',
    createdAtMs: 1,
    updatedAtMs: 1,
  });
  return input.id;
}

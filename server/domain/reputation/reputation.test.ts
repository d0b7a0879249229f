import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createReputationRepository } from '../../db/repositories/reputation-repository';
import { disputes, type NewDisputeRow } from '../../db/schema/disputes';
import { payments, type NewPaymentRow } from '../../db/schema/payments';
import { samplePaymentRow } from '../../db/test-rows';
import { tasks, taskSteps } from '../../db/schema/tasks';
import { createProviderNames, providerDisplayName } from './provider-names';
import { createReputation, shareBps } from './reputation';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const DAY = 86_400_000;
let handle: DatabaseHandle;

beforeEach(() => {
  handle = openDatabase(':memory:');
  // Payments reference ledger reservations; this read model never looks at the ledger.
  handle.sqlite.pragma('foreign_keys = OFF');
});
afterEach(() => handle.close());

let seq = 0;
function pay(over: Partial<NewPaymentRow> & { serviceId: string; providerId: string; paidAtMs: number | null }): string {
  seq += 1;
  const id = `pay-${seq}`;
  handle.db
    .insert(payments)
    .values(samplePaymentRow(seq, { id, service: over.serviceId, invoiceExpiresAtMs: NOW, createdAtMs: over.paidAtMs ?? NOW, updatedAtMs: NOW, ...over }))
    .run();
  return id;
}

function dispute(paymentId: string, over: Partial<NewDisputeRow> & { createdAtMs: number }): void {
  handle.db
    .insert(disputes)
    .values({
      id: `d-${paymentId}`,
      userId: 'u1',
      taskId: 't1',
      stepId: paymentId,
      paymentId,
      status: 'under_review',
      category: 'not_delivered',
      openedBy: 'automatic',
      reason: 'x',
      disputedMsat: 2_000,
      evidenceJson: '{}',
      transitionsJson: '[]',
      updatedAtMs: NOW,
      ...over,
    })
    .run();
}

const reputation = () => createReputation({ repo: createReputationRepository(handle.db), now: () => NOW });

describe('provider reputation over the last 30 days', () => {
  it('counts paid calls, non-delivery, disputes and refunds per provider and service, and nothing older', () => {
    pay({ serviceId: 'joke', providerId: 'jokes', paidAtMs: NOW - DAY });
    const lost = pay({ serviceId: 'joke', providerId: 'jokes', paidAtMs: NOW - 2 * DAY, delivery: 'paid_not_delivered' });
    const late = pay({ serviceId: 'joke', providerId: 'jokes', paidAtMs: NOW - 3 * DAY, status: 'paid_unusable', delivery: 'paid_not_delivered' });
    pay({ serviceId: 'joke', providerId: 'jokes', paidAtMs: NOW - 31 * DAY, delivery: 'paid_not_delivered' });
    pay({ serviceId: 'joke', providerId: 'jokes', paidAtMs: null, status: 'failed' });
    pay({ serviceId: 'weather', providerId: 'skies', paidAtMs: NOW - DAY });
    dispute(lost, { createdAtMs: NOW - 2 * DAY, status: 'refunded', refundMsat: 2_000, refundedAtMs: NOW - 2 * DAY });
    dispute(late, { createdAtMs: NOW - 3 * DAY, status: 'refunded', refundMsat: 500, refundedAtMs: NOW - 3 * DAY });

    expect(reputation().list()).toEqual([
      { providerId: 'jokes', serviceId: 'joke', origin: 'http://127.0.0.1', paidCalls: 3, notDeliveredCalls: 2, nonDeliveryBps: 6_667, disputesOpened: 2, refunds: 2, refundedMsat: 2_500 },
      { providerId: 'skies', serviceId: 'weather', origin: 'http://127.0.0.1', paidCalls: 1, notDeliveredCalls: 0, nonDeliveryBps: 0, disputesOpened: 0, refunds: 0, refundedMsat: 0 },
    ]);
  });

  it('counts a dispute opened in the window on a payment made before it, and leaves out undecided refunds', () => {
    const old = pay({ serviceId: 'joke', providerId: 'jokes', paidAtMs: NOW - 40 * DAY });
    const open = pay({ serviceId: 'joke', providerId: 'jokes', paidAtMs: NOW - DAY });
    dispute(old, { createdAtMs: NOW - DAY, status: 'refunded', refundMsat: 1_000, refundedAtMs: NOW - DAY });
    dispute(open, { createdAtMs: NOW - DAY, status: 'refunding', refundMsat: 2_000 });

    expect(reputation().list()).toEqual([
      { providerId: 'jokes', serviceId: 'joke', origin: 'http://127.0.0.1', paidCalls: 1, notDeliveredCalls: 0, nonDeliveryBps: 0, disputesOpened: 2, refunds: 1, refundedMsat: 1_000 },
    ]);
  });

  // SQLite's query plan; PostgreSQL plans by table statistics.
  it.skipIf(onPostgres)('reads each time window through an index', () => {
    const plan = handle.sqlite
      .prepare(
        `EXPLAIN QUERY PLAN SELECT 1 FROM payments WHERE paid_at_ms >= 0 UNION ALL SELECT 1 FROM disputes WHERE created_at_ms >= 0
         UNION ALL SELECT 1 FROM disputes WHERE refunded_at_ms >= 0`,
      )
      .all() as { detail: string }[];
    const details = plan.map((row) => row.detail).join('\n');
    for (const index of ['payments_paid_at_idx', 'disputes_created_idx', 'disputes_refunded_idx']) expect(details).toContain(index);
  });
});

describe('a provider named from the steps that paid it', () => {
  // SQLite's query plan; PostgreSQL plans by table statistics.
  it.skipIf(onPostgres)("finds the provider's latest payment through an index, for a person and for operators, not by reading every payment", () => {
    // The statements the repository really sends, captured as it prepares them.
    const sent: string[] = [];
    const prepare = handle.sqlite.prepare.bind(handle.sqlite);
    handle.sqlite.prepare = ((source: string) => (sent.push(source), prepare(source))) as typeof handle.sqlite.prepare;
    const repo = createReputationRepository(handle.db);
    repo.stepProviderName('u1', 'jokes');
    repo.stepProviderName(null, 'jokes');
    handle.sqlite.prepare = prepare;

    expect(sent).toHaveLength(2);
    for (const statement of sent) {
      const parameters = Array.from(statement.matchAll(/\?/g), () => 'x');
      const plan = (prepare(`EXPLAIN QUERY PLAN ${statement}`).all(...parameters) as { detail: string }[]).map((row) => row.detail).join('\n');
      expect(plan).toContain('SEARCH payments USING INDEX payments_provider_created_idx (provider_id=?)');
      expect(plan).not.toMatch(/SCAN payments|TEMP B-TREE/);
    }
  });
});

describe('forServices', () => {
  it('answers for each service asked about, in order, with zeros for a service without history', () => {
    pay({ serviceId: 'jokes/joke', providerId: 'jokes', paidAtMs: NOW - DAY, delivery: 'paid_not_delivered' });
    pay({ serviceId: 'skies/weather', providerId: 'skies', paidAtMs: NOW - DAY });
    const records = reputation().forServices([
      { id: 'new/thing', providerId: 'new', origin: 'http://127.0.0.1' },
      { id: 'jokes/joke', providerId: 'jokes', origin: 'http://127.0.0.1' },
    ]);
    expect(records.map((r) => [r.serviceId, r.providerId, r.paidCalls, r.nonDeliveryBps])).toEqual([
      ['new/thing', 'new', 0, 0],
      ['jokes/joke', 'jokes', 1, 10_000],
    ]);
  });
});

describe('two providers with the same service id', () => {
  // A manifest added by URL chooses its own ids: it may name itself and its service as another provider does.
  it('keep separate records, by the origin the calls went to', () => {
    pay({ serviceId: 'jokes/joke', providerId: 'jokes', origin: 'https://jokes.example', paidAtMs: NOW - DAY });
    pay({ serviceId: 'jokes/joke', providerId: 'jokes', origin: 'https://jokes.example', paidAtMs: NOW - DAY });
    pay({ serviceId: 'jokes/joke', providerId: 'jokes', origin: 'https://impostor.example', paidAtMs: NOW - DAY, delivery: 'paid_not_delivered' });

    expect(reputation().list().map((r) => [r.origin, r.serviceId, r.paidCalls, r.nonDeliveryBps])).toEqual([
      ['https://impostor.example', 'jokes/joke', 1, 10_000],
      ['https://jokes.example', 'jokes/joke', 2, 0],
    ]);
    const [genuine, impostor] = reputation().forServices([
      { id: 'jokes/joke', providerId: 'jokes', origin: 'https://jokes.example' },
      { id: 'jokes/joke', providerId: 'jokes', origin: 'https://impostor.example' },
    ]);
    expect([genuine?.paidCalls, genuine?.nonDeliveryBps]).toEqual([2, 0]);
    expect([impostor?.paidCalls, impostor?.nonDeliveryBps]).toEqual([1, 10_000]);
  });
});

describe('shareBps', () => {
  it('rounds half up and calls no calls a zero rate', () => {
    expect(shareBps(1, 3)).toBe(3_333);
    expect(shareBps(2, 3)).toBe(6_667);
    expect(shareBps(1, 8)).toBe(1_250);
    expect(shareBps(0, 0)).toBe(0);
    expect(shareBps(5, 5)).toBe(10_000);
  });
});

/** A payment made by a task step that recorded the provider's name (as the runner does). */
function paidByStep(userId: string, providerId: string, providerName: string, atMs: number): void {
  const id = pay({ userId, serviceId: `${providerId}/x`, providerId, paidAtMs: atMs });
  handle.db.insert(tasks).values({ id: `task-${id}`, userId, request: 'x', status: 'completed', createdAtMs: atMs, updatedAtMs: atMs }).run();
  const step = { taskId: `task-${id}`, stepId: 's1', position: 0, serviceId: `${providerId}/x`, serviceName: 'X', providerName, status: 'delivered' as const };
  handle.db.insert(taskSteps).values({ ...step, idempotencyKey: `k-${id}`, paymentId: id, updatedAtMs: atMs }).run();
}

describe('provider names', () => {
  it('takes the catalog name first, then the latest step that paid it, then the id', () => {
    paidByStep('alice', 'jokes', 'Old Jokes', NOW);
    paidByStep('alice', 'gone', 'Gone Ltd', NOW - DAY);
    paidByStep('alice', 'gone', 'Gone Ltd (renamed)', NOW);
    const names = createProviderNames({ catalogNames: () => new Map([['jokes', 'Satoshi Jokes']]), stepName: createReputationRepository(handle.db).stepProviderName });
    const nameOf = names.for('alice');

    expect(nameOf('jokes')).toBe('Satoshi Jokes');
    expect(nameOf('gone')).toBe('Gone Ltd (renamed)');
    expect(nameOf('never-paid')).toBe('never-paid');
  });

  it("reads only the viewer's own steps; operators' views read anyone's", () => {
    paidByStep('bob', 'gone', 'What Bob approved', NOW);
    const names = createProviderNames({ catalogNames: () => new Map(), stepName: createReputationRepository(handle.db).stepProviderName });

    expect(names.for('alice')('gone')).toBe('gone');
    expect(names.for(null)('gone')).toBe('What Bob approved');
  });

  it('reads the catalog once and each unlisted provider once per view', () => {
    const asked: string[] = [];
    const names = createProviderNames({
      catalogNames: () => {
        asked.push('catalog');
        return new Map([['jokes', 'Satoshi Jokes']]);
      },
      stepName: (_viewer, providerId) => {
        asked.push(providerId);
        return null;
      },
    });
    const nameOf = names.for('alice');
    for (const id of ['jokes', 'gone', 'jokes', 'gone']) nameOf(id);

    expect(asked).toEqual(['catalog', 'gone']);
  });

  it('shows the id for a blank name', () => {
    expect(providerDisplayName('jokes', '  ')).toBe('jokes');
    expect(providerDisplayName('jokes', null)).toBe('jokes');
    expect(providerDisplayName('jokes', ' Satoshi Jokes ')).toBe('Satoshi Jokes');
  });
});

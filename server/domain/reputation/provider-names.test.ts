import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createReputationRepository } from '../../db/repositories/reputation-repository';
import { payments } from '../../db/schema/payments';
import { tasks, taskSteps } from '../../db/schema/tasks';
import { samplePaymentRow } from '../../db/test-rows';
import { createProviderNames, providerDisplayName } from './provider-names';

// How views name a provider over real SQL: the catalog, then the steps that paid it, then its id.

let handle: DatabaseHandle;
beforeEach(() => {
  handle = openDatabase(':memory:');
  // Payments reference ledger reservations; names never look at the ledger.
  handle.sqlite.pragma('foreign_keys = OFF');
});
afterEach(() => handle.close());

let seq = 0;
function paidByStep(userId: string, providerId: string, providerName: string, createdAtMs: number): void {
  seq += 1;
  const id = `pay-${seq}`;
  handle.db.insert(payments).values(samplePaymentRow(seq, { id, userId, providerId, createdAtMs })).run();
  handle.db.insert(tasks).values({ id: `task-${id}`, userId, request: 'x', status: 'completed', createdAtMs, updatedAtMs: createdAtMs }).run();
  handle.db
    .insert(taskSteps)
    .values({ taskId: `task-${id}`, stepId: 's1', position: 0, serviceId: `${providerId}/x`, serviceName: 'X', providerName, status: 'delivered', idempotencyKey: `k-${id}`, paymentId: id, updatedAtMs: createdAtMs })
    .run();
}

describe('provider names', () => {
  it('takes the catalog name first, then the latest step that paid it, then the id', () => {
    paidByStep('alice', 'jokes', 'Old Jokes', 1);
    paidByStep('alice', 'gone', 'Gone Ltd', 1);
    paidByStep('alice', 'gone', 'Gone Ltd (renamed)', 2);
    const names = createProviderNames({ catalogNames: () => new Map([['jokes', 'Satoshi Jokes']]), stepName: createReputationRepository(handle.db).stepProviderName });
    const nameOf = names.for('alice');

    expect(nameOf('jokes')).toBe('Satoshi Jokes');
    expect(nameOf('gone')).toBe('Gone Ltd (renamed)');
    expect(nameOf('never-paid')).toBe('never-paid');
  });

  it("reads only the viewer's own steps; operators' views read anyone's", () => {
    paidByStep('bob', 'gone', 'What Bob approved', 1);
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

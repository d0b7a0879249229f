import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createProviderClaimsRepository } from '../../db/repositories/provider-claims-repository';
import { providerNamesOver } from '../reputation/test-support';
import { settleClaim } from './claims';
import { insertOpenClaim } from './test-support';

let database: DatabaseHandle;
let audited: string[];
beforeEach(() => {
  database = openDatabase(':memory:');
  audited = [];
});
afterEach(() => database.close());

const deps = () => ({
  claims: createProviderClaimsRepository(database.db),
  audit: { record: (userId: string) => void audited.push(userId) },
  providerNames: providerNamesOver(database.db, { 'satoshi-jokes': 'Satoshi Jokes' }),
  now: () => 5_000,
});

describe('settling a claim against a provider', () => {
  it('settles an open claim once: a second operator is told, and nothing is audited twice', () => {
    insertOpenClaim(database.db, { id: 'c-1', disputeId: 'd-1', userId: 'user-1' });
    expect(settleClaim(deps(), 'op-1', 'c-1', 'paid back by bank transfer')).toMatchObject({ ok: true, claim: { status: 'settled', note: 'paid back by bank transfer', settledAtMs: 5_000, providerId: 'satoshi-jokes', providerName: 'Satoshi Jokes' } });
    expect(settleClaim(deps(), 'op-2', 'c-1', '')).toEqual({ ok: false, reason: 'claim_not_found_or_settled' });
    expect(settleClaim(deps(), 'op-2', 'no-such-claim', '')).toEqual({ ok: false, reason: 'claim_not_found_or_settled' });
    expect(audited).toEqual(['op-1']);
  });

  it('keeps one claim per dispute however often it is recorded', () => {
    insertOpenClaim(database.db, { id: 'c-1', disputeId: 'd-1', userId: 'user-1' });
    insertOpenClaim(database.db, { id: 'c-2', disputeId: 'd-1', userId: 'user-1' });
    expect(createProviderClaimsRepository(database.db).list(10).map((c) => c.id)).toEqual(['c-1']);
  });
});

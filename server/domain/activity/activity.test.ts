import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityRowSchema } from '../../../shared/activity';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createDisputesRepository } from '../../db/repositories/disputes-repository';
import { disputes } from '../../db/schema/disputes';
import { payments, type NewPaymentRow } from '../../db/schema/payments';
import { samplePaymentRow } from '../../db/test-rows';
import { tasks, taskSteps } from '../../db/schema/tasks';
import { toDisputeBrief } from '../disputes/views';
import { createReceipts } from '../payments';
import { providerNamesOver } from '../reputation/test-support';
import { createActivity } from './activity';

// The Activity read model over real SQL: filters, search, the step behind each payment, its dispute
// and refund, and the CSV of exactly what is listed.

const NY = 'America/New_York';
const DEC_1 = Date.parse('2026-12-01T12:00:00.000Z');
// 03:00 UTC on 1 December is still 30 November in New York.
const NOV_30_NY = Date.parse('2026-12-01T03:00:00.000Z');
let handle: DatabaseHandle;

beforeEach(() => {
  handle = openDatabase(':memory:');
  // Payments reference ledger reservations; this read model never looks at the ledger.
  handle.sqlite.pragma('foreign_keys = OFF');
});
afterEach(() => handle.close());

let seq = 0;
function pay(over: Partial<NewPaymentRow> & { request?: string }): string {
  seq += 1;
  const id = `pay-${seq}`;
  const { request, ...row } = over;
  const userId = row.userId ?? 'alice';
  handle.db
    .insert(payments)
    .values(
      samplePaymentRow(seq, { id, userId, service: 'Jokes', serviceId: 'joke', providerId: 'satoshi-jokes', url: 'http://127.0.0.1/joke', feeMsat: 10, createdAtMs: DEC_1, ...row }),
    )
    .run();
  if (request !== undefined) {
    handle.db.insert(tasks).values({ id: `task-${id}`, userId, request, status: 'completed', createdAtMs: DEC_1, updatedAtMs: DEC_1 }).run();
    handle.db
      .insert(taskSteps)
      .values({ taskId: `task-${id}`, stepId: 's1', position: 0, serviceId: row.serviceId ?? 'joke', serviceName: 'Jokes', providerName: 'Satoshi', status: 'delivered', idempotencyKey: `k-${id}`, paymentId: id, updatedAtMs: DEC_1 })
      .run();
  }
  return id;
}

const activity = (catalog: Record<string, string> = {}) =>
  createActivity({
    receipts: createReceipts(handle.db),
    agentKeys: { namesForPayments: () => new Map() },
    disputes: { forPayments: (userId, ids) => new Map(createDisputesRepository(handle.db).forPayments(userId, ids).map((row) => [row.paymentId, toDisputeBrief(row)])) },
    providerNames: providerNamesOver(handle.db, catalog),
    now: () => DEC_1,
  });
const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe('Activity filters, in SQL', () => {
  it('filters by service, outcome and month (in the person\'s zone), and never shows another person\'s', () => {
    const joke = pay({ request: 'tell me a joke' });
    const weather = pay({ serviceId: 'weather', service: 'Weather', providerId: 'sky', request: 'weather in Lisbon' });
    const undelivered = pay({ delivery: 'paid_not_delivered', reason: 'empty_body' });
    const november = pay({ createdAtMs: NOV_30_NY });
    pay({ userId: 'bob', request: 'bob joke' });
    const list = (input: object) => ids(activity().list('alice', { limit: 50, ...input }, NY));

    expect(list({})).toEqual(ids([{ id: joke }, { id: weather }, { id: undelivered }, { id: november }]));
    expect(list({ serviceId: 'weather' })).toEqual([weather]);
    expect(list({ outcome: 'paid_not_delivered' })).toEqual([undelivered]);
    expect(list({ outcome: 'delivered', serviceId: 'joke' })).toEqual(ids([{ id: joke }, { id: november }]));
    expect(list({ month: '2026-11' })).toEqual([november]);
    expect(list({ month: '2026-12' })).toEqual(ids([{ id: joke }, { id: weather }, { id: undelivered }]));
    expect(activity().services('alice')).toEqual([
      { serviceId: 'joke', service: 'Jokes' },
      { serviceId: 'weather', service: 'Weather' },
    ]);
  });

  it('searches what was asked, the service and provider, literally', () => {
    const lisbon = pay({ serviceId: 'weather', service: 'Weather', providerId: 'sky', request: 'weather in Lisbon' });
    const percent = pay({ request: 'what is 100% of a joke' });
    pay({ request: 'tell me a joke' });
    pay({ userId: 'bob', request: 'weather in Lisbon for bob' });
    const search = (text: string) => ids(activity().list('alice', { limit: 50, search: text }, NY));

    expect(search('lisbon')).toEqual([lisbon]);
    expect(search('SKY')).toEqual([lisbon]);
    expect(search('100%')).toEqual([percent]);
    // `_` and `%` are letters here, not wildcards.
    expect(search('%')).toEqual([percent]);
    expect(search('_')).toEqual([]);
  });

  it('names the step behind each payment, and its dispute with the refund and who gave it', () => {
    const paid = pay({ request: 'tell me a joke' });
    const bare = pay({});
    handle.db
      .insert(disputes)
      .values({
        id: 'd1',
        userId: 'alice',
        taskId: `task-${paid}`,
        stepId: 's1',
        paymentId: paid,
        status: 'refunded',
        category: 'wrong_or_low_quality',
        openedBy: 'person',
        reason: 'not funny',
        disputedMsat: 2_010,
        refundMsat: 1_005,
        evidenceJson: '{}',
        transitionsJson: JSON.stringify([
          { status: 'under_review', atMs: 1, by: 'steward', note: null },
          { status: 'refunding', atMs: 2, by: 'operator', note: 'half' },
          { status: 'refunded', atMs: 3, by: 'steward', note: null },
        ]),
        createdAtMs: DEC_1,
        updatedAtMs: DEC_1,
        refundedAtMs: DEC_1,
        refundSource: 'treasury',
      })
      .run();
    const rows = activity().list('alice', { limit: 50 }, NY);

    expect(rows.find((r) => r.id === paid)).toMatchObject({ taskId: `task-${paid}`, stepId: 's1', dispute: { status: 'refunded', refundMsat: 1_005, refundDecidedBy: 'operator', refundPaidBy: 'treasury' } });
    expect(rows.find((r) => r.id === bare)).toMatchObject({ taskId: null, stepId: null, dispute: null });
    expect(rows.map((row) => activityRowSchema.parse(row))).toEqual(rows);

    const { csv, filename } = activity().exportCsv('alice', { limit: 50, serviceId: 'joke' }, NY);
    expect(filename).toBe('steward-activity-2026-12-01.csv');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('date_utc,service,provider,provider_id,outcome,amount_sat,fee_sat,usd_with_fee,dispute_status,refund_sat,refund_decided_by,refund_paid_by,reason,agent,payment_hash,id');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.endsWith(paid))).toContain(',delivered,2.000,0.010,,refunded,1.005,operator,');
    // The provider by name (the step's, as the catalog no longer lists it), then by id.
    expect(lines.find((l) => l.endsWith(paid))).toContain(',Satoshi,satoshi-jokes,delivered,');
  });

  it("names each provider: the catalog's name, else the one on the step that paid it, else its id", () => {
    const stepped = pay({ request: 'tell me a joke' });
    const bare = pay({ providerId: 'sky', serviceId: 'weather' });
    // Bob's step names `sky` too; what Bob approved never names a provider on Alice's page.
    pay({ userId: 'bob', providerId: 'sky', serviceId: 'weather', request: 'bob weather' });
    const nameIn = (rows: { id: string; providerName: string }[], id: string) => rows.find((r) => r.id === id)?.providerName;

    // The catalog no longer lists either provider: the step's name, then the id.
    const unlisted = activity().list('alice', { limit: 50 }, NY);
    expect(nameIn(unlisted, stepped)).toBe('Satoshi');
    expect(nameIn(unlisted, bare)).toBe('sky');

    const listed = activity({ 'satoshi-jokes': 'Satoshi Jokes Ltd', sky: 'Sky Weather' }).list('alice', { limit: 50 }, NY);
    expect(nameIn(listed, stepped)).toBe('Satoshi Jokes Ltd');
    expect(nameIn(listed, bare)).toBe('Sky Weather');
    // The API's output schema keeps every field of the read model (a field it lacked would be dropped).
    expect(listed.map((row) => activityRowSchema.parse(row))).toEqual(listed);
  });

  it('keeps formula-looking text inert in the CSV', () => {
    pay({ service: '=HYPERLINK("x")', request: 'x' });
    const { csv } = activity().exportCsv('alice', { limit: 50 }, NY);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

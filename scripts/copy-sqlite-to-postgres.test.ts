import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../shared/governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../shared/money';
import { openSqlite } from '../server/db/client';
import { foldOnStop } from '../server/db/repositories/fold-on-stop';
import { foldUsageChanges } from '../server/db/repositories/usage-changes';
import { createSecretBox } from '../server/db/secret-box';
import { createGovernance } from '../server/domain/governance';
import { createLedger, stripeAccount, userAvailableAccount } from '../server/domain/ledger';
import { paymentRecordsOn, type PaymentRecords } from '../server/domain/payments/payment-records';
import { copySqliteToPostgres, describeCopy } from './copy-sqlite-to-postgres';
import { connect, createScratchDatabase, postgresSuiteTitle, testDatabaseUrl, type ScratchDatabase } from './postgres/test-database';

const NOW_MS = Date.parse('2026-03-10T12:00:00Z');
const ZONE = 'Europe/London';
const USERS = ['alice', 'bob'];

/**
 * A small Steward database made by the real ledger, governance and payment records, closed as Steward
 * stops (its usage changes and transfers folded), as a crash leaves it, or with its usage changes
 * folded and its transfers not folded into the per-person tables.
 */
async function makeStewardDatabase(path: string, stop: 'clean' | 'crashed' | 'transfers not folded' = 'clean'): Promise<void> {
  const handle = openSqlite(path);
  const governance = createGovernance(handle, { now: () => NOW_MS });
  const ledger = createLedger(handle, { now: () => NOW_MS, observer: governance.usageObserver });
  const secretBox = createSecretBox(randomBytes(32));
  const { records } = paymentRecordsOn(handle, { ledger, governance, secretBox, now: () => NOW_MS, reservationTtlMs: 3_600_000 });
  for (const userId of USERS) {
    governance.saveSettings(userId, { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(50_000_000_000) } });
    // Past 2^31 msat, as real balances are.
    ledger.transfer({ idempotencyKey: `fund:${userId}`, debit: stripeAccount, credit: userAvailableAccount(userId), amountMsat: msat(40_000_000_000) });
  }
  for (let i = 0; i < 6; i += 1) {
    const paid = await writeAheadPayment(records, i);
    if (i % 3 === 0) records.settlePaid(paid, { preimageHex: preimageOf(i).preimageHex, feeMsat: msat(0) });
    if (i % 3 === 1) records.settleFailed(paid, 'no route');
  }
  // An AUTOINCREMENT id handed out and then deleted must not be handed out again in PostgreSQL.
  const alert = handle.sqlite.prepare("INSERT INTO alerts (user_id, kind, severity, title, body, created_at_ms) VALUES (?, 'budget', 'info', 't', 'b', ?)");
  for (let i = 0; i < 3; i += 1) alert.run('alice', NOW_MS);
  handle.sqlite.prepare('DELETE FROM alerts WHERE id = 3').run();
  if (stop === 'clean') foldOnStop(handle.sqlite);
  if (stop === 'transfers not folded') foldUsageChanges(handle.sqlite);
  handle.close();
}

async function writeAheadPayment(records: PaymentRecords, i: number): Promise<string> {
  const userId = USERS[i % USERS.length]!;
  const amountMsat = msat(100_000 + i * 1_000);
  const { paymentHashHex } = preimageOf(i);
  const written = await records.writeAhead({
    userId,
    timeZone: ZONE,
    idempotencyKey: `copy-test:${i}`,
    task: { id: `task-${i}`, startedAtMs: NOW_MS },
    serviceId: 'jokes',
    service: 'jokes',
    providerId: 'jokes',
    method: 'GET',
    url: 'http://jokes.test/v1/jokes',
    verified: {
      challenge: { scheme: 'L402', macaroon: `AgEEbHNhdAJCAAC${paymentHashHex}`, invoice: `lnbc${amountMsat}n1copy${i}` },
      amountMsat,
      paymentHashHex,
      invoiceExpiresAtSec: Math.floor(NOW_MS / 1000) + 600,
      payeePubkeyHex: '02'.padEnd(66, '0'),
      token: { paymentHashHex, macaroonIdHex: `00${paymentHashHex}`, services: null, validUntilSec: null, caveats: [] },
    },
    feeAllowanceMsat: msat(1_000),
    rate: btcUsdRateFromCentsPerBtc(usdCents(10_000_000)),
  });
  if (!written.ok) throw new Error(`write-ahead ${i} refused: ${written.reason}`);
  if (!records.markPaying(written.payment.id)) throw new Error('markPaying refused');
  return written.payment.id;
}

function preimageOf(i: number): { preimageHex: string; paymentHashHex: string } {
  const preimage = createHash('sha256').update(`copy-preimage:${i}`).digest();
  return { preimageHex: preimage.toString('hex'), paymentHashHex: createHash('sha256').update(preimage).digest('hex') };
}

describe('copying a SQLite database into PostgreSQL: the source must be migrated', () => {
  it('refuses a SQLite file that is not at the latest migration, before touching the target', async () => {
    const untouched = { query: () => Promise.reject(new Error('the target must not be touched')) };
    const outcome = await copySqliteToPostgres(new Database(':memory:'), untouched);
    expect(outcome).toMatchObject({ ok: false, reason: 'source_not_migrated' });
    expect(describeCopy(outcome)).toMatch(/^Nothing copied \(source_not_migrated\)/);
  });

  // Not stopped cleanly: a crash leaves both unfolded; usage changes are checked first.
  it.each([
    ['crashed', /usage changes not yet added to its totals/],
    ['transfers not folded', /transfers after its fold mark, not yet in ledger_reservations_by_user and ledger_pending_holds/],
  ] as const)('refuses a SQLite file not stopped cleanly (%s), before touching the target', async (stop, named) => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-copy-crashed-'));
    try {
      await makeStewardDatabase(join(dir, 'steward.db'), stop);
      const crashed = new Database(join(dir, 'steward.db'), { readonly: true });
      const untouched = { query: () => Promise.reject(new Error('the target must not be touched')) };
      const outcome = await copySqliteToPostgres(crashed, untouched);
      crashed.close();
      expect(outcome).toMatchObject({ ok: false, reason: 'source_not_migrated' });
      expect(describeCopy(outcome)).toMatch(named);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!testDatabaseUrl)(postgresSuiteTitle('copying a SQLite database into PostgreSQL'), () => {
  let dir: string;
  let source: Database.Database;
  let scratch: ScratchDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-copy-'));
    await makeStewardDatabase(join(dir, 'steward.db'));
    source = new Database(join(dir, 'steward.db'), { readonly: true });
    scratch = await createScratchDatabase('h_pg_schema_copy');
    client = await connect(scratch.url);
  });

  afterAll(async () => {
    await client?.end();
    await scratch?.drop();
    source?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('copies every table with equal row counts and equal ledger balances', async () => {
    const outcome = await copySqliteToPostgres(source, client);
    if (!outcome.ok) throw new Error(describeCopy(outcome));
    for (const table of ['ledger_transfers', 'ledger_entries', 'ledger_pending_holds', 'payments', 'governance_window_usage', 'alerts']) {
      const sqliteRows = (source.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
      expect({ table, n: rows[0].n }).toEqual({ table, n: sqliteRows });
      expect(sqliteRows).toBeGreaterThan(0);
    }
    const balances = 'SELECT account_id, balance_msat FROM ledger_balances ORDER BY account_id';
    const expected = (source.prepare(balances).all() as { account_id: number; balance_msat: number }[]).map((r) => ({
      account_id: String(r.account_id),
      balance_msat: String(r.balance_msat),
    }));
    expect((await client.query(balances)).rows).toEqual(expected);
    expect(outcome.accounts).toBe(expected.length);
    expect(describeCopy(outcome)).toContain(`Ledger balances equal for ${expected.length} accounts`);
    // PostgreSQL writes its holds with each transfer: its fold mark stays past every id, not SQLite's.
    const mark = await client.query('SELECT through_transfer_id::text AS mark FROM ledger_fold_mark');
    expect(mark.rows).toEqual([{ mark: '9223372036854775807' }]);
  });

  it('continues each identity past the ids SQLite handed out, and the ledger is append-only again', async () => {
    const { rows } = await client.query(
      "INSERT INTO alerts (user_id, kind, severity, title, body, created_at_ms) VALUES ('bob', 'budget', 'info', 't', 'b', 1) RETURNING id",
    );
    expect(rows[0].id).toBe('4');
    await expect(client.query('UPDATE ledger_entries SET created_at_ms = 1')).rejects.toMatchObject({ message: 'ledger_entries is append-only' });
    const transfers = (source.prepare('SELECT max(id) AS id FROM ledger_transfers').get() as { id: number }).id;
    const next = await client.query("SELECT nextval(pg_get_serial_sequence('ledger_transfers', 'id')) AS id");
    expect(Number(next.rows[0].id)).toBe(transfers + 1);
  });

  it('refuses a target that already holds rows', async () => {
    expect(await copySqliteToPostgres(source, client)).toMatchObject({ ok: false, reason: 'target_not_empty' });
  });
});

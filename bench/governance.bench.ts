// Budget governance benchmark: spend decisions on a SQLite FILE (WAL, synchronous=NORMAL), on the path
// the app takes. A decision (issue 10: "policy + reservation") is the policy read
// (governance.decideSpend: the person's settings and usage, then decide(), the rule an approval
// applies) followed by the budget-checked hold (holdForPayment, the first half of the payment's
// write-ahead: the person's settings re-read and usage re-checked under the write lock, the ledger's
// reservation and the usage it adds), group-committed and reported only once committed. CALLERS
// decisions are in flight at once, each awaiting its outcome before the next, as concurrent tasks do.
//
// Beside it, in the same run: the baseline (the same decisions from one caller, so each commits
// alone), the whole write-ahead a payment awaits before it may pay (the decision plus the payment's
// row with its sealed macaroon: PaymentRecords.writeAhead), and SQLite's own floor (one small row per
// decision in the same batches). Each line gives decisions/s and p99 latency, their ratios to the
// targets (at least 20,000 decisions/s, p99 under 1 ms), to the baseline, and CPU per decision, then
// the WAL pages a decision writes, by table and index. 500 people's budgets are measured on ledgers of
// 1,000, 100,000 and 1,000,000 entries (other people's history, one database each), and a busy month
// is played out to show that a decision costs the same at the end of a month as at its start.
// Figures are noisy on a shared machine: the load average is printed; compare ratios.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { getHeapSpaceStatistics } from 'node:v8';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings, type SpendQuote } from '../shared/governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents, type Msat } from '../shared/money';
import { startCheckpointer } from '../server/db/checkpointer';
import { openDatabase, type DatabaseHandle } from '../server/db/client';
import { isPostgresUrl } from '../server/db/postgres/open';
import { createGroupCommit, type GroupCommit } from '../server/db/group-commit';
import { createSecretBox } from '../server/db/secret-box';
import { createGovernance, type Governance } from '../server/domain/governance';
import { createLedger, stripeAccount, userAvailableAccount, type Ledger } from '../server/domain/ledger';
import { holdForPayment, paymentRecordsOn, type PaymentRecords, type WriteAheadInput } from '../server/domain/payments/payment-records';
import { timeOrderedId } from '../server/domain/ids';
import { stepIdempotencyKey } from '../server/domain/spending';
import type { VerifiedChallenge } from '../server/domain/ports/l402';
import { walPagesOf, type WalPages } from './wal-pages';

const TARGET_DECISIONS_PER_SECOND = 20_000;
const TARGET_P99_MS = 1;
const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000)); // $100,000/BTC
const SERVICES = ['jokes', 'weather', 'btc-price', 'summaries'];
const NOW_MS = Date.parse('2026-03-10T12:00:00Z');
const ZONE = 'Europe/London';
const HOUR_MS = 3_600_000;
const RESERVATION_TTL_MS = 24 * HOUR_MS;
/** Purchases in flight at once: enough to fill batches, few enough to keep latency low. */
export const CALLERS = 8;

function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)] ?? 0;
}

export interface Figures {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUs: number;
  outcomes: Map<string, number>;
}

export interface Stack {
  handle: DatabaseHandle;
  ledger: Ledger;
  governance: Governance;
  records: PaymentRecords;
  /** The group-commit writer the decisions go through (PaymentRecords has its own, for write-aheads). */
  writer: GroupCommit;
  /** What holdForPayment needs, built once (as PaymentRecords holds its deps), not per decision. */
  holdDeps: Parameters<typeof holdForPayment>[0];
  users: string[];
  /** Decisions made so far: keys, payment hashes and amounts keep varying across runs on one database. */
  made: number;
  /** Stops the background checkpoints (on a SQLite file) and closes the database. */
  close(): Promise<void>;
}

/**
 * The bench's i-th person, with an id shaped like the app's (a UUID, server/domain/accounts): people
 * who ask one after another sit far apart in every index keyed by person. Ids named `user-0`,
 * `user-1`, ... sat next to each other, so consecutive decisions shared the pages of the per-person
 * rows and indexes, which made 500 budgets look cheaper than they are (docs/architecture.md, "What a
 * spend decision costs"). Derived from i (not random) so every run writes the same keys.
 */
function personId(i: number): string {
  const hex = createHash('sha256').update(`bench person ${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The decision path's services on `location` (a SQLite file or a PostgreSQL URL) for `users` people;
 * `prepare` saves their budgets and funds them (once per database: other processes share it).
 */
export function openStack(location: string, users: number, limitMsat: number, prepare = true): Stack {
  const handle = openDatabase(location);
  // On a SQLite file, checkpoints run on a worker thread as they do in the app (server/main.ts).
  const checkpointer = isPostgresUrl(location) ? null : startCheckpointer(location, { onError: (error) => { throw error; } });
  const close = async () => {
    await checkpointer?.stop();
    handle.close();
  };
  const governance = createGovernance(handle, { now: () => NOW_MS });
  const ledger = createLedger(handle, { now: () => NOW_MS, observer: governance.usageObserver });
  const secretBox = createSecretBox(randomBytes(32));
  // As PaymentService builds them (server/domain/payments/payment-service.ts).
  const { records } = paymentRecordsOn(handle, { ledger, governance, secretBox, now: () => NOW_MS, reservationTtlMs: RESERVATION_TTL_MS });
  const writer = createGroupCommit(handle.sqlite);
  const settings: GovernanceSettings = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(limitMsat) } };
  const names = Array.from({ length: users }, (_, i) => personId(i));
  const holdDeps = { ledger, governance, reservationTtlMs: RESERVATION_TTL_MS };
  if (!prepare) return { handle, ledger, governance, records, writer, holdDeps, users: names, made: 0, close };
  handle.sqlite.transaction(() => {
    for (const userId of names) {
      governance.saveSettings(userId, settings);
      ledger.transfer({ idempotencyKey: `fund:${userId}`, debit: stripeAccount, credit: userAvailableAccount(userId), amountMsat: msat(1_000_000_000_000) });
    }
  })();
  return { handle, ledger, governance, records, writer, holdDeps, users: names, made: 0, close };
}

/**
 * Grows the ledger to about `entries` entries with other people's history (top-ups: two entries
 * each), in bulk SQL, balances kept as the ledger keeps them.
 */
function growLedger(stack: Stack, entries: number): void {
  const { sqlite } = stack.handle;
  const count = (sqlite.prepare('SELECT count(*) AS n FROM ledger_entries').get() as { n: number }).n;
  const transfers = Math.max(0, Math.ceil((entries - count) / 2));
  if (transfers === 0) return;
  sqlite.exec(`INSERT INTO ledger_accounts (code, kind, owner_user_id, floor, created_at_ms)
    WITH RECURSIVE series(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM series WHERE value < 999)
    SELECT 'user:history-' || value || ':available', 'user_available', 'history-' || value, 'non_negative', ${NOW_MS}
    FROM series WHERE true ON CONFLICT (code) DO NOTHING`);
  const first = (sqlite.prepare('SELECT coalesce(max(id), 0) AS id FROM ledger_transfers').get() as { id: number }).id;
  const stripeId = (sqlite.prepare("SELECT id FROM ledger_accounts WHERE code = 'stripe'").get() as { id: number }).id;
  sqlite.transaction(() => {
    sqlite.exec(`WITH RECURSIVE series(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM series WHERE value < ${transfers})
      INSERT INTO ledger_transfers (idempotency_key, request_json, kind, debit_account_id, credit_account_id,
        amount_msat, fee_msat, reason, created_at_ms)
      SELECT 'history:' || (${first} + value), '{"op":"transfer","amountMsat":' || (1000 + value % 9000) || ',"history":' || value || '}',
        'transfer', ${stripeId}, (SELECT id FROM ledger_accounts WHERE code = 'user:history-' || (value % 1000) || ':available'),
        1000 + value % 9000, 0, 'top_up', ${NOW_MS - 86_400_000}
      FROM series`);
    sqlite.exec(`INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms)
      SELECT id, debit_account_id, -amount_msat, created_at_ms FROM ledger_transfers WHERE id > ${first}
      UNION ALL
      SELECT id, credit_account_id, amount_msat, created_at_ms FROM ledger_transfers WHERE id > ${first}`);
  })();
}

/**
 * The decision's number scattered by a bijective 32-bit mix (murmur3's finalizer): as unpredictable
 * as the bench needs, and as cheap as counting (a sha256 per decision was 2% of the timed loop).
 */
function scattered(i: number): number {
  let mixed = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  mixed ^= mixed >>> 16;
  return mixed >>> 0;
}

/**
 * A payment hash derived from the decision's number, so every decision is for a new invoice. Real
 * hashes are random, so consecutive payments land far apart in the payments' hash index: the
 * scattered number goes first, then the number in full, which keeps it unique.
 */
function paymentHashOf(i: number): string {
  return scattered(i).toString(16).padStart(8, '0') + i.toString(16).padStart(56, '0');
}

/** A challenge as the gate hands it to writeAhead after verifying it (the gate itself is not timed). */
function verifiedChallenge(i: number, amountMsat: Msat): VerifiedChallenge {
  const paymentHashHex = paymentHashOf(i);
  return {
    challenge: { scheme: 'L402', macaroon: `AgEEbHNhdAJCAAC${paymentHashHex}`, invoice: `lnbc${amountMsat}n1bench${i}` },
    amountMsat,
    paymentHashHex,
    invoiceExpiresAtSec: Math.floor(NOW_MS / 1000) + 600,
    payeePubkeyHex: '02'.padEnd(66, '0'),
    token: { paymentHashHex, macaroonIdHex: `00${paymentHashHex}`, services: null, validUntilSec: null, caveats: [] },
  };
}

function decisionInput(stack: Stack, i: number) {
  // Who asks next is random, as in the app. In turn (i % people) they also came in the order of the
  // rows made at their first spend, so each batch's people shared those rows' pages (ledger_pending_holds).
  const userId = stack.users[scattered(i) % stack.users.length] ?? personId(0);
  const serviceId = SERVICES[i % SERVICES.length] ?? 'jokes';
  const amountMsat = msat(1_000 + ((i * 7_919) % 300_000));
  const feeAllowanceMsat = msat(Math.floor(amountMsat / 100));
  const quote: SpendQuote = { serviceId, maxMsat: msat(amountMsat + feeAllowanceMsat), feeAllowanceMsat, rate: RATE };
  // Each person's task makes five spends. Task ids grow with time as the app's do (UUIDv7): the
  // task's number first, as its clock, then the person.
  const task = { id: `${Math.floor(i / (stack.users.length * 5)).toString(16).padStart(12, '0')}-${userId}`, startedAtMs: NOW_MS };
  return { userId, serviceId, amountMsat, feeAllowanceMsat, quote, task };
}

/** What a decision or write-ahead ended as, and the hold it made (to post in a busy month). */
type Outcome = { name: string; hold: { reservationId: number; amountMsat: Msat } | null };
/** `decision`: the policy and the hold. `write-ahead`: the policy and everything a payment awaits before paying. */
export type Step = 'decision' | 'write-ahead';

/** One decision as the app makes it: the policy read, then the (group-committed) hold or whole write-ahead. */
async function decide(stack: Stack, i: number, step: Step): Promise<Outcome> {
  const { userId, serviceId, amountMsat, feeAllowanceMsat, quote, task } = decisionInput(stack, i);
  const { decision: policy } = stack.governance.decideSpend({ userId, timeZone: ZONE, quote, task });
  const input: WriteAheadInput = {
    userId,
    timeZone: ZONE,
    idempotencyKey: stepIdempotencyKey(task.id, String(i)), // as spending keys a paid step
    task,
    serviceId,
    service: serviceId,
    providerId: serviceId,
    method: 'GET',
    url: `http://${serviceId}.bench.test/v1/${serviceId}`,
    verified: verifiedChallenge(i, amountMsat),
    feeAllowanceMsat,
    rate: RATE,
  };
  if (step === 'write-ahead') {
    const written = await stack.records.writeAhead(input);
    return written.ok ? { name: `written ahead (${policy.kind})`, hold: null } : { name: written.reason, hold: null };
  }
  const held = await stack.writer.submit(() => holdForPayment(stack.holdDeps, input, timeOrderedId(Date.now()), NOW_MS));
  if (!held.ok) return { name: held.reason, hold: null };
  return { name: `held (${policy.kind})`, hold: { reservationId: held.reservation.id, amountMsat } };
}

/**
 * Runs `count` decisions from `callers` concurrent callers, each awaiting its outcome before asking
 * again, and times each. `after` runs after a decision, timed in (a busy month's payments being settled).
 */
async function measure(count: number, callers: number, decideOne: (i: number) => Promise<Outcome>, after?: (outcome: Outcome) => void): Promise<Figures> {
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        const outcome = await decideOne(i);
        latencies.push(performance.now() - t);
        outcomes.set(outcome.name, (outcomes.get(outcome.name) ?? 0) + 1);
        after?.(outcome);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((x, y) => x - y);
  return {
    perSecond: count / (elapsedMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuUs: (cpu.user + cpu.system) / count,
    outcomes,
  };
}

/** `count` decisions (or write-aheads) from `callers` callers; `after` sees each outcome, untimed work aside. */
export function decisions(stack: Stack, count: number, callers: number, step: Step = 'decision', after?: (outcome: Outcome) => void): Promise<Figures> {
  const offset = stack.made;
  stack.made += count;
  return measure(count, callers, (i) => decide(stack, offset + i, step), after);
}

/**
 * SQLite's own floor on this machine: one small row per decision, in the same batches of CALLERS per
 * IMMEDIATE transaction on the same file. What separates a decision from it is the rows, indexes and
 * statements the decision writes and the code around them, not the commit, the batching or the file.
 */
function oneRowFloor(stack: Stack, count: number): Figures {
  const { sqlite } = stack.handle;
  sqlite.exec('CREATE TABLE IF NOT EXISTS bench_one_row (id INTEGER PRIMARY KEY, amount_msat INTEGER NOT NULL)');
  const insert = sqlite.prepare<[number]>('INSERT INTO bench_one_row (amount_msat) VALUES (?)');
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) insert.run(decisionInput(stack, i).amountMsat);
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let from = 0; from < count; from += CALLERS) batch.immediate(from, Math.min(count, from + CALLERS));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: count / (elapsedMs / 1000), p50Ms: 0, p99Ms: 0, cpuUs: (cpu.user + cpu.system) / count, outcomes: new Map() };
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function line(label: string, f: Figures, base: Figures | null, baseName: string): string[] {
  const vsBase = base === null ? '' : `; ${baseName} ${fmt(base.perSecond)}/s, p99 ${base.p99Ms.toFixed(3)} ms, CPU ${base.cpuUs.toFixed(0)} µs (ratio ${(f.perSecond / base.perSecond).toFixed(2)})`;
  return [
    `${label}: ${fmt(f.perSecond)} decisions/s (${(f.perSecond / TARGET_DECISIONS_PER_SECOND).toFixed(2)}x the ${fmt(TARGET_DECISIONS_PER_SECOND)}/s target), ` +
      `p50 ${f.p50Ms.toFixed(3)} ms, p99 ${f.p99Ms.toFixed(3)} ms (${(f.p99Ms / TARGET_P99_MS).toFixed(2)}x the ${TARGET_P99_MS} ms bound), CPU ${f.cpuUs.toFixed(0)} µs per decision`,
    `  ${base === null ? '' : `${vsBase.slice(2)}; `}outcomes: ${[...f.outcomes.entries()].map(([name, n]) => `${name} ${n}`).join(', ')}`,
  ];
}

function figuresText(f: Figures): string {
  return `${fmt(f.perSecond)}/s (${(f.perSecond / TARGET_DECISIONS_PER_SECOND).toFixed(2)}x the target), p99 ${f.p99Ms.toFixed(3)} ms, CPU ${f.cpuUs.toFixed(1)} µs per decision`;
}

/** WAL pages per decision and the structures they belong to: what a decision's commit writes. */
function walPagesText({ perDecision, byTree }: WalPages): string {
  const named = byTree.slice(0, 7).map(([tree, n]) => `${tree} ${n.toFixed(2)}`);
  const rest = byTree.slice(7).reduce((sum, [, n]) => sum + n, 0);
  return `  WAL pages written per decision (2,000 more, untimed): ${perDecision.toFixed(2)}: ${named.join(', ')}${rest > 0 ? `, the rest ${rest.toFixed(2)}` : ''}`;
}

function entriesIn(stack: Stack): number {
  return (stack.handle.sqlite.prepare('SELECT count(*) AS n FROM ledger_entries').get() as { n: number }).n;
}

/**
 * 500 people's budgets at one ledger size, on a database of its own so that sizes differ by nothing
 * else; the baseline, the whole write-ahead, SQLite's floor and the WAL pages beside the figures.
 * `history`: decisions made before the timed ones, which fill each person's own pages (see below).
 */
async function benchOneSize(dir: string, entries: number, history = 0): Promise<string[]> {
  const file = join(dir, `sizes-${entries}-${history}.db`);
  const stack = openStack(file, 500, 2_000_000_000);
  try {
    growLedger(stack, entries);
    const atStart = entriesIn(stack);
    await decisions(stack, 2_000 + history, CALLERS); // warm-up: statements prepared, pages cached
    const base = await decisions(stack, 5_000, 1);
    const figures = await decisions(stack, 20_000, CALLERS);
    const writeAheads = await decisions(stack, 5_000, CALLERS, 'write-ahead');
    const oneRow = oneRowFloor(stack, 20_000);
    const pages = await walPagesOf(file, stack.handle.sqlite, 2_000, () => decisions(stack, 2_000, CALLERS));
    stack.ledger.checkInvariants();
    stack.governance.checkUsageTotals();
    const after = history === 0 ? '' : `, after ${fmt(2_000 + history)} earlier decisions`;
    return [
      ...line(`${fmt(atStart)} ledger entries at the start (${fmt(entriesIn(stack))} after), 500 budgets${after}`, figures, base, 'one caller'),
      `  whole write-aheads (the decision + the payment's row, what a payment awaits before paying): ${figuresText(writeAheads)}`,
      `  one small row per decision instead (SQLite's own floor, same batches): ${figuresText(oneRow)}`,
      walPagesText(pages),
    ];
  } finally {
    await stack.close();
  }
}

/**
 * Many people's budgets at each ledger size. Then the largest again after 60,000 more decisions: a
 * person's past reservations are not the ledger's size but they do cost, until each person's newest
 * entries of the per-person indexes fill a page of their own (then every decision writes its own).
 */
async function benchLedgerSizes(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const entries of [1_000, 100_000, 1_000_000]) lines.push(...(await benchOneSize(dir, entries)));
  lines.push(...(await benchOneSize(dir, 1_000_000, 60_000)));
  return lines;
}

/** Posts the holds as a paid spend settles them (the invoice's amount, no routing fee); returns posts/s. */
function postHolds(stack: Stack, holds: readonly { reservationId: number; amountMsat: Msat }[]): number {
  const started = performance.now();
  for (const { reservationId, amountMsat } of holds) {
    const posted = stack.ledger.post({ idempotencyKey: `bench-post:${reservationId}`, reservationId, amountMsat, feeMsat: msat(0) });
    if (!posted.ok) throw new Error(`post refused: ${posted.reason}`);
  }
  return holds.length / ((performance.now() - started) / 1000);
}

/**
 * One person's busy month: every spend fits and usage keeps growing. After each slice of decisions, a
 * third of its holds are posted (paid) and the rest stay pending, between the timed slices: posting
 * is a payment's settlement, not a decision, and its own rate is printed beside each slice.
 */
async function benchBusyMonth(dir: string): Promise<string[]> {
  const file = join(dir, 'month.db');
  const stack = openStack(file, 1, 1_000_000_000_000);
  const lines: string[] = [];
  try {
    // The month's first spends, untimed: V8 is still compiling the path (its first ~100 ms stall
    // several times for 2-5 ms, which alone put the first slice's p99 at 2-4 ms). They count in the month.
    const warmUp = 5_000;
    await decisions(stack, warmUp, CALLERS);
    let first: Figures | null = null;
    for (let index = 1; index <= 5; index += 1) {
      const holds: { reservationId: number; amountMsat: Msat }[] = [];
      const figures = await decisions(stack, 10_000, CALLERS, 'decision', ({ hold }) => {
        if (hold !== null && hold.reservationId % 3 === 0) holds.push(hold);
      });
      const postsPerSecond = postHolds(stack, holds);
      lines.push(...line(`busy month, spends ${fmt(warmUp + (index - 1) * 10_000 + 1)}-${fmt(warmUp + index * 10_000)} (1 person)`, figures, first, 'first slice'));
      lines.push(`  then ${fmt(holds.length)} of them posted as paid, untimed above: ${fmt(postsPerSecond)} posts/s, one at a time`);
      first ??= figures;
    }
    lines.push(`  (the month's first ${fmt(warmUp)} spends warm the code up, untimed; each later slice is compared with the first timed one: a ratio near 1.00 means flat)`);
    lines.push(walPagesText(await walPagesOf(file, stack.handle.sqlite, 2_000, () => decisions(stack, 2_000, CALLERS))));
    stack.ledger.checkInvariants();
    stack.governance.checkUsageTotals();
  } finally {
    await stack.close();
  }
  return lines;
}

export async function runGovernanceBench(): Promise<{ name: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-governance-bench-'));
  try {
    const loadBefore = loadavg()[0] ?? 0;
    const lines = [...(await benchLedgerSizes(dir)), ...(await benchBusyMonth(dir))];
    return {
      name: 'governance',
      lines: [
        `Decisions on a SQLite file (WAL, synchronous=NORMAL, temp_store=MEMORY), as the app makes them, from ${CALLERS} concurrent callers:`,
        'policy read (decideSpend) + the budget-checked hold (holdForPayment: settings and usage re-read under the write',
        'lock, the ledger reservation and its usage), group-committed: the decision the target counts.',
        'Baseline in the same run and database: one caller, so every decision commits alone (as before group commit).',
        'Whole write-aheads: the decision plus the payment row with its sealed macaroon (PaymentRecords.writeAhead).',
        'One small row per decision: the same batches and commits writing one two-column row each, the bound of any design.',
        "The policy's and the check's reads come from the single writer's memory (server/db/writer-memory.ts).",
        'WAL checkpoints run on a worker thread, as in the app (server/db/checkpointer.ts): on the other core, counted in the CPU figures.',
        // npm start and npm run bench both fix it at 64 MiB (package.json): say what this process has.
        `V8 new space of this process: ${((getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0) / 2 ** 20).toFixed(0)} MiB (npm start and npm run bench fix the semi-spaces at 64 MiB: docs/deploy.md).`,
        // Other work on the machine inflates both wall time and CPU time: say how busy it was.
        `Load average (1 min) ${loadBefore.toFixed(1)} before and ${(loadavg()[0] ?? 0).toFixed(1)} after, on this ${availableParallelism()}-core machine.`,
        ...lines,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { name, lines } = await runGovernanceBench();
  console.log(`# ${name}\n${lines.join('\n')}`);
}

// `npm run soak`: many people and tasks against the real server for a bounded time, through its public
// API only, with SIGKILLs and restarts at random moments; then a clean stop and the checks (checks.ts)
// on the stores it left. Prints the figures and exits 1 on any violation. Not part of `npm test`.
//
// SOAK_SECONDS (300), SOAK_SEED (random, printed), SOAK_USERS (30), SOAK_KILL_EVERY_SECONDS (30),
// SOAK_PORT (5520; the sandbox takes the next three, further instances the ones after), SOAK_DATA_DIR
// (data/soak-<seed>, emptied first), SOAK_DATABASE_URL (a PostgreSQL server: the run gets a database of
// its own there; absent = SQLite), SOAK_INSTANCES (1; more need SOAK_DATABASE_URL).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { auditViolations, checkBudgets, checkInvoicesPaidOnce, checkPaymentsMatchWallets, checkStepsPaidOnce, checkWallets, type Violation } from './checks';
import { createSoakApi } from './client';
import { createDatabaseOn, type ScratchDatabase } from '../postgres/test-database';
import { startDeployment } from './instances';
import { createPrng } from './prng';
import { readAppStore, readWalletStore } from './stores';
import { quietNwcBalances } from './wallet-balances';
import { chaos, emptyFigures, join, live, pickServer, restartCrashed, windDown, type Actor, type Figures, type SoakContext } from './workload';

const configSchema = z.object({
  SOAK_SECONDS: z.coerce.number().int().min(10).max(24 * 3600).default(300),
  SOAK_SEED: z.coerce.number().int().min(0).max(2 ** 31).default(() => Math.floor(Math.random() * 2 ** 31)),
  SOAK_USERS: z.coerce.number().int().min(1).max(200).default(30),
  SOAK_KILL_EVERY_SECONDS: z.coerce.number().min(5).default(30),
  SOAK_PORT: z.coerce.number().int().min(1024).max(65_000).default(5520),
  SOAK_DATA_DIR: z.string().min(1).optional(),
  SOAK_DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  SOAK_INSTANCES: z.coerce.number().int().min(1).max(8).default(1),
}).refine((c) => c.SOAK_INSTANCES === 1 || c.SOAK_DATABASE_URL, { message: 'SOAK_INSTANCES > 1 needs SOAK_DATABASE_URL (instances share one PostgreSQL database)', path: ['SOAK_INSTANCES'] });
type Config = z.infer<typeof configSchema>;

/** The market's slow and misbehaving services for the run (see server/sandbox/market/README.md). */
const SANDBOX_ENV = {
  SANDBOX_SLOW_SERVICES: 'summarise:3000,translate:1000',
  SANDBOX_MISBEHAVING_SERVICES: 'weather:drift,headlines:paid-500,sentiment:paid-garbage,fee-estimate:paid-empty',
};

/** Everyone joins before the clock and the chaos start, so a sign-up is never lost to a kill. */
async function drive(ctx: SoakContext, users: number, seconds: number, killEveryMs: number): Promise<Actor[]> {
  const joined = await Promise.all(Array.from({ length: users }, (_, i) => join(ctx, i)));
  const actors = joined.filter((actor): actor is Actor => actor !== null);
  ctx.deadlineMs = Date.now() + seconds * 1000;
  await Promise.all([chaos(ctx, killEveryMs), ...actors.map((actor) => live(ctx, actor))]);
  return actors;
}

async function check(dataDir: string, appDatabase: string, ctx: SoakContext, actors: readonly Actor[], nwc: Map<string, number | null>): Promise<{ violations: Violation[]; lines: string[] }> {
  const app = readAppStore(appDatabase);
  const wallet = readWalletStore(dataDir);
  const userIds = actors.map((a) => a.person.userId);
  try {
    const violations = [
      ...auditViolations('ledger_invariant', app.auditLedger),
      ...auditViolations('usage_totals_drift', app.auditUsageTotals),
      ...checkWallets(
        userIds.map((userId) => ({
          userId,
          ...(app.balances.get(userId) ?? { availableMsat: 0, heldMsat: 0 }),
          walletMsat: { 'NWC get_balance': nwc.get(userId) ?? null, 'sandbox.db': wallet.balances.get(`user:${userId}`) ?? null },
        })),
      ),
      ...checkBudgets({ reservations: app.reservations, credits: app.credits, timeZoneOf: (id) => app.timeZones.get(id) ?? 'UTC', changes: ctx.changes, overages: app.overages }),
      ...checkInvoicesPaidOnce(app.payments, wallet.payments),
      ...checkStepsPaidOnce(app.steps, app.payments),
      ...checkPaymentsMatchWallets(app.payments, wallet.payments, userIds),
    ];
    const paymentsByStatus = app.payments.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.status]: (acc[p.status] ?? 0) + 1 }), {});
    const lines = [
      `tasks by final status: ${format(app.tasksByStatus)}`,
      `approvals by status:   ${format(app.approvalsByStatus)}`,
      `payments by status:    ${format(paymentsByStatus)}`,
      `sats moved:            ${Math.floor(app.postedMsat / 1000).toLocaleString('en-US')} sats to providers + ${Math.floor(app.feesMsat / 1000).toLocaleString('en-US')} sats routing fees`,
      `reservations:          ${app.reservations.length} (${app.reservations.filter((r) => r.resolution === null).length} still held at the stop)`,
    ];
    return { violations, lines };
  } finally {
    app.close();
  }
}

const format = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

function figureLines(figures: Figures): string[] {
  return [
    `users:                 ${figures.users} (${figures.twoFactorUsers} with 2FA)`,
    `tasks submitted:       ${figures.tasksSubmitted}`,
    `answers:               approved ${figures.approved}, approved with a code ${figures.approvedWithCode}, denied ${figures.denied}, cancelled ${figures.cancelled}, left waiting ${figures.leftWaiting}`,
    `settings changes:      saved ${figures.settingsSaved} (${figures.settingsLoosened} loosening), refused ${figures.settingsRefused}`,
    `server:                ${figures.kills} SIGKILLs, ${figures.restarts} restarts`,
    `calls unanswered:      ${figures.callsUnanswered} (server down or killed mid-call)`,
    `refusals:              ${format(figures.refusals)}`,
    `internal errors (500): ${format(figures.internalErrors)}`,
  ];
}

/**
 * The run's own PostgreSQL database, named after the seed. Creating it is refused when one of that name
 * exists (an earlier run's, kept for a look): the soak drops only what it created.
 */
async function runDatabase(config: Config): Promise<(ScratchDatabase & { name: string }) | null> {
  if (!config.SOAK_DATABASE_URL) return null;
  const name = `steward_soak_${config.SOAK_SEED}`;
  try {
    return { name, ...(await createDatabaseOn(config.SOAK_DATABASE_URL, name)) };
  } catch (error) {
    throw new Error(`could not create the run's database ${name} (${error instanceof Error ? error.message : String(error)}); if an earlier run kept it, drop it or pick another SOAK_SEED`, { cause: error });
  }
}

/** Prints the figures and the violations, and keeps them in soak-log.json for a look afterwards. */
function report(config: Config, dataDir: string, ctx: SoakContext, lines: string[], violations: Violation[]): void {
  const byKind = violations.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v.kind]: (acc[v.kind] ?? 0) + 1 }), {});
  const where = config.SOAK_DATABASE_URL ? `PostgreSQL, ${config.SOAK_INSTANCES} instance${config.SOAK_INSTANCES === 1 ? '' : 's'}` : 'SQLite';
  console.log(['', `Soak figures (seed ${config.SOAK_SEED}, ${config.SOAK_SECONDS} s, ${where})`, ...figureLines(ctx.figures), ...lines, `violations:            ${violations.length === 0 ? 'none' : format(byKind)}`].join('\n'));
  writeFileSync(`${dataDir}/soak-log.json`, JSON.stringify({ seed: config.SOAK_SEED, figures: ctx.figures, settingsChanges: ctx.changes, violations }, null, 2));
  for (const v of violations.slice(0, 50)) console.log(`  ${v.kind}: ${v.detail}`);
  if (violations.length > 50) console.log(`  ... and ${violations.length - 50} more`);
}

async function main(): Promise<void> {
  const config = configSchema.parse(process.env);
  const dataDir = config.SOAK_DATA_DIR ?? `data/soak-${config.SOAK_SEED}`;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const database = await runDatabase(config);
  console.log(
    `soak: seed ${config.SOAK_SEED}, ${config.SOAK_SECONDS} s, ${config.SOAK_USERS} users, ${config.SOAK_INSTANCES} instance(s) on ${database ? `PostgreSQL database ${database.name}` : 'SQLite'}, data in ${dataDir} (repeat with SOAK_SEED=${config.SOAK_SEED})`,
  );
  const servers = await startDeployment({
    port: config.SOAK_PORT,
    dataDir,
    databaseUrl: database?.url ?? null,
    instances: config.SOAK_INSTANCES,
    env: { ...SANDBOX_ENV, SIGN_UP_RATE_LIMIT: '10000', LOG_LEVEL: 'warn' },
  });
  const routing = createPrng(config.SOAK_SEED * 1_000 + 500);
  const home = servers[0]?.baseUrl ?? '';
  const ctx: SoakContext = {
    api: createSoakApi({ home, any: () => pickServer(servers, routing).baseUrl }),
    servers,
    seed: config.SOAK_SEED,
    deadlineMs: Number.POSITIVE_INFINITY,
    figures: emptyFigures(),
    changes: [],
    codeChecks: [],
  };
  const actors = await drive(ctx, config.SOAK_USERS, config.SOAK_SECONDS, config.SOAK_KILL_EVERY_SECONDS * 1000);
  console.log('soak: deadline reached; answering what waits and letting running tasks finish');
  const { stillRunning } = await windDown(ctx, actors, 120_000);
  await restartCrashed(ctx);
  // The sandbox's owner last: the others' stop may still reach its wallets.
  const unclean: number[] = [];
  for (const [index, server] of [...servers.entries()].reverse()) if (!(await server.stop(30_000))) unclean.push(index);
  const nwc = await quietNwcBalances(dataDir, config.SOAK_PORT + 1, actors.map((a) => a.person.userId));

  const { violations, lines } = await check(dataDir, database?.url ?? `${dataDir}/steward.db`, ctx, actors, nwc);
  for (const index of unclean) violations.push({ kind: 'unclean_shutdown', detail: `server ${index} did not exit 0 within 30 s of being told to stop` });
  for (const [index, server] of servers.entries()) {
    if (server.crashes() > 0) violations.push({ kind: 'server_crashed', detail: `server ${index} exited by itself ${server.crashes()} time(s) (see server.log for server 0, instance-<n>.log for the others)` });
  }
  if (stillRunning > 0) console.log(`note: ${stillRunning} task(s) were still running at the stop`);
  report(config, dataDir, ctx, lines, violations);
  if (database && violations.length === 0) await database.drop();
  else if (database) console.log(`the run's database ${database.name} is kept for a look (drop it afterwards)`);
  process.exit(violations.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(2);
});

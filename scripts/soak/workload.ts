/**
 * The soak's people and its chaos. Each person signs up, maybe turns on 2FA, sets a budget, then until
 * the deadline asks for tasks and answers their approvals at random (approve, approve with a code,
 * deny, cancel, leave waiting), changing their settings now and then. Meanwhile the chaos loop
 * SIGKILLs a server at random moments and starts it again on the same data. Everything goes
 * through the public API (client.ts); every loop is bounded by the deadline.
 */
import type { GovernanceSettings } from '../../shared/governance';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../shared/governance';
import type { LimitChange } from './checks';
import { SOAK_PASSWORD, freshTotpCode, type CallFailure, type CallResult, type SoakApi, type SoakPerson, type StepUp } from './client';
import { createPrng, type Prng } from './prng';
import type { ServerProcess } from './server-process';
import { limitMsat, randomSettings } from './settings';
import { looseningsOf } from '../../shared/loosening';

const PARAGRAPH =
  'Bitcoin fees rose sharply this week as blocks filled up. Miners earned more than usual. ' +
  'Many users waited hours for confirmations. Lightning payments stayed cheap and fast.';

/** Requests the built-in planner plans, across every service of the market (some set to misbehave). */
export const REQUESTS: readonly string[] = [
  'Tell me a joke about bitcoin',
  'a joke about programming',
  "BTC price and today's fee estimate",
  'Bitcoin price in euros',
  "What's the weather in Paris tomorrow?",
  'weather in Paris and London tomorrow and BTC price',
  `Summarise this text and translate the summary to Spanish: ${PARAGRAPH}`,
  `summarize this in 2 sentences: ${PARAGRAPH}`,
  'Translate "hello my friend" into German',
  'monthly market report',
  'weekly bitcoin market report',
  '3 bitcoin headlines',
  'Give me 2 bitcoin headlines and a joke',
  "What's the sentiment of 'The new wallet is slow and buggy'?",
  'fee estimate, then a lightning joke',
];

const ACTIVE = new Set(['draft', 'planned', 'quoted', 'awaiting_approval', 'running', 'paused']);
/** Statuses from which a task may still pay without anyone answering (auto-approved plans, running steps). */
const MOVING = new Set(['draft', 'planned', 'quoted', 'running']);
/** The rate limiter allows 30 code checks per address per 5 minutes; the soak keeps under it. */
const CODE_CHECKS_PER_WINDOW = 27;
const CODE_WINDOW_MS = 5 * 60_000;

export interface Figures {
  users: number;
  twoFactorUsers: number;
  tasksSubmitted: number;
  approved: number;
  approvedWithCode: number;
  denied: number;
  cancelled: number;
  leftWaiting: number;
  settingsSaved: number;
  settingsLoosened: number;
  settingsRefused: number;
  kills: number;
  restarts: number;
  callsUnanswered: number;
  /** Refusals by reason (or tRPC code). */
  refusals: Record<string, number>;
  /** 500s, by message: each is a bug worth reading the server log for. */
  internalErrors: Record<string, number>;
}

export const emptyFigures = (): Figures => ({
  users: 0, twoFactorUsers: 0, tasksSubmitted: 0, approved: 0, approvedWithCode: 0, denied: 0, cancelled: 0, leftWaiting: 0,
  settingsSaved: 0, settingsLoosened: 0, settingsRefused: 0, kills: 0, restarts: 0, callsUnanswered: 0, refusals: {}, internalErrors: {},
});

export interface SoakContext {
  api: SoakApi;
  /** The app servers: the sandbox's owner first (instances.ts). */
  servers: readonly ServerProcess[];
  seed: number;
  deadlineMs: number;
  figures: Figures;
  /** Every settings change sent, with its outcome: the budget check's record of the limits in force. */
  changes: LimitChange[];
  /** Times of code checks sent; the server's rate limit counts them in its database, across restarts. */
  codeChecks: number[];
}

export interface Actor {
  person: SoakPerson;
  prng: Prng;
  settings: GovernanceSettings;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function count(ctx: SoakContext, failure: CallFailure): void {
  if (failure.kind === 'no_answer') ctx.figures.callsUnanswered += 1;
  else if (failure.kind === 'internal') ctx.figures.internalErrors[failure.message] = (ctx.figures.internalErrors[failure.message] ?? 0) + 1;
  else ctx.figures.refusals[failure.reason ?? failure.code] = (ctx.figures.refusals[failure.reason ?? failure.code] ?? 0) + 1;
}

/** The call's value, or null after counting why not (and waiting for the server when it was down). */
async function settle<T>(ctx: SoakContext, result: CallResult<T>): Promise<T | null> {
  if (result.ok) return result.value;
  count(ctx, result.failure);
  if (result.failure.kind === 'no_answer') await waitForServer(ctx);
  return null;
}

async function waitForServer(ctx: SoakContext): Promise<void> {
  for (let i = 0; i < 600 && !ctx.servers.some((server) => server.isUp()); i++) await sleep(200);
}

/** A server for the next call, at random among those up, as a load balancer routes to ready instances. */
export function pickServer(servers: readonly ServerProcess[], prng: Prng): ServerProcess {
  const up = servers.filter((server) => server.isUp());
  return prng.pick(up.length > 0 ? up : servers);
}

/** Room for one more code under the server's rate limit. */
function takeCodeCheck(ctx: SoakContext): boolean {
  const now = Date.now();
  ctx.codeChecks = ctx.codeChecks.filter((at) => now - at < CODE_WINDOW_MS);
  if (ctx.codeChecks.length >= CODE_CHECKS_PER_WINDOW) return false;
  ctx.codeChecks.push(now);
  return true;
}

// ---- joining -----------------------------------------------------------------------------------

/** Signs a person up (before the chaos starts), sets their first budget and, for some, turns on 2FA. */
export async function join(ctx: SoakContext, index: number): Promise<Actor | null> {
  const prng = createPrng(ctx.seed * 1_000 + index + 1);
  const person = await settle(ctx, await ctx.api.signUp(`soak.${ctx.seed}.${index}@example.com`));
  if (!person) return null;
  ctx.figures.users += 1;
  const actor = { person, prng, settings: DEFAULT_GOVERNANCE_SETTINGS };
  await changeSettings(ctx, actor, randomSettings(prng));
  if (prng.chance(0.5) && takeCodeCheck(ctx) && (await settle(ctx, await ctx.api.enrollTotp(person)))) ctx.figures.twoFactorUsers += 1;
  return actor;
}

// ---- settings ----------------------------------------------------------------------------------

const loosens = (previous: GovernanceSettings, next: GovernanceSettings) => looseningsOf(previous, next).length > 0;

/** What a loosening change is sent with, or null to skip it (no code left under the rate limit). */
async function stepUpFor(ctx: SoakContext, actor: Actor): Promise<StepUp | null | 'skip'> {
  // The server counts a password like a code against its per-address limit on checks.
  if (!takeCodeCheck(ctx)) return 'skip';
  if (!actor.person.totpSecret) return { password: SOAK_PASSWORD };
  return { code: await freshTotpCode(actor.person) };
}

async function changeSettings(ctx: SoakContext, actor: Actor, next: GovernanceSettings): Promise<void> {
  const loosening = loosens(actor.settings, next);
  const stepUp = loosening ? await stepUpFor(ctx, actor) : null;
  if (stepUp === 'skip') return;
  const change: LimitChange = {
    userId: actor.person.userId,
    sentAtMs: Date.now(),
    answeredAtMs: null,
    outcome: 'unknown',
    monthlyLimitMsat: limitMsat(next.monthlyLimit),
    taskCapMsat: limitMsat(next.taskCap),
  };
  ctx.changes.push(change);
  const result = await ctx.api.saveSettings(actor.person, next, stepUp);
  if (result.ok || result.failure.kind !== 'no_answer') change.answeredAtMs = Date.now();
  const saved = await settle(ctx, result);
  if (saved) {
    change.outcome = 'saved';
    actor.settings = next;
    ctx.figures.settingsSaved += 1;
    if (loosening) ctx.figures.settingsLoosened += 1;
  } else if (change.answeredAtMs !== null) {
    change.outcome = 'refused';
    ctx.figures.settingsRefused += 1;
  }
}

/**
 * A new random set of settings. People keep mostly to changes that tighten: those without 2FA nearly
 * always, those with it often enough to keep codes (rate-limited per address) for their approvals.
 */
async function maybeChangeSettings(ctx: SoakContext, actor: Actor): Promise<void> {
  const next = randomSettings(actor.prng);
  if (loosens(actor.settings, next) && actor.prng.chance(actor.person.totpSecret ? 0.5 : 0.8)) return;
  await changeSettings(ctx, actor, next);
}

// ---- tasks and approvals -----------------------------------------------------------------------

type TaskView = NonNullable<Awaited<ReturnType<SoakApi['task']>> extends CallResult<infer T> ? T : never>;

async function approveWithCode(ctx: SoakContext, actor: Actor, approvalId: string, overage: boolean): Promise<void> {
  const reason = overage ? { overageReason: 'soak: worth it this month' } : {};
  if (!actor.person.totpSecret || !takeCodeCheck(ctx)) {
    // No second factor to give: asking without one is refused; then say no.
    await settle(ctx, await ctx.api.approve(actor.person, approvalId, { code: '', ...reason }));
    if (await settle(ctx, await ctx.api.deny(actor.person, approvalId))) ctx.figures.denied += 1;
    return;
  }
  const code = await freshTotpCode(actor.person);
  if (await settle(ctx, await ctx.api.approve(actor.person, approvalId, { code, ...reason }))) ctx.figures.approvedWithCode += 1;
}

/** One answer to a waiting approval, at random. */
async function answer(ctx: SoakContext, actor: Actor, task: TaskView, approvalId: string): Promise<void> {
  const found = await settle(ctx, await ctx.api.approval(actor.person, approvalId));
  if (!found) return;
  const kind = found.approval.decisionKind;
  const roll = actor.prng.next();
  if (roll < 0.12) {
    if (await settle(ctx, await ctx.api.deny(actor.person, approvalId))) ctx.figures.denied += 1;
  } else if (roll < 0.2) {
    if (await settle(ctx, await ctx.api.cancelTask(actor.person, task.id))) ctx.figures.cancelled += 1;
  } else if (roll < 0.25) {
    ctx.figures.leftWaiting += 1;
  } else if (kind === 'step_up' || kind === 'overage_required') {
    await approveWithCode(ctx, actor, approvalId, kind === 'overage_required');
  } else if (await settle(ctx, await ctx.api.approve(actor.person, approvalId, null))) {
    ctx.figures.approved += 1;
  }
}

/** Follows a task until it ends (or the deadline plus `graceMs`), answering each approval once. */
async function follow(ctx: SoakContext, actor: Actor, taskId: string, graceMs: number): Promise<void> {
  const answered = new Set<string>();
  while (Date.now() < ctx.deadlineMs + graceMs) {
    await sleep(actor.prng.int(300, 900));
    const task = await settle(ctx, await ctx.api.task(actor.person, taskId));
    if (!task) continue;
    if (!ACTIVE.has(task.status)) return;
    if (task.status === 'running' && actor.prng.chance(0.03)) {
      if (await settle(ctx, await ctx.api.cancelTask(actor.person, taskId))) ctx.figures.cancelled += 1;
      continue;
    }
    const waiting = task.status === 'awaiting_approval' || task.status === 'paused';
    if (waiting && task.approvalId && !answered.has(task.approvalId)) {
      answered.add(task.approvalId);
      // Some people take their time, across a restart or two.
      if (actor.prng.chance(0.2)) await sleep(actor.prng.int(2_000, 15_000));
      await answer(ctx, actor, task, task.approvalId);
    }
  }
}

/** One person's life until the deadline. */
export async function live(ctx: SoakContext, actor: Actor): Promise<void> {
  while (Date.now() < ctx.deadlineMs) {
    if (actor.prng.chance(0.12)) await maybeChangeSettings(ctx, actor);
    const task = await settle(ctx, await ctx.api.submitTask(actor.person, actor.prng.pick(REQUESTS)));
    if (task) {
      ctx.figures.tasksSubmitted += 1;
      await follow(ctx, actor, task.id, 20_000);
    }
    await sleep(actor.prng.int(200, 2_000));
  }
}

// ---- chaos and wind-down -----------------------------------------------------------------------

/**
 * SIGKILLs a server picked at random at random moments (about every `meanIntervalMs`) and restarts it,
 * until the deadline; meanwhile restarts at once any server that crashed, as a service manager would.
 */
export async function chaos(ctx: SoakContext, meanIntervalMs: number): Promise<void> {
  const prng = createPrng(ctx.seed * 1_000);
  for (;;) {
    const killAt = Date.now() + prng.int(Math.round(meanIntervalMs / 2), Math.round((meanIntervalMs * 3) / 2));
    if (killAt > ctx.deadlineMs - 5_000) return restartCrashedUntil(ctx, ctx.deadlineMs);
    await restartCrashedUntil(ctx, killAt);
    const server = prng.pick(ctx.servers);
    await server.kill();
    ctx.figures.kills += 1;
    await sleep(prng.int(0, 2_000));
    await server.start();
    ctx.figures.restarts += 1;
  }
}

/** Until `untilMs`, restarts every server that is down (only a crash leaves one down between kills). */
async function restartCrashedUntil(ctx: SoakContext, untilMs: number): Promise<void> {
  do {
    await restartCrashed(ctx);
    await sleep(Math.max(0, Math.min(500, untilMs - Date.now())));
  } while (Date.now() < untilMs);
}

/** Starts again every server that is down; called only where no kill is under way. */
export async function restartCrashed(ctx: SoakContext): Promise<void> {
  for (const server of ctx.servers) {
    if (server.isUp()) continue;
    await server.start();
    ctx.figures.restarts += 1;
  }
}

/**
 * After the deadline: say no to every approval still waiting, so nothing starts paying, then wait
 * (bounded) until no task is running or about to and none waits for an answer, so the stop finds
 * nothing in flight.
 */
export async function windDown(ctx: SoakContext, actors: readonly Actor[], maxWaitMs: number): Promise<{ stillRunning: number }> {
  const until = Date.now() + maxWaitMs;
  for (;;) {
    await restartCrashed(ctx);
    let moving = 0;
    for (const actor of actors) {
      const tasks = (await settle(ctx, await ctx.api.tasks(actor.person))) ?? [];
      for (const task of tasks) {
        if ((task.status !== 'awaiting_approval' && task.status !== 'paused') || !task.approvalId) continue;
        // A denial may let the task go on to its next step (and its next approval): look again.
        if (await settle(ctx, await ctx.api.deny(actor.person, task.approvalId))) moving += 1;
      }
      moving += tasks.filter((t) => MOVING.has(t.status)).length;
    }
    if (moving === 0 || Date.now() >= until) return { stillRunning: moving };
    await sleep(1_000);
  }
}

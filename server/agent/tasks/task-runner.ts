/**
 * The task runner: a chat request becomes a plan, a quote, an approval, paid steps and an answer.
 *
 *   draft -> planned -> quoted -> awaiting_approval -> running -> completed | failed | cancelled
 *                                                      running <-> paused (a price drifted; re-approval)
 *
 * One async loop per task. Each step's status is written before and after every await, and its
 * idempotency key exists before its purchase is ever attempted, so after a crash a task resumes
 * from its first unfinished step: a step found `paying` is asked of spending again under the same
 * key, which answers with what happened (delivered from the kept token, or the recorded outcome) and
 * never pays twice. The runner never carries a limit: it names the approval and the step, and
 * domain/spending reads what they allow. A price drift spending could not approve within the auto
 * tier pauses the task on the new approval spending made. Cancelling aborts the loop and is checked before every payment;
 * steps already paid keep their receipts.
 *
 * With several instances, a task's loop runs on the instance holding the task's lease (`run_task`,
 * renewed while the loop lives, however long it waits for an approval). `resume` (at start-up and
 * then periodically) picks up only tasks nobody holds, so a killed instance's tasks move to another
 * once their leases expire, and an instance that starts never takes a live instance's task; a loop
 * whose lease was lost stops, leaving the task to the new holder.
 */
import { planSchema, type CatalogService, type Plan, type PlanStep } from '../../../shared/catalog';
import type { DisputeCategory, DisputeView } from '../../../shared/disputes';
import { policyDecisionSchema, type PolicyDecision } from '../../../shared/governance';
import type { Leases } from '../../domain/background';
import { ACCOUNT_IN_DEBT_WHY } from '../../domain/governance';
import { timeOrderedId } from '../../domain/ids';
import { msat, msatToUsdCentsRoundHalfUp } from '../../../shared/money';
import { purchaseReasonText } from '../../../shared/purchase-reasons';
import { stepIdempotencyKey, type SpendOutcome, type SpendResult } from '../../domain/spending';
import { chainedInputBound, checkChains, resolveStepInput } from '../planner/chain';
import type { PlannerStanding } from '../planner/equivalents';
import type { Planner, PreviousAnswer } from '../planner/planner';
import { answerText } from '../outputs/output-text';
import { composeAnswer, parseOutput, type TaskAnswer } from './answer';
import type { ApprovalRequestResult, ApprovalsPort, DisputesPort, PaymentsPort, QuotesPort, QuoteStepRequest, SpendingPort, TaskQuote } from './ports';
import { readJson, readOutput, taskAnswerSchema, taskFailureSchema, taskQuoteSchema, type TaskFailure } from './stored';
import type { TaskEvents } from './task-events';
import { boundedUsageFor, usageFor } from './usage';
import type { StepRecord, TaskRecord, TaskStatus, TaskStore } from './task-store';

export interface TaskRunnerDeps<Q extends TaskQuote = TaskQuote> {
  store: TaskStore;
  events: TaskEvents;
  planner: Planner;
  catalog: {
    servicesFor(userId: string): CatalogService[];
    serviceFor(userId: string, serviceId: string): CatalogService | undefined;
  };
  /** How services stand for this person (records, blocks, pauses), so the planner prefers and avoids; absent: no records. */
  standingFor?: (userId: string) => PlannerStanding;
  quotes: QuotesPort<Q>;
  approvals: ApprovalsPort<Q>;
  /** The only way the runner pays: by approval and step id. */
  spending: SpendingPort;
  payments: PaymentsPort;
  /** Opens a real dispute (server/domain/disputes) on a paid step: by the person, an agent, or automatically. */
  disputes: DisputesPort;
  /** This instance's leases: a task's loop runs on one instance at a time. */
  leases: Pick<Leases, 'withLease'>;
  now?: () => number;
  /** The person's IANA time zone, for the times in their answers; UTC when absent. */
  timeZoneOf?: (userId: string) => string | null;
  /**
   * Watches an agent key for revocation on any instance (agentKeys.watchRevoked): a loop of one of its
   * tasks running here stops at once. Absent: no key is watched.
   */
  watchKeyRevoked?: (userId: string, keyId: string, onRevoked: () => void) => () => void;
  onError?: (error: unknown, taskId: string) => void;
}

export type { TaskFailure };

export interface StepView {
  stepId: string;
  position: number;
  serviceId: string;
  serviceName: string;
  providerName: string;
  reasonText: string;
  status: StepRecord['status'];
  priceMsatMin: number | null;
  priceMsatMax: number | null;
  /** What the step paid, fee included; null when nothing was paid. */
  paidMsat: number | null;
  feeMsat: number | null;
  paidUsdCents: number | null;
  paymentId: string | null;
  outcome: string | null;
  reason: string | null;
  output: unknown;
  judgement: StepRecord['judgement'];
}

export interface TaskView {
  id: string;
  request: string;
  status: TaskStatus;
  version: number;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
  plan: Plan | null;
  quote: {
    id: string;
    totalMsatMin: number;
    totalMsatMax: number;
    totalUsdCentsMin: number;
    totalUsdCentsMax: number;
    expiresAt: string;
  } | null;
  decision: PolicyDecision | null;
  approvalId: string | null;
  /** The agent key (MCP client) that asked; null when the person asked in the app. */
  agentKeyId: string | null;
  steps: StepView[];
  answer: TaskAnswer | null;
  failure: TaskFailure | null;
  /** Everything paid so far, fees included. */
  spentMsat: number;
}

export type SubmitResult = { ok: true; task: TaskView } | { ok: false; reason: 'empty_request' };
export type CancelResult = { ok: true; task: TaskView } | { ok: false; reason: 'task_not_found' | 'task_finished' };
export type JudgeResult =
  | { ok: true; task: TaskView; dispute: DisputeView | null }
  | { ok: false; reason: 'task_not_found' | 'step_not_found' | 'step_not_paid' | 'already_disputed' | 'dispute_limit_reached' };

const ACTIVE: readonly TaskStatus[] = ['draft', 'planned', 'quoted', 'awaiting_approval', 'running', 'paused'];
/** A payment whose outcome the wallet has not given yet (payments' write-ahead statuses). */
const UNSETTLED: ReadonlySet<string> = new Set(['reserved', 'paying']);
/**
 * A task short of approval that no instance holds and nobody touched for this long lost its planner
 * (the instance died): failed by `resume`. Any live planner holds the task's lease; the wait only
 * covers the moment between another instance inserting a task and claiming it.
 */
const ORPHANED_AFTER_MS = 60_000;

/**
 * A new task's id, ordered by creation (the wall clock orders, the random part makes it unique): the
 * task's budget usage row is keyed by it (governance_task_usage), so tasks still spending share the
 * last pages of that table instead of each dirtying a page of its own at every commit.
 */
function newTaskId(): string {
  return timeOrderedId(Date.now());
}

/**
 * A step as the quote prices it. A chained input is not known yet: it is quoted with a stand-in text
 * and priced at the most the earlier step's output can be (its bound), so an honest provider's
 * invoice never drifts above the quote; spending later checks the real text against that bound.
 */
export function quoteStepFor(step: PlanStep, service: CatalogService, plan: readonly PlanStep[], serviceOf: (s: PlanStep) => CatalogService | undefined): QuoteStepRequest {
  const chained = chainedInputBound(step, plan, serviceOf);
  const input = chained ? { ...step.input, [chained.field]: `(the result of step ${step.inputFrom?.stepId ?? ''})` } : step.input;
  const usage = chained ? boundedUsageFor(service, chained) : usageFor(service, input);
  return {
    stepId: step.id,
    serviceId: service.id,
    serviceName: service.name,
    providerName: service.providerName,
    providerId: service.providerId,
    origin: service.origin,
    method: service.method,
    path: service.path,
    input,
    ...(usage ? { usage } : {}),
    ...(service.payeePubkeyHex ? { payeePubkeyHex: service.payeePubkeyHex } : {}),
    ...(service.outputSchema ? { outputSchema: service.outputSchema } : {}),
    ...(chained ? { chained } : {}),
  };
}

export function createTaskRunner<Q extends TaskQuote>(deps: TaskRunnerDeps<Q>) {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const loops = new Map<string, { controller: AbortController; done: Promise<void> }>();

  function changed(task: Pick<TaskRecord, 'id' | 'userId'>): void {
    deps.events.publish(task.userId, task.id);
  }
  function patchTask(task: TaskRecord, patch: Parameters<TaskStore['update']>[1]): void {
    store.update(task.id, patch, now());
    changed(task);
  }
  function moveTask(task: TaskRecord, from: readonly TaskStatus[], to: TaskStatus, patch: Parameters<TaskStore['update']>[1] = {}): boolean {
    const moved = store.transition(task.id, from, to, patch, now());
    if (moved) changed(task);
    return moved;
  }
  function patchStep(task: TaskRecord, stepId: string, patch: Parameters<TaskStore['updateStep']>[2]): void {
    store.updateStep(task.id, stepId, patch, now());
    changed(task);
  }
  function fail(task: TaskRecord, failure: TaskFailure): void {
    store.updateStepsIn(task.id, ['pending'], 'skipped', now());
    moveTask(task, ACTIVE, 'failed', { failureJson: JSON.stringify(failure), finishedAtMs: now() });
  }
  const current = (taskId: string): TaskRecord => {
    const task = store.byId(taskId);
    if (!task) throw new Error(`task ${taskId} vanished`);
    return task;
  };
  const isActive = (taskId: string) => ACTIVE.includes(current(taskId).status);

  function view(task: TaskRecord): TaskView {
    const quote = readJson(taskQuoteSchema, task.quoteJson);
    const priceOf = new Map((quote?.steps ?? []).map((s) => [s.stepId, s]));
    const plan = readJson(planSchema, task.planJson);
    const reasonOf = new Map((plan?.steps ?? []).map((s) => [s.id, s.reason]));
    const steps = store.steps(task.id).map((s): StepView => {
      const paidMsat = s.amountMsat === null ? null : s.amountMsat + (s.feeMsat ?? 0);
      return {
        stepId: s.stepId,
        position: s.position,
        serviceId: s.serviceId,
        serviceName: s.serviceName,
        providerName: s.providerName,
        reasonText: reasonOf.get(s.stepId) ?? '',
        status: s.status,
        priceMsatMin: priceOf.get(s.stepId)?.priceMsatMin ?? null,
        priceMsatMax: priceOf.get(s.stepId)?.priceMsatMax ?? null,
        paidMsat,
        feeMsat: s.feeMsat,
        paidUsdCents: paidMsat === null || !quote ? null : msatToUsdCentsRoundHalfUp(msat(paidMsat), quote.rate),
        paymentId: s.paymentId,
        outcome: s.outcome,
        reason: s.reason,
        output: readOutput(s.outputJson),
        judgement: s.judgement,
      };
    });
    return {
      id: task.id,
      request: task.request,
      status: task.status,
      version: task.version,
      createdAtMs: task.createdAtMs,
      updatedAtMs: task.updatedAtMs,
      finishedAtMs: task.finishedAtMs,
      plan,
      quote: quote && {
        id: quote.id,
        totalMsatMin: quote.totalMsatMin,
        totalMsatMax: quote.totalMsatMax,
        totalUsdCentsMin: quote.totalUsdCentsMin,
        totalUsdCentsMax: quote.totalUsdCentsMax,
        expiresAt: new Date(quote.expiresAt).toISOString(),
      },
      decision: readJson(policyDecisionSchema, task.decisionJson),
      approvalId: task.approvalId,
      agentKeyId: task.agentKeyId,
      steps,
      answer: readJson(taskAnswerSchema, task.answerJson),
      failure: readJson(taskFailureSchema, task.failureJson),
      spentMsat: steps.reduce((sum, s) => sum + (s.paidMsat ?? 0), 0),
    };
  }

  /** Runs the task's loop here under its lease; false (nothing runs) while another instance holds it. */
  function startLoop(taskId: string, body: (signal: AbortSignal) => Promise<void>): boolean {
    const controller = new AbortController();
    let runsHere = false;
    const done = deps.leases
      .withLease('run_task', taskId, async (held) => {
        runsHere = true;
        const signal = AbortSignal.any([controller.signal, held.lost]);
        const unwatch = watchKey(taskId);
        await body(signal)
          .catch((error: unknown) => {
            // Aborted by cancel (the task is already cancelled), by shutdown (it resumes on restart) or
            // by a lost lease (the new holder runs it).
            if (signal.aborted) return;
            deps.onError?.(error, taskId);
            const task = store.byId(taskId);
            if (task) fail(task, { reason: 'internal_error', message: 'Something went wrong while running this task.' });
          })
          .finally(unwatch);
      })
      // The lease could not be claimed (the database was busy): the next resume pass tries again.
      .then(() => undefined, (error: unknown) => deps.onError?.(error, taskId))
      .finally(() => {
        if (loops.get(taskId)?.done === done) loops.delete(taskId);
      });
    // withLease claims, and starts the body, before it returns: `runsHere` is known now.
    if (runsHere) loops.set(taskId, { controller, done });
    return runsHere;
  }

  /** While a key's task runs here, its key's revocation (through any instance) cancels the key's tasks and stops their loops here. */
  function watchKey(taskId: string): () => void {
    const task = store.byId(taskId);
    if (!task?.agentKeyId || !deps.watchKeyRevoked) return () => undefined;
    const { userId, agentKeyId } = task;
    return deps.watchKeyRevoked(userId, agentKeyId, () => {
      void cancelForAgentKey(userId, agentKeyId).catch((error: unknown) => deps.onError?.(error, taskId));
    });
  }

  /**
   * Cancels the key's unfinished tasks (nothing more is paid), and stops the loops running here of
   * its tasks another instance cancelled first (the revoking one).
   */
  async function cancelForAgentKey(userId: string, agentKeyId: string): Promise<number> {
    const active = store.forAgentKey(userId, agentKeyId, ACTIVE);
    for (const task of active) await cancel(userId, task.id);
    for (const task of store.forAgentKey(userId, agentKeyId, ['cancelled'])) loops.get(task.id)?.controller.abort();
    return active.length;
  }

  // ---- planning and quoting -------------------------------------------------------------------

  async function planAndQuote(taskId: string, signal: AbortSignal): Promise<void> {
    const task = current(taskId);
    const previous = previousAnswer(task);
    const standing = deps.standingFor?.(task.userId);
    const planned = await deps.planner.plan({ text: task.request, catalog: deps.catalog.servicesFor(task.userId), nowMs: now(), ...(previous ? { previous } : {}), ...(standing ? { standing } : {}), signal });
    if (!isActive(taskId)) return;
    if (!planned.ok) return fail(task, { reason: planned.reason, message: 'The planner could not be reached. Please try again.' });
    const result = planned.result;
    if (result.kind === 'clarify') return fail(task, { reason: 'needs_clarification', message: result.question });
    if (result.kind === 'unsupported') return fail(task, { reason: 'unsupported', message: result.message });
    await runPlan(taskId, result.plan, signal);
  }

  /** Records a plan's steps (their idempotency keys first), then quotes it and asks for approval. */
  async function runPlan(taskId: string, given: Plan, signal: AbortSignal): Promise<void> {
    const task = current(taskId);
    const services = new Map<string, CatalogService>();
    for (const step of given.steps) {
      const service = deps.catalog.serviceFor(task.userId, step.serviceId);
      if (!service) return fail(task, { reason: 'unknown_service', message: `The plan names a service that is not in your catalog (${step.serviceId}).`, stepId: step.id });
      services.set(step.id, service);
    }
    // Whichever planner made it, a chain is checked against the published schemas before any quote.
    const chains = checkChains(given.steps, (s) => services.get(s.id));
    if (!chains.ok) return fail(task, { reason: 'chain_unusable', message: `${chains.message} Nothing was quoted or paid.`, stepId: chains.stepId });
    const plan: Plan = { ...given, steps: chains.steps };
    store.insertSteps(
      plan.steps.map((step, position) => {
        const service = services.get(step.id) as CatalogService;
        return {
          taskId,
          stepId: step.id,
          position,
          serviceId: service.id,
          serviceName: service.name,
          providerName: service.providerName,
          status: 'pending' as const,
          idempotencyKey: stepIdempotencyKey(taskId, step.id),
          updatedAtMs: now(),
        };
      }),
      now(),
    );
    if (!moveTask(task, ['draft'], 'planned', { planJson: JSON.stringify(plan) })) return;
    await quoteAndApprove(taskId, plan, services, signal);
  }

  /**
   * The person's last answered request before this one, with the main text of its last step and of
   * every step before it, so a follow-up takes what it refers to as its input ("translate that": the
   * answer; "the summary": the summary step's text): that text is already paid for.
   */
  function previousAnswer(task: TaskRecord): PreviousAnswer | undefined {
    const earlier = store.listForUser(task.userId, { limit: 5 }).find((t) => t.id !== task.id && t.createdAtMs <= task.createdAtMs && t.status === 'completed');
    if (!earlier) return undefined;
    const delivered = store
      .steps(earlier.id)
      .filter((s) => s.status === 'delivered')
      .map((step) => {
        const producer = deps.catalog.serviceFor(task.userId, step.serviceId);
        const names = [step.serviceName, ...(producer?.tags ?? []), ...(producer?.outputTextField ? [producer.outputTextField] : [])];
        return { names, text: answerText(readOutput(step.outputJson), producer, readableOptions(task.userId)) };
      });
    const text = delivered.at(-1)?.text;
    const parts = delivered.flatMap((p) => (p.text ? [{ names: p.names, text: p.text }] : []));
    return text ? { request: earlier.request, text, parts } : undefined;
  }

  function readableOptions(userId: string): { timeZone?: string } {
    const timeZone = deps.timeZoneOf?.(userId);
    return timeZone ? { timeZone } : {};
  }

  function quoteSteps(steps: readonly PlanStep[], services: ReadonlyMap<string, CatalogService>): QuoteStepRequest[] {
    const serviceOf = (s: PlanStep) => services.get(s.id);
    return steps.map((step) => quoteStepFor(step, services.get(step.id) as CatalogService, steps, serviceOf));
  }

  async function quoteAndApprove(taskId: string, plan: Plan, services: ReadonlyMap<string, CatalogService>, signal: AbortSignal): Promise<void> {
    const task = current(taskId);
    const quoted = await deps.quotes.quotePlan({ userId: task.userId, taskId, steps: quoteSteps(plan.steps, services) });
    if (!isActive(taskId)) return;
    if (!quoted.ok) return fail(task, { reason: quoted.reason, message: quoted.message, ...(quoted.stepId ? { stepId: quoted.stepId } : {}) });
    if (!moveTask(task, ['planned'], 'quoted', { quoteJson: JSON.stringify(quoted.quote) })) return;
    // A partial plan does less than was asked: the person sees what is left out and decides.
    const confirmBecause = plan.notDone ? `This plan does not do everything you asked: ${plan.notDone.map((n) => `"${n.said}"`).join(', ')} will not be done.` : undefined;
    const requested = await deps.approvals.request({ userId: task.userId, quote: quoted.quote, taskStartedAtMs: task.createdAtMs, agentKeyId: task.agentKeyId, ...(confirmBecause ? { confirmBecause } : {}) });
    await awaitApproval(taskId, requested, ['quoted'], signal);
  }

  /** Records the decision, waits for the person when asked to, then runs the steps or stops. */
  async function awaitApproval(taskId: string, requested: ApprovalRequestResult, from: readonly TaskStatus[], signal: AbortSignal): Promise<void> {
    const task = current(taskId);
    const { decision, approval } = requested;
    const decisionPatch = { decisionJson: JSON.stringify(decision), approvalId: approval.id };
    if (decision.kind === 'deny') {
      patchTask(task, decisionPatch);
      return fail(task, { reason: decision.reason, message: decision.why });
    }
    if (approval.status === 'approved') {
      if (!moveTask(task, from, 'running', { ...decisionPatch, startedAtMs: task.startedAtMs ?? now() })) return;
      return runSteps(taskId, signal);
    }
    const waiting: TaskStatus = from.includes('paused') ? 'paused' : 'awaiting_approval';
    if (waiting !== task.status && !moveTask(task, from, waiting, decisionPatch)) return;
    if (waiting === task.status) patchTask(task, decisionPatch);
    await waitThenRun(taskId, approval.id, signal);
  }

  async function waitThenRun(taskId: string, approvalId: string, signal: AbortSignal): Promise<void> {
    const resolved = await deps.approvals.waitForResolution(approvalId, signal);
    if (signal.aborted || !isActive(taskId)) return;
    const task = current(taskId);
    if (resolved.status !== 'approved') {
      const reason = resolved.status === 'denied' ? 'approval_denied' : resolved.status === 'expired' ? 'approval_expired' : 'approval_cancelled';
      const message = resolved.status === 'denied' ? 'You denied this spend; nothing was paid for it.' : 'The approval ended before it was given; nothing more was paid.';
      return fail(task, { reason, message });
    }
    if (!moveTask(task, ['awaiting_approval', 'paused'], 'running', { startedAtMs: task.startedAtMs ?? now() })) return;
    await runSteps(taskId, signal);
  }

  // ---- running ----------------------------------------------------------------------------------

  async function runSteps(taskId: string, signal: AbortSignal): Promise<void> {
    const plan = readJson(planSchema, current(taskId).planJson);
    if (!plan) throw new Error(`task ${taskId} runs without a plan`);
    const outputs = new Map<string, unknown>();
    for (const record of store.steps(taskId)) if (record.status === 'delivered') outputs.set(record.stepId, readOutput(record.outputJson));

    for (const step of plan.steps) {
      const record = store.steps(taskId).find((s) => s.stepId === step.id);
      if (!record) throw new Error(`step ${step.id} has no record`);
      if (record.status === 'delivered') continue;
      // Cancelled (or failed elsewhere) since the last step: no further spending.
      if (signal.aborted || current(taskId).status !== 'running') return;
      const outcome = await runStep(current(taskId), step, outputs, plan);
      if (outcome === 'continue') continue;
      if (outcome === 'stop') return;
      if (outcome === 'quote_expired') return reapprove(taskId, step, plan, signal);
      // The price drifted beyond what spending could approve alone: wait on the new approval.
      if (!moveTask(current(taskId), ['running'], 'paused')) return;
      return awaitApproval(taskId, outcome.reapproval, ['paused'], signal);
    }
    finish(taskId, plan);
  }

  type StepRun = 'continue' | 'stop' | 'quote_expired' | { reapproval: ApprovalRequestResult };

  async function runStep(task: TaskRecord, step: PlanStep, outputs: Map<string, unknown>, plan: Plan): Promise<StepRun> {
    // A provider the person removed since the plan is not paid, whatever its approval said.
    if (!deps.catalog.serviceFor(task.userId, step.serviceId)) {
      patchStep(task, step.id, { status: 'failed', reason: 'service_gone' });
      fail(task, { reason: 'service_gone', message: `${step.serviceId} is no longer in your catalog.`, stepId: step.id });
      return 'stop';
    }
    const producer = step.inputFrom ? deps.catalog.serviceFor(task.userId, plan.steps.find((s) => s.id === step.inputFrom?.stepId)?.serviceId ?? '') : undefined;
    const input = resolveStepInput(step, outputs, producer, readableOptions(task.userId));
    if (!input.ok) {
      patchStep(task, step.id, { status: 'failed', reason: input.reason });
      fail(task, { reason: input.reason, message: `Step ${step.id} needed the result of step ${input.stepId}, which had none it could use.`, stepId: step.id });
      return 'stop';
    }
    if (task.approvalId === null) throw new Error(`task ${task.id} runs without an approval`);
    patchStep(task, step.id, { status: 'paying', inputJson: JSON.stringify(input.input) });
    const spent = await deps.spending.spendStep({
      userId: task.userId,
      approvalId: task.approvalId,
      stepId: step.id,
      ...(step.inputFrom ? { resolvedInput: input.input } : {}),
    });
    if (spent.reapproval) adoptReapproval(task.id, spent.reapproval);
    const recorded = recordOutcome(current(task.id), step, outputs, spent.outcome);
    if (recorded === 'awaiting_reapproval' && spent.reapproval) return { reapproval: spent.reapproval };
    return recorded === 'awaiting_reapproval' ? 'stop' : recorded;
  }

  /** The task now runs under the drift re-approval: its quote replaces the re-priced steps' prices. */
  function adoptReapproval(taskId: string, reapproval: NonNullable<SpendResult['reapproval']>): void {
    const previous = readJson(taskQuoteSchema, current(taskId).quoteJson);
    const repriced = new Set(reapproval.quote.steps.map((s) => s.stepId));
    const merged = previous ? { ...reapproval.quote, steps: [...previous.steps.filter((s) => !repriced.has(s.stepId)), ...reapproval.quote.steps] } : reapproval.quote;
    patchTask(current(taskId), { quoteJson: JSON.stringify(merged), decisionJson: JSON.stringify(reapproval.decision), approvalId: reapproval.approval.id });
  }

  /**
   * What the step's purchase paid, read by its idempotency key: a step resumed after a crash is
   * delivered from the kept token (no payment id in the outcome) yet was paid before the crash.
   */
  function costOf(task: TaskRecord, step: PlanStep): { paymentId: string | null; amountMsat: number | null; feeMsat: number | null } {
    const payment = deps.payments.paymentFor(task.userId, stepIdempotencyKey(task.id, step.id));
    if (!payment) return { paymentId: null, amountMsat: null, feeMsat: null };
    return { paymentId: payment.id, amountMsat: payment.amountMsat, feeMsat: payment.feeMsat };
  }

  function recordOutcome(task: TaskRecord, step: PlanStep, outputs: Map<string, unknown>, outcome: SpendOutcome): 'continue' | 'stop' | 'quote_expired' | 'awaiting_reapproval' {
    switch (outcome.kind) {
      case 'delivered': {
        const output = parseOutput(outcome.content.bodyText, outcome.content.contentType);
        outputs.set(step.id, output);
        patchStep(task, step.id, { status: 'delivered', outcome: outcome.via, reason: null, ...costOf(task, step), outputJson: JSON.stringify(output) });
        return 'continue';
      }
      case 'awaiting_reapproval':
        patchStep(task, step.id, { status: 'pending', outcome: 'needs_approval', reason: 'price_drift' });
        return 'awaiting_reapproval';
      case 'refused':
        if (outcome.reason === 'quote_expired') {
          patchStep(task, step.id, { status: 'pending' });
          return 'quote_expired';
        }
        patchStep(task, step.id, { status: 'failed', outcome: outcome.kind, reason: outcome.reason });
        fail(task, { reason: outcome.reason, message: `Step ${step.id} was not paid: ${outcome.reason.replaceAll('_', ' ')}.`, stepId: step.id });
        return 'stop';
      case 'refused_before_payment':
      case 'budget_refused':
        patchStep(task, step.id, { status: 'failed', outcome: outcome.kind, reason: outcome.reason });
        fail(task, {
          reason: outcome.reason,
          // A debt can arise between the approval and the payment: say what ends it.
          message: outcome.reason === 'account_in_debt' ? `${step.serviceId} was not paid. ${ACCOUNT_IN_DEBT_WHY}` : `${step.serviceId} was not paid: ${outcome.reason.replaceAll('_', ' ')}.`,
          stepId: step.id,
        });
        return 'stop';
      case 'payment_failed':
        patchStep(task, step.id, { status: 'failed', outcome: outcome.kind, reason: outcome.reason, paymentId: outcome.paymentId });
        fail(task, { reason: outcome.reason, message: `The payment for ${step.serviceId} failed; nothing was spent on it.`, stepId: step.id });
        return 'stop';
      case 'payment_unknown':
        // Left `paying`: the reconciler learns the outcome; a restart asks again under the same key.
        patchStep(task, step.id, { status: 'paying', outcome: outcome.kind, paymentId: outcome.paymentId });
        fail(task, { reason: 'payment_unknown', message: `The wallet has not confirmed the payment for ${step.serviceId} yet; it will not be paid again.`, stepId: step.id });
        return 'stop';
      case 'paid_not_delivered': {
        patchStep(task, step.id, { status: 'failed', outcome: outcome.kind, reason: outcome.reason, ...costOf(task, step) });
        // Proof of payment and of non-delivery: a dispute opens at once and its refund starts.
        const opened = deps.disputes.open({ userId: task.userId, taskId: task.id, stepId: step.id, paymentId: outcome.paymentId, category: 'not_delivered', reason: outcome.detail ?? outcome.reason, openedBy: 'automatic' });
        if (opened.ok) patchStep(task, step.id, { judgement: 'disputed', disputeJson: JSON.stringify({ disputeId: opened.dispute.id }) });
        const then = opened.ok ? 'Steward is refunding it to your wallet automatically.' : 'You can dispute it.';
        // Named as the card names the step, and why in words (not `daily-ledger/headlines`, `server error`).
        const record = store.steps(task.id).find((s) => s.stepId === step.id);
        const name = record ? `${record.serviceName} (${record.providerName})` : step.serviceId;
        fail(task, { reason: 'paid_not_delivered', message: `${name} was paid but did not deliver: ${purchaseReasonText(outcome.reason)}. ${then}`, stepId: step.id });
        return 'stop';
      }
    }
  }

  /** The quote expired mid-task: re-quotes the steps from this one on and asks the person again. */
  async function reapprove(taskId: string, step: PlanStep, plan: Plan, signal: AbortSignal): Promise<void> {
    const task = current(taskId);
    if (!moveTask(task, ['running'], 'paused')) return;
    const remaining = plan.steps.slice(plan.steps.findIndex((s) => s.id === step.id));
    const services = new Map(remaining.map((s) => [s.id, deps.catalog.serviceFor(task.userId, s.serviceId) as CatalogService]));
    const outputs = new Map(store.steps(taskId).filter((s) => s.status === 'delivered').map((s) => [s.stepId, readOutput(s.outputJson)]));
    // Chained inputs whose producer has delivered are known now: quote with the real text.
    const resolved = remaining.map((s) => {
      const producerStep = s.inputFrom && plan.steps.find((p) => p.id === s.inputFrom?.stepId);
      const chained = resolveStepInput(s, outputs, producerStep ? deps.catalog.serviceFor(task.userId, producerStep.serviceId) : undefined, readableOptions(task.userId));
      return chained.ok && s.inputFrom && outputs.has(s.inputFrom.stepId) ? { ...s, input: chained.input, inputFrom: undefined } : s;
    });
    const quoted = await deps.quotes.quotePlan({ userId: task.userId, taskId, steps: quoteSteps(resolved, services) });
    if (!isActive(taskId)) return;
    if (!quoted.ok) return fail(current(taskId), { reason: quoted.reason, message: quoted.message, stepId: step.id });
    const previous = readJson(taskQuoteSchema, current(taskId).quoteJson);
    const merged = previous ? { ...quoted.quote, steps: [...previous.steps.filter((s) => !remaining.some((r) => r.id === s.stepId)), ...quoted.quote.steps] } : quoted.quote;
    patchTask(current(taskId), { quoteJson: JSON.stringify(merged) });
    const startedAtMs = current(taskId).startedAtMs ?? task.createdAtMs;
    const requested = await deps.approvals.requestReapproval({ userId: task.userId, taskId, quote: quoted.quote, reason: 'quote_expired', stepId: step.id, taskStartedAtMs: startedAtMs, agentKeyId: task.agentKeyId });
    await awaitApproval(taskId, requested, ['paused'], signal);
  }

  function finish(taskId: string, plan: Plan): void {
    const task = current(taskId);
    const records = new Map(store.steps(taskId).map((s) => [s.stepId, s]));
    const answer = composeAnswer(
      plan.steps.map((step) => {
        const record = records.get(step.id);
        const service = deps.catalog.serviceFor(task.userId, step.serviceId);
        return {
          stepId: step.id,
          title: record ? `${record.serviceName} (${record.providerName})` : step.serviceId,
          output: readOutput(record?.outputJson ?? null),
          ...(service ? { shape: service } : {}),
        };
      }),
      readableOptions(task.userId),
    );
    moveTask(task, ['running'], 'completed', { answerJson: JSON.stringify(answer), finishedAtMs: now() });
  }

  // ---- public surface ---------------------------------------------------------------------------

  /** Stops a task now: no further step is paid; a payment already in flight keeps its receipt. */
  async function cancel(userId: string, taskId: string): Promise<CancelResult> {
    const task = store.forUser(userId, taskId);
    if (!task) return { ok: false, reason: 'task_not_found' };
    if (!moveTask(task, ACTIVE, 'cancelled', { failureJson: JSON.stringify({ reason: 'cancelled', message: 'You cancelled this task.' }), finishedAtMs: now() })) {
      return { ok: false, reason: 'task_finished' };
    }
    store.updateStepsIn(taskId, ['pending'], 'cancelled', now());
    loops.get(taskId)?.controller.abort();
    await deps.approvals.cancelForTask({ userId, taskId });
    changed(task);
    return { ok: true, task: view(current(taskId)) };
  }

  return {
    /** Starts a task for a chat request; progress arrives through the events. */
    submit(userId: string, text: string, options: { agentKeyId?: string } = {}): SubmitResult {
      const request = text.trim();
      if (request === '') return { ok: false, reason: 'empty_request' };
      const task = store.insert({ id: newTaskId(), userId, request, agentKeyId: options.agentKeyId ?? null, nowMs: now() });
      changed(task);
      startLoop(task.id, (signal) => planAndQuote(task.id, signal));
      return { ok: true, task: view(task) };
    },

    /**
     * Starts a task whose plan the caller names (an agent's `fetch`: one call to one catalog service),
     * skipping the planner; quoting, approval and spending are exactly those of any task.
     */
    submitPlanned(userId: string, input: { request: string; steps: Plan['steps']; agentKeyId: string }): TaskView {
      const task = store.insert({ id: newTaskId(), userId, request: input.request, agentKeyId: input.agentKeyId, nowMs: now() });
      changed(task);
      startLoop(task.id, (signal) => runPlan(task.id, { request: input.request, planner: 'agent', steps: input.steps }, signal));
      return view(task);
    },

    /** A revoked key's work in flight stops: its unfinished tasks are cancelled (nothing more is paid). */
    cancelForAgentKey,

    cancel,

    get(userId: string, taskId: string): TaskView | null {
      const task = store.forUser(userId, taskId);
      return task ? view(task) : null;
    },

    list(userId: string, options: { limit: number; beforeMs?: number }): TaskView[] {
      return store.listForUser(userId, options).map(view);
    },

    /**
     * Accept or dispute a paid step. A dispute opens a real one in the disputes domain (with the
     * payment's evidence); the step keeps only its id. `category` defaults from the step: not
     * delivered when it failed after payment, otherwise wrong or low quality.
     */
    judgeStep(
      userId: string,
      input: { taskId: string; stepId: string; verdict: 'accept' | 'dispute'; complaint?: string; category?: DisputeCategory; openedBy?: 'person' | 'agent' },
    ): JudgeResult {
      const task = store.forUser(userId, input.taskId);
      if (!task) return { ok: false, reason: 'task_not_found' };
      const step = store.steps(task.id).find((s) => s.stepId === input.stepId);
      if (!step) return { ok: false, reason: 'step_not_found' };
      if (step.paymentId === null && step.status !== 'delivered') return { ok: false, reason: 'step_not_paid' };
      if (input.verdict === 'accept') {
        patchStep(task, step.stepId, { judgement: 'accepted', disputeJson: null });
        return { ok: true, task: view(current(task.id)), dispute: null };
      }
      if (step.paymentId === null) return { ok: false, reason: 'step_not_paid' };
      const category = input.category ?? (step.outcome === 'paid_not_delivered' ? 'not_delivered' : 'wrong_or_low_quality');
      const opened = deps.disputes.open({ userId, taskId: task.id, stepId: step.stepId, paymentId: step.paymentId, category, reason: input.complaint ?? '', openedBy: input.openedBy ?? 'person' });
      if (!opened.ok) return opened;
      patchStep(task, step.stepId, { judgement: 'disputed', disputeJson: JSON.stringify({ disputeId: opened.dispute.id }) });
      return { ok: true, task: view(current(task.id)), dispute: opened.dispute };
    },

    /**
     * After a restart, and then periodically: settle payments left unknown, then pick every unfinished
     * task that no instance runs up where its rows say it stopped. Tasks that never got past planning
     * are failed (their plan was not kept), once nobody has touched them for a while (a task just
     * inserted by another instance is claimed by it a moment later).
     */
    async resume(): Promise<{ resumed: string[]; failed: string[] }> {
      // A step caught mid-payment whose wallet has not told the reconciler the outcome yet: resuming now
      // could only end the task as payment_unknown. It waits for a later pass (every lease time).
      const waitsOnWallet = (task: TaskRecord): boolean =>
        store.steps(task.id).some((step) => step.status === 'paying' && UNSETTLED.has(deps.payments.paymentFor(task.userId, stepIdempotencyKey(task.id, step.stepId))?.status ?? ''));
      await deps.payments.reconcileOnce();
      const resumed: string[] = [];
      const failed: string[] = [];
      for (const task of store.withStatus(ACTIVE)) {
        if (loops.has(task.id)) continue;
        if (task.status === 'running' && task.quoteJson !== null) {
          if (waitsOnWallet(task)) continue;
          const picked = startLoop(task.id, async (signal) => {
            // Steps caught mid-payment go back through the purchase under their own key: never paid twice.
            store.updateStepsIn(task.id, ['paying'], 'pending', now());
            await runSteps(task.id, signal);
          });
          if (picked) resumed.push(task.id);
        } else if ((task.status === 'awaiting_approval' || task.status === 'paused') && task.approvalId) {
          const approvalId = task.approvalId;
          if (startLoop(task.id, (signal) => waitThenRun(task.id, approvalId, signal))) resumed.push(task.id);
        } else if (now() - task.updatedAtMs >= ORPHANED_AFTER_MS) {
          const interrupted = { reason: 'interrupted' as const, message: 'The server restarted before this task was approved. Please ask again.' };
          const failIfUntouched = async () => {
            const now = current(task.id);
            if (now.updatedAtMs === task.updatedAtMs) fail(now, interrupted);
          };
          if (startLoop(task.id, failIfUntouched)) failed.push(task.id);
        }
      }
      return { resumed, failed };
    },

    /** Waits for every running loop to settle (tests and shutdown). */
    async idle(): Promise<void> {
      while (loops.size > 0) await Promise.all([...loops.values()].map((l) => l.done));
    },

    /** Aborts every loop (shutdown); tasks stay as their rows say and resume on the next start. */
    async stop(): Promise<void> {
      for (const loop of loops.values()) loop.controller.abort();
      await Promise.all([...loops.values()].map((l) => l.done.catch(() => undefined)));
    },
  };
}

export type TaskRunner = ReturnType<typeof createTaskRunner>;

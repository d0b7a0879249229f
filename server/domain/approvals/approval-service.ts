/**
 * Approval requests: one per quote, a state machine pending -> approved | denied | expired | cancelled.
 *
 *   approvals.request({ userId, quote })             -> { decision, approval }
 *     auto: created 'approved' (spending tells the person once it has paid, when they asked to be told);
 *     confirm / step_up / overage_required: 'pending' (+ an 'approval_waiting' alert);
 *     deny: 'denied', with the policy's reason in `why`. Asking twice for one quote returns the first.
 *   approvals.approve({ userId, approvalId, totpCode?, overage?: { reason } }, meta?)
 *   approvals.deny({ userId, approvalId }), approvals.cancelForTask({ userId, taskId })
 *   approvals.get / list / listPending, approvals.waitForResolution(approvalId, signal?)
 *   approvals.requestReapproval({ userId, taskId, quote, reason: 'price_drift', stepId, ... })
 *
 * What an approved request lets a step spend is read by domain/spending, the one owner of that right.
 *
 * Who may act: every call takes the owner's id and finds only the owner's requests (another user's id
 * is 'not_found'). The second factor is checked here, on the server, for step_up and overage_required:
 * the code is exchanged for a one-time step-up grant bound to this approval (accounts/step-up.ts), and
 * the grant is consumed in the same IMMEDIATE transaction that moves the request out of 'pending', so
 * no client can skip it and one code can never approve two requests (the TOTP replay guard refuses a
 * code whose time step was already used). An overage authorization also needs a written reason and is
 * recorded in the audit log with the amount; it is stored on this approval, i.e. for this quote only.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { policyDecisionSchema, type PolicyDecision } from '../../../shared/governance';
import { msat, msatSchema, type Msat } from '../../../shared/money';
import type { Db } from '../../db/client';
import { createLocalLiveBus, type LiveBus } from '../ports/live-bus';
import { createApprovalsRepository } from '../../db/repositories/approvals-repository';
import type { ApprovalRow } from '../../db/schema/approvals';
import type { AuditLog, RequestMeta, StepUp } from '../accounts';
import type { AgentKeys } from '../agent-keys';
import type { AlertService } from '../alerts';
import { ACCOUNT_IN_DEBT_WHY, approvalWaitingKey, formatSpend, periodFor, priceDriftAlert, usedMsat, type Governance } from '../governance';
import type { Quote, QuoteService } from '../quotes';
import { atLeastConfirm, decideQuote } from './quote-decision';
import type { Approval, ApprovalReason, ApprovalRequestResult, ApproveResult, DenyResult } from './types';

export interface ApprovalServiceDeps {
  db: Db;
  quotes: Pick<QuoteService, 'get' | 'isExpired'>;
  governance: Pick<Governance, 'settingsFor' | 'usage' | 'debtRefusal'>;
  stepUp: Pick<StepUp, 'verify' | 'consume'>;
  audit: Pick<AuditLog, 'record'>;
  alerts: Pick<AlertService, 'notify' | 'notifyGovernance' | 'markDone'>;
  /** Narrows the person's decision by an agent key's limits (domain/agent-keys), for requests an agent made. */
  agentKeys: Pick<AgentKeys, 'narrow'>;
  /** The person's IANA time zone (their budget months); null when there is no such user. */
  timeZoneOf: (userId: string) => string | null;
  /** Where status changes are told (compose's one bus, shared with other instances); default: this process only. */
  liveBus?: LiveBus;
  /** How often a waiter reads its request again (default 30 s), in case the answer's live event was lost. */
  recheckMs?: number;
  now?: () => number;
}

const RECHECK_MS = 30_000;

export type ApprovalService = ReturnType<typeof createApprovalService>;

/** The step-up action a code is bound to: approving exactly this request. */
const approveAction = (approvalId: string) => ({ kind: 'approve_spend', id: approvalId });
const NEEDS_SECOND_FACTOR = new Set(['step_up', 'overage_required']);

const stepMaxSchema = z.record(z.string(), msatSchema);

function toApproval(row: ApprovalRow): Approval {
  const stepMaxMsat = stepMaxSchema.parse(JSON.parse(row.stepMaxMsatJson));
  return {
    id: row.id,
    userId: row.userId,
    taskId: row.taskId,
    quoteId: row.quoteId,
    status: row.status,
    reason: row.reason,
    decisionKind: row.decisionKind,
    decision: policyDecisionSchema.parse(JSON.parse(row.decisionJson)),
    why: row.why,
    maxMsat: msat(row.maxMsat),
    stepMaxMsat,
    ...(row.overageMsat === null ? {} : { overageMsat: msat(row.overageMsat) }),
    ...(row.driftStepId === null ? {} : { driftStepId: row.driftStepId }),
    agentKeyId: row.agentKeyId,
    expiresAt: row.expiresAtMs,
    ...(row.resolvedAtMs === null ? {} : { resolvedAt: row.resolvedAtMs }),
    createdAt: row.createdAtMs,
  };
}

function serviceNames(quote: Quote): string {
  return [...new Set(quote.steps.map((step) => step.serviceName))].join(', ');
}

export function createApprovalService(deps: ApprovalServiceDeps) {
  const now = deps.now ?? Date.now;
  const repository = createApprovalsRepository(deps.db);
  // Status changes, for waitForResolution: the runner may wait on one instance for an answer given on another.
  const bus = deps.liveBus ?? createLocalLiveBus();

  function changed(rows: readonly ApprovalRow[]): void {
    for (const row of rows) {
      // Answered, expired or cancelled: its "waiting for your approval" alert no longer asks anything.
      if (row.status !== 'pending') deps.alerts.markDone(row.userId, approvalWaitingKey(row.id));
      bus.publish({ kind: 'approval', userId: row.userId, id: row.id });
    }
  }

  /** Pending requests whose time is up become expired; run before reads so nobody acts on a stale one. */
  function expireDue(): number {
    const expired = repository.expireDue(now());
    changed(expired);
    return expired.length;
  }

  function usageFor(userId: string, quote: Quote, taskStartedAtMs: number) {
    const timeZone = deps.timeZoneOf(userId);
    if (timeZone === null) throw new Error(`no time zone for user ${userId}`);
    const period = periodFor(new Date(now()), timeZone);
    const bounds = { periodKey: period.periodKey, startsAtMs: period.startsAt.getTime(), endsAtMs: period.endsAt.getTime() };
    const task = { id: quote.taskId, startedAtMs: taskStartedAtMs };
    const services = [...new Set(quote.steps.map((step) => step.serviceId))];
    const perService = services.map((serviceId) => [serviceId, deps.governance.usage({ userId, period: bounds, serviceId, task })] as const);
    const any = perService[0]?.[1];
    if (!any) throw new Error('a quote without steps cannot be decided');
    return {
      monthUsedMsat: usedMsat(any.month),
      taskUsedMsat: usedMsat(any.task),
      serviceUsedMsat: Object.fromEntries(perService.map(([serviceId, usage]) => [serviceId, usedMsat(usage.service)])),
    };
  }

  /** "translate now asks 60 sats, more than the 20 sats you approved; this task comes to 95 sats." */
  function driftNote(input: { userId: string; taskId: string; quote: Quote; stepId: string }, taskStartedAtMs: number): string {
    const step = input.quote.steps.find((s) => s.stepId === input.stepId);
    const approved = repository.list(input.userId, { taskId: input.taskId, status: 'approved', limit: 20 }).map(toApproval);
    const approvedMax = approved.map((a) => a.stepMaxMsat[input.stepId]).find((amount): amount is Msat => amount !== undefined);
    if (!step || approvedMax === undefined || approvedMax === 0) return 'The price changed.';
    const drift = priceDriftAlert({ serviceId: step.serviceName, quotedMsat: approvedMax, invoiceMsat: step.priceMsatMax, toleranceBasisPoints: 0 });
    if (drift) deps.alerts.notifyGovernance(input.userId, drift, input.quote.rate, { taskId: input.taskId, stepId: input.stepId });
    const taskTotal = msat(usageFor(input.userId, input.quote, taskStartedAtMs).taskUsedMsat + input.quote.totalMsatMax);
    return (
      `${step.serviceName}'s invoice asks ${formatSpend(step.priceMsatMax, input.quote.rate)}, more than the ` +
      `${formatSpend(approvedMax, input.quote.rate)} you approved; with it this task comes to at most ${formatSpend(taskTotal, input.quote.rate)}.`
    );
  }

  /**
   * The person's rules decide the quote; an agent's request is then narrowed by its key (never
   * loosened), and a re-approval's `adjust` has the last word (it only ever adds a note or asks).
   */
  function decideFor(input: DecideInput): PolicyDecision {
    const { userId, quote } = input;
    // Nothing the person or a key allows can make a spend payable while a top-up debt is owed.
    const inDebt = deps.governance.debtRefusal(userId);
    if (inDebt) return { kind: 'deny', reason: inDebt, why: ACCOUNT_IN_DEBT_WHY };
    const decided = decideQuote({ steps: quote.steps, rate: quote.rate, usage: usageFor(userId, quote, input.taskStartedAtMs), settings: deps.governance.settingsFor(userId) });
    const narrowed =
      input.agentKeyId === null
        ? decided
        : deps.agentKeys.narrow({
            userId,
            keyId: input.agentKeyId,
            decision: decided,
            services: quote.steps.map((step) => ({ serviceId: step.serviceId, origin: step.call?.origin ?? '' })),
            maxMsat: quote.totalMsatMax,
          });
    return input.adjust ? input.adjust(narrowed) : narrowed;
  }

  function create(input: DecideInput & { reason: ApprovalReason; driftStepId?: string }): ApprovalRequestResult {
    const { userId, quote } = input;
    if (quote.userId !== userId) throw new Error('an approval was asked for another user\'s quote');
    const existing = repository.byQuote(userId, quote.id);
    if (existing) {
      const approval = toApproval(existing);
      return { decision: approval.decision, approval };
    }

    const decision = decideFor(input);
    const nowMs = now();
    const expired = deps.quotes.isExpired(quote, nowMs);
    const status = expired ? 'expired' : decision.kind === 'auto' ? 'approved' : decision.kind === 'deny' ? 'denied' : 'pending';
    const row = repository.insert({
      id: randomUUID(),
      userId,
      taskId: quote.taskId,
      quoteId: quote.id,
      status,
      reason: input.reason,
      decisionKind: decision.kind,
      decisionJson: JSON.stringify(decision),
      why: expired ? 'The prices were quoted too long ago; the agent will ask for fresh ones.' : decision.why,
      maxMsat: quote.totalMsatMax,
      stepMaxMsatJson: JSON.stringify(Object.fromEntries(quote.steps.map((step) => [step.stepId, step.priceMsatMax]))),
      overageMsat: decision.kind === 'overage_required' ? decision.overageMsat : null,
      driftStepId: input.driftStepId ?? null,
      agentKeyId: input.agentKeyId,
      expiresAtMs: quote.expiresAt,
      resolvedAtMs: status === 'pending' ? null : nowMs,
      createdAtMs: nowMs,
    });
    const approval = toApproval(row);
    if (status === 'pending') {
      deps.alerts.notifyGovernance(
        userId,
        { kind: 'approval_waiting', approvalId: approval.id, serviceId: serviceNames(quote), maxMsat: quote.totalMsatMax, waitingSinceMs: nowMs },
        quote.rate,
        { approvalId: approval.id, taskId: quote.taskId },
      );
    }
    // An auto-approved spend is announced by domain/spending once it is paid, with what it cost.
    changed([row]);
    return { decision, approval };
  }

  /** Loads the owner's request, expiring it first when its time is up. */
  function load(userId: string, approvalId: string): ApprovalRow | undefined {
    expireDue();
    return repository.byId(userId, approvalId);
  }

  function refuseUnlessPending(row: ApprovalRow | undefined): { ok: false; reason: 'not_found' | 'not_pending' | 'expired' } | null {
    if (!row) return { ok: false, reason: 'not_found' };
    if (row.status === 'expired') return { ok: false, reason: 'expired' };
    if (row.status !== 'pending') return { ok: false, reason: 'not_pending' };
    return null;
  }

  function approve(
    input: { userId: string; approvalId: string; totpCode?: string; overage?: { reason: string } },
    meta?: RequestMeta,
  ): ApproveResult {
    const { userId, approvalId } = input;
    const row = load(userId, approvalId);
    const refused = refuseUnlessPending(row);
    if (refused || !row) return refused ?? { ok: false, reason: 'not_found' };

    const overageReason = input.overage?.reason.trim() ?? '';
    if (row.decisionKind === 'overage_required' && overageReason === '') return { ok: false, reason: 'overage_reason_required' };
    const needsCode = NEEDS_SECOND_FACTOR.has(row.decisionKind);
    let grantId: string | null = null;
    if (needsCode) {
      if (!input.totpCode) return { ok: false, reason: 'code_required' };
      // Its own transaction: a wrong code counts towards the lockout even though nothing is approved.
      const verified = deps.stepUp.verify({ userId, code: input.totpCode, action: approveAction(approvalId) }, meta);
      if (!verified.ok) {
        switch (verified.reason) {
          case 'invalid_code':
            return { ok: false, reason: 'code_invalid' };
          case 'code_already_used':
            return { ok: false, reason: 'code_already_used' };
          case 'locked':
            return { ok: false, reason: 'locked', ...(verified.retryAt ? { retryAt: verified.retryAt } : {}) };
          case 'not_enabled':
            return { ok: false, reason: 'two_factor_required' };
        }
      }
      grantId = verified.grant.grantId;
    }

    const outcome = rollingBack(() => repository.transaction((): ApproveResult => {
      if (grantId !== null) {
        const consumed = deps.stepUp.consume({ userId, grantId, action: approveAction(approvalId) });
        // The grant was made a moment ago for this very action; only a racing use of it can fail here.
        if (!consumed.ok) return { ok: false, reason: 'code_already_used' };
      }
      const resolvedAtMs = now();
      if (resolvedAtMs >= row.expiresAtMs) throw new RolledBack('expired');
      const updated = repository.resolve(userId, approvalId, 'approved', {
        resolvedAtMs,
        overageReason: row.decisionKind === 'overage_required' ? overageReason : null,
      });
      // Someone answered first: roll back the grant's use too.
      if (!updated) throw new RolledBack('not_pending');
      deps.audit.record(userId, 'spend_approved', { approvalId, quoteId: row.quoteId, taskId: row.taskId, maxMsat: row.maxMsat, decision: row.decisionKind }, meta);
      if (row.decisionKind === 'overage_required') {
        deps.audit.record(userId, 'overage_authorized', { approvalId, quoteId: row.quoteId, overageMsat: row.overageMsat, reason: overageReason }, meta);
      }
      return { ok: true, approval: toApproval(updated) };
    }));
    if (outcome.ok) changed([repository.byId(userId, approvalId) ?? row]);
    return outcome;
  }

  return {
    /** Decides and records the request for a quote (see the top of this file). */
    request(input: { userId: string; quote: Quote; taskStartedAtMs?: number; agentKeyId?: string | null; confirmBecause?: string }): ApprovalRequestResult {
      // Without the task's start, every earlier reservation of the task counts (all of its history).
      const { confirmBecause } = input;
      return create({
        userId: input.userId,
        quote: input.quote,
        taskStartedAtMs: input.taskStartedAtMs ?? 0,
        agentKeyId: input.agentKeyId ?? null,
        reason: 'plan',
        // A plan that leaves part of the request undone is the person's call, whatever it costs.
        ...(confirmBecause ? { adjust: (decision: PolicyDecision) => (decision.kind === 'auto' ? { kind: 'confirm', why: `${confirmBecause} Steward asks before doing part of a request.` } : { ...decision, why: `${confirmBecause} ${decision.why}` }) } : {}),
      });
    },

    /** The decision a quote would get, recording nothing (an agent's `quote` tool asks before it buys). */
    preview(input: { userId: string; quote: Quote; agentKeyId: string | null }): PolicyDecision {
      if (input.quote.userId !== input.userId) throw new Error("a decision was asked for another user's quote");
      return decideFor({ ...input, taskStartedAtMs: now() });
    },

    approve,

    deny(input: { userId: string; approvalId: string }): DenyResult {
      const row = load(input.userId, input.approvalId);
      const refused = refuseUnlessPending(row);
      if (refused) return refused;
      const updated = repository.resolve(input.userId, input.approvalId, 'denied', { resolvedAtMs: now() });
      if (!updated) return { ok: false, reason: 'not_pending' };
      changed([updated]);
      return { ok: true, approval: toApproval(updated) };
    },

    /** The task was cancelled: its pending requests are cancelled with it. Returns how many. */
    cancelForTask(input: { userId: string; taskId: string }): number {
      const rows = repository.resolveTask(input.userId, input.taskId, 'cancelled', now());
      changed(rows);
      return rows.length;
    },

    get(userId: string, approvalId: string): Approval | null {
      const row = load(userId, approvalId);
      return row ? toApproval(row) : null;
    },

    listPending(userId: string): Approval[] {
      expireDue();
      return repository.list(userId, { status: 'pending', limit: 100 }).map(toApproval);
    },

    /** Recent requests of every status, newest first. */
    list(userId: string, options: { taskId?: string; limit?: number } = {}): Approval[] {
      expireDue();
      return repository.list(userId, { ...(options.taskId ? { taskId: options.taskId } : {}), limit: Math.min(options.limit ?? 50, 200) }).map(toApproval);
    },

    /**
     * Resolves with the request once it is no longer pending (approved, denied, expired at its
     * expiry, cancelled). For the task runner, which has no session: it holds the approval's id.
     * Rejects with the signal's reason when `signal` aborts.
     */
    waitForResolution(approvalId: string, signal?: AbortSignal): Promise<Approval> {
      return new Promise<Approval>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        let recheck: ReturnType<typeof setInterval> | undefined = undefined;
        let stopListening: (() => void) | null = null;
        const cleanup = () => {
          stopListening?.();
          signal?.removeEventListener('abort', onAbort);
          if (timer) clearTimeout(timer);
          if (recheck) clearInterval(recheck);
        };
        const settleIfResolved = (): boolean => {
          const row = repository.byIdForRunner(approvalId);
          if (!row) {
            cleanup();
            reject(new Error(`no approval ${approvalId}`));
            return true;
          }
          if (row.status === 'pending') return false;
          cleanup();
          resolve(toApproval(row));
          return true;
        };
        const onAbort = () => {
          cleanup();
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        if (signal?.aborted) return onAbort();
        const first = repository.byIdForRunner(approvalId);
        if (!first) return void settleIfResolved();
        stopListening = bus.subscribe('approval', first.userId, (id) => {
          if (id === approvalId) settleIfResolved();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
        expireDue();
        if (settleIfResolved()) return;
        const row = repository.byIdForRunner(approvalId);
        if (row) timer = setTimeout(() => expireDue(), Math.max(0, row.expiresAtMs - now()) + 10);
        // The live event is the fast path, not the only one: an answer given on another instance while
        // this one's LISTEN connection was down sent an event nobody here heard.
        recheck = setInterval(() => {
          expireDue();
          settleIfResolved();
        }, deps.recheckMs ?? RECHECK_MS);
      });
    },

    /**
     * The price moved above what was approved (spending found an invoice asking more, and quotes
     * re-priced the step at exactly that invoice), or the quote expired mid-task: the task is asked
     * again here. Any pending request of the task is superseded (cancelled). A drift names the invoice's
     * amount, the amount approved before and the task's new total, with a price_drift alert. The new
     * request is at least 'confirm', except a drift with `autoIfWithinTier` whose new total still fits
     * the auto tier and the budget: approved at once (spending then pays and tells the person).
     */
    requestReapproval(input: {
      userId: string;
      taskId: string;
      quote: Quote;
      reason: 'price_drift' | 'quote_expired';
      stepId: string;
      taskStartedAtMs?: number;
      autoIfWithinTier?: boolean;
      /** The agent key the task runs for; its limits narrow the new decision as they did the first. */
      agentKeyId?: string | null;
    }): ApprovalRequestResult {
      if (input.quote.taskId !== input.taskId) throw new Error('the re-approval quote belongs to another task');
      changed(repository.resolveTask(input.userId, input.taskId, 'cancelled', now()));
      const taskStartedAtMs = input.taskStartedAtMs ?? 0;
      const note = input.reason === 'price_drift' ? driftNote(input, taskStartedAtMs) : 'The earlier prices expired, so these are fresh ones.';
      const keepAuto = input.reason === 'price_drift' && input.autoIfWithinTier === true;
      return create({
        userId: input.userId,
        quote: input.quote,
        taskStartedAtMs,
        agentKeyId: input.agentKeyId ?? null,
        reason: input.reason,
        driftStepId: input.stepId,
        // The note (the real price, the new total) leads whatever the policy says.
        adjust: (decision) => (decision.kind === 'auto' && !keepAuto ? atLeastConfirm(decision, note) : { ...decision, why: `${note} ${decision.why}` }),
      });
    },

    expireDue,
  };
}

interface DecideInput {
  userId: string;
  quote: Quote;
  taskStartedAtMs: number;
  agentKeyId: string | null;
  adjust?: (decision: PolicyDecision) => PolicyDecision;
}

/** Thrown inside the approve transaction to roll it back (and the grant's use) with a named refusal. */
class RolledBack extends Error {
  constructor(readonly reason: 'expired' | 'not_pending') {
    super(reason);
  }
}

function rollingBack(run: () => ApproveResult): ApproveResult {
  try {
    return run();
  } catch (error) {
    if (error instanceof RolledBack) return { ok: false, reason: error.reason };
    throw error;
  }
}

/**
 * The Steward MCP tools, for one agent key (its person and limits). Each call first checks the key
 * is still live and within its rate limit. `fetch` and `ask` are tasks: quoted, decided by the
 * person's rules narrowed by the key, approved (by policy, or by the person through elicitation or the
 * dashboard) and paid by domain/spending; this module only asks, waits and reports.
 */
import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CatalogService } from '../../shared/catalog';
import type { ServiceReputation } from '../../shared/reputation';
import { MSAT_PER_SAT, msatToSatCeil } from '../../shared/money';
import { quoteStepFor } from '../agent/tasks/task-runner';
import { serviceAllowed, type AgentPrincipal } from '../domain/agent-keys';
import { askThePerson } from './approval-flow';
import type { McpDeps, McpOptions } from './deps';
import type { KeyRateLimit } from './rate-limit';
import { agentReceipt, toolError, toolResult } from './results';
import { finishedAnswer, pendingAnswer } from './task-answers';
import { isFinished, isWaitingForApproval, untilSettled } from './task-wait';

export interface ToolContext {
  server: McpServer;
  deps: McpDeps;
  principal: AgentPrincipal;
  options: McpOptions;
  rateLimit: KeyRateLimit;
}

const callInput = {
  service: z.string().min(1).max(300).optional().describe('A catalog service id from list_services, e.g. "market/joke".'),
  url: z.url({ protocol: /^https?$/ }).max(2000).optional().describe("A catalogued service's URL; its query string becomes the input."),
  input: z.record(z.string(), z.union([z.string().max(5000), z.number(), z.boolean()])).optional().describe("The service's input (see its inputSchema)."),
};
type CallInput = { service?: string | undefined; url?: string | undefined; input?: Record<string, string | number | boolean> | undefined };

/** Refuses a call from a key that is no longer live, or over its rate limit; null lets it go ahead. */
function refuseCall(ctx: ToolContext): CallToolResult | null {
  const key = ctx.deps.agentKeys.get(ctx.principal.userId, ctx.principal.keyId);
  if (!key || key.status === 'revoked') return toolError('key_revoked');
  if (key.status === 'expired') return toolError('key_expired');
  if (!ctx.rateLimit.take(ctx.principal.keyId)) return toolError('rate_limited');
  return null;
}

function keyAllows(ctx: ToolContext, service: CatalogService): boolean {
  const key = ctx.deps.agentKeys.get(ctx.principal.userId, ctx.principal.keyId);
  return key !== null && serviceAllowed({ allowed: key.allowed.length === 0 ? null : key.allowed }, { serviceId: service.id, origin: service.origin });
}

/** The catalog service and input a call names (by id, or by URL with its query as input). */
function resolveCall(ctx: ToolContext, call: CallInput): { ok: true; service: CatalogService; input: Record<string, unknown> } | { ok: false; result: CallToolResult } {
  const services = ctx.deps.catalog.servicesFor(ctx.principal.userId);
  const url = call.url ? new URL(call.url) : null;
  const service = call.service ? services.find((s) => s.id === call.service) : url ? services.find((s) => s.origin === url.origin && s.path === url.pathname) : undefined;
  if (!service) return { ok: false, result: toolError('service_not_found') };
  if (!keyAllows(ctx, service)) return { ok: false, result: toolError('key_service_not_allowed') };
  const input = { ...(url ? Object.fromEntries(url.searchParams) : {}), ...(call.input ?? {}) };
  return { ok: true, service, input };
}

/** Waits for the task; asks the person when it stops for an approval; answers with what happened. */
async function taskOutcome(ctx: ToolContext, taskId: string, requestId: string | number): Promise<CallToolResult> {
  const { deps, principal, options } = ctx;
  let task = await untilSettled(deps, principal.userId, taskId, options.taskWaitMs);
  // A drift re-approval may ask once more after the first answer; each is asked the same way.
  for (let asks = 0; isWaitingForApproval(task) && asks < 2; asks++) {
    const asked = await askThePerson(ctx.server.server, deps, principal, task.approvalId ?? '', requestId, options);
    if (asked.kind === 'pending') return pendingAnswer(deps, task, asked.approval);
    task = await untilSettled(deps, principal.userId, taskId, options.taskWaitMs, (t) => isFinished(t) || (isWaitingForApproval(t) && t.approvalId !== asked.approval.id));
  }
  if (isFinished(task)) return finishedAnswer(deps, principal, task);
  const approval = task.approvalId ? deps.approvals.get(principal.userId, task.approvalId) : null;
  if (approval?.status === 'pending') return pendingAnswer(deps, task, approval);
  return toolResult({ status: 'running', taskId: task.id, approvalId: task.approvalId, next: 'Still running: call approval_status with this approvalId (waitSeconds up to 60) for the result.' });
}

/** One catalog entry as list_services shows it: what to call, its price, and how its provider has behaved lately. */
function listedService(s: CatalogService, reputation: ServiceReputation) {
  return {
    id: s.id,
    name: s.name,
    provider: s.providerName,
    description: s.description,
    url: `${s.origin}${s.path}`,
    method: s.method,
    inputSchema: s.inputSchema,
    advertisedPriceSats: s.advertisedPriceMsat === undefined ? null : msatToSatCeil(s.advertisedPriceMsat),
    reputationLast30Days: {
      paidCalls: reputation.paidCalls,
      nonDeliveryPercent: reputation.nonDeliveryBps / 100,
      disputesOpened: reputation.disputesOpened,
      refunds: reputation.refunds,
      refundedSats: msatToSatCeil(reputation.refundedMsat),
    },
  };
}

function registerCatalogTools(ctx: ToolContext): void {
  const { server, deps, principal } = ctx;
  server.registerTool(
    'list_services',
    {
      title: 'List services',
      description:
        "The paid L402 services this agent key may use, with their inputs, advertised prices (sats) and each provider's record over the last 30 days (paid calls, share not delivered, disputes, refunds). Free to call.",
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const services = deps.catalog.servicesFor(principal.userId).filter((service) => keyAllows(ctx, service));
      const reputations = deps.reputation.forServices(services);
      return toolResult(services.map((s, i) => listedService(s, reputations[i]!)));
    },
  );

  server.registerTool(
    'quote',
    {
      title: 'Quote a call',
      description: "Prices one call without paying (a catalog service id or its URL, plus input): the price range in sats and USD, and the decision this key would get (auto, confirm, step_up, overage_required or deny, with why).",
      inputSchema: callInput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (call) => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const resolved = resolveCall(ctx, call);
      if (!resolved.ok) return resolved.result;
      const step = quoteStepFor({ id: 's1', serviceId: resolved.service.id, input: resolved.input, reason: 'quote' }, resolved.service, [], () => undefined);
      const quoted = await deps.quotes.quotePlan({ userId: principal.userId, taskId: `mcp-quote:${randomUUID()}`, steps: [step] });
      if (!quoted.ok) return toolError('invalid_input', quoted.message);
      const decision = deps.approvals.preview({ userId: principal.userId, quote: quoted.quote, agentKeyId: principal.keyId });
      const { quote } = quoted;
      return toolResult({
        serviceId: resolved.service.id,
        priceSatsMin: msatToSatCeil(quote.totalMsatMin),
        priceSatsMax: msatToSatCeil(quote.totalMsatMax),
        usdCentsMin: quote.totalUsdCentsMin,
        usdCentsMax: quote.totalUsdCentsMax,
        expiresAt: new Date(quote.expiresAt).toISOString(),
        decision: { kind: decision.kind, why: decision.why, ...(decision.kind === 'deny' ? { reason: decision.reason } : {}) },
      });
    },
  );
}

function registerSpendTools(ctx: ToolContext): void {
  const { server, deps, principal } = ctx;
  server.registerTool(
    'fetch',
    {
      title: 'Fetch (paid)',
      description:
        "Calls one paid L402 service and returns its answer with the receipt. Steward pays within this key's caps and the person's budget and tiers; a spend that needs the person is asked through your client (elicitation) or answered as pending with an approvalId (see approval_status). Refusals are named (over_key_call_cap, over_key_monthly_cap, over_budget, key_service_not_allowed, key_revoked, approval_denied, approval_expired).",
      inputSchema: callInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (call, extra) => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const resolved = resolveCall(ctx, call);
      if (!resolved.ok) return resolved.result;
      const task = deps.tasks.submitPlanned(principal.userId, {
        request: `${resolved.service.name} (${resolved.service.providerName}), asked by agent "${principal.name}"`,
        steps: [{ id: 's1', serviceId: resolved.service.id, input: resolved.input, reason: `Agent "${principal.name}" called ${resolved.service.id}.` }],
        agentKeyId: principal.keyId,
      });
      return taskOutcome(ctx, task.id, extra.requestId);
    },
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask (planned and paid)',
      description: "A request in plain words (\"BTC price and a joke about fees\"): Steward's planner picks the services, then quotes, asks and pays exactly as fetch does, and returns the answer with receipts.",
      inputSchema: { request: z.string().trim().min(1).max(2000).describe('What you want, in plain words.') },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async ({ request }, extra) => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const submitted = deps.tasks.submit(principal.userId, request, { agentKeyId: principal.keyId });
      if (!submitted.ok) return toolError('invalid_input');
      return taskOutcome(ctx, submitted.task.id, extra.requestId);
    },
  );

  server.registerTool(
    'approval_status',
    {
      title: 'Approval status',
      description: 'The state of an approval this key asked for (pending, approved, denied, expired, cancelled); once approved and paid, the result with its receipt. waitSeconds waits (bounded) for a change.',
      inputSchema: { approvalId: z.string().min(1).max(100), waitSeconds: z.number().int().min(0).max(60).default(0) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ approvalId, waitSeconds }) => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const approval = deps.approvals.get(principal.userId, approvalId);
      if (!approval || approval.agentKeyId !== principal.keyId) return toolError('not_found');
      const task = await untilSettled(deps, principal.userId, approval.taskId, waitSeconds * 1000, (t) => isFinished(t) || (isWaitingForApproval(t) && t.approvalId !== approvalId));
      if (isFinished(task)) return finishedAnswer(deps, principal, task);
      const current = deps.approvals.get(principal.userId, task.approvalId ?? approvalId) ?? approval;
      return current.status === 'pending' ? pendingAnswer(deps, task, current) : toolResult({ status: current.status, approvalId: current.id, taskId: task.id, taskStatus: task.status });
    },
  );
}

/** The person's month and this key's own caps and spend (msat where a figure may have a fraction of a sat). */
async function budgetAnswer(ctx: ToolContext): Promise<CallToolResult> {
  const { deps, principal } = ctx;
  const rate = await deps.rates.current();
  const { period, summary } = deps.governance.status(principal.userId, deps.timeZoneOf(principal.userId), rate);
  const key = deps.agentKeys.get(principal.userId, principal.keyId);
  return toolResult({
    periodKey: period.periodKey,
    periodEndsAt: period.endsAt.toISOString(),
    budget: summary,
    key: key && {
      name: key.name,
      monthlyCapSats: key.monthlyCapMsat / MSAT_PER_SAT,
      perCallCapSats: key.perCallCapMsat / MSAT_PER_SAT,
      spentThisMonthMsat: key.spentThisMonthMsat,
      mayAutoSpend: key.mayAutoSpend,
      allowed: key.allowed,
      expiresAt: key.expiresAtMs === null ? null : new Date(key.expiresAtMs).toISOString(),
    },
  });
}

function registerAccountTools(ctx: ToolContext): void {
  const { server, deps, principal } = ctx;
  server.registerTool(
    'get_budget',
    {
      title: 'Budget',
      description: "The person's monthly budget and what is used, and this key's own caps and spend this month (sats).",
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => refuseCall(ctx) ?? (await budgetAnswer(ctx)),
  );

  server.registerTool(
    'get_balance',
    { title: 'Balance', description: "The person's spending balance (available, held by payments in flight, total).", inputSchema: {}, annotations: { readOnlyHint: true, openWorldHint: false } },
    async () => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const { availableMsat, heldMsat, totalMsat, availableUsdCents, totalUsdCents } = await deps.wallet.summary(principal.userId);
      return toolResult({ availableMsat, heldMsat, totalMsat, availableUsdCents, totalUsdCents });
    },
  );

  server.registerTool(
    'list_receipts',
    {
      title: 'Receipts',
      description: "Receipts of the purchases made through this key, newest first, with their evidence (payment hash, invoice, response hash). Secrets are never included.",
      inputSchema: { limit: z.number().int().min(1).max(50).default(20) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ limit }) => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const receipts = deps.agentKeys.paymentIds(principal.userId, principal.keyId, limit).flatMap((id) => {
        const receipt = deps.receipts.get(principal.userId, id);
        return receipt ? [agentReceipt(receipt)] : [];
      });
      return toolResult({ receipts });
    },
  );

  server.registerTool(
    'dispute',
    {
      title: 'Dispute a purchase',
      description:
        "Disputes a paid step of a task this key ran (the answer was wrong, empty or not delivered). A real dispute opens with the payment's evidence: non-delivery by a provider the operator lists is refunded to the person's wallet automatically, anything else goes to an operator's review.",
      inputSchema: { taskId: z.string().min(1).max(100), stepId: z.string().min(1).max(100), complaint: z.string().trim().min(1).max(2000) },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ taskId, stepId, complaint }) => {
      const refused = refuseCall(ctx);
      if (refused) return refused;
      const task = deps.tasks.get(principal.userId, taskId);
      if (!task || task.agentKeyId !== principal.keyId) return toolError('not_found');
      const judged = deps.tasks.judgeStep(principal.userId, { taskId, stepId, verdict: 'dispute', complaint, openedBy: 'agent' });
      if (!judged.ok) return disputeRefused(judged.reason);
      return toolResult({ status: 'disputed', taskId, stepId, disputeId: judged.dispute?.id ?? null, disputeStatus: judged.dispute?.status ?? null });
    },
  );
}

function disputeRefused(reason: 'task_not_found' | 'step_not_found' | 'step_not_paid' | 'already_disputed' | 'dispute_limit_reached') {
  switch (reason) {
    case 'step_not_paid':
      return toolError('not_found', 'That step was not paid.');
    case 'already_disputed':
    case 'dispute_limit_reached':
      return toolError(reason);
    default:
      return toolError('not_found');
  }
}

export function registerStewardTools(ctx: ToolContext): void {
  registerCatalogTools(ctx);
  registerSpendTools(ctx);
  registerAccountTools(ctx);
}

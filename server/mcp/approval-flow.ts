/**
 * Asking the person inside the agent's client, failing closed (MCP elicitation):
 *
 *   confirm                  -> form mode: approve / deny with the quote, when the client supports it;
 *   step_up, overage_required -> URL mode: the person opens Steward's own approval page and gives their
 *                               code there (the specification forbids collecting credentials in a form);
 *                               the call then waits a bounded time for the answer;
 *   anything else, or a client without that mode, or no answer in time -> "pending": the approval's id
 *                               and its link; it is on the dashboard too, and approval_status reads it.
 *
 * Nothing here approves because a client lacks a capability: only the person's own answer does.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { msatToSatCeil } from '../../shared/money';
import type { Approval } from '../domain/approvals';
import type { AgentPrincipal } from '../domain/agent-keys';
import type { McpDeps, McpOptions } from './deps';

export type AskOutcome = { kind: 'answered'; approval: Approval } | { kind: 'pending'; approval: Approval };

export function approvalUrl(deps: Pick<McpDeps, 'publicOrigin'>, approvalId: string): string {
  return `${deps.publicOrigin}/approvals?approval=${encodeURIComponent(approvalId)}`;
}

const APPROVE_SCHEMA = {
  type: 'object' as const,
  properties: { decision: { type: 'string' as const, title: 'Your answer', enum: ['approve', 'deny'], enumNames: ['Approve', 'Deny'] } },
  required: ['decision'],
};

function promptFor(approval: Approval, principal: AgentPrincipal): string {
  return `Agent "${principal.name}" asks to spend at most ${msatToSatCeil(approval.maxMsat)} sats. ${approval.why}`;
}

/** Form mode: the person's click approves or denies; declining the form denies; cancelling leaves it pending. */
async function askByForm(server: Server, deps: McpDeps, principal: AgentPrincipal, approval: Approval, relatedRequestId: string | number): Promise<AskOutcome> {
  const answer = await server.elicitInput({ mode: 'form', message: promptFor(approval, principal), requestedSchema: APPROVE_SCHEMA }, { relatedRequestId });
  if (answer.action === 'cancel') return { kind: 'pending', approval };
  const approve = answer.action === 'accept' && answer.content?.decision === 'approve';
  const result = approve ? deps.approvals.approve({ userId: principal.userId, approvalId: approval.id }) : deps.approvals.deny({ userId: principal.userId, approvalId: approval.id });
  const now = deps.approvals.get(principal.userId, approval.id) ?? approval;
  return result.ok || now.status !== 'pending' ? { kind: 'answered', approval: now } : { kind: 'pending', approval: now };
}

/** URL mode: Steward's approval page takes the code; this waits (bounded) for the person's answer. */
async function askByUrl(server: Server, deps: McpDeps, principal: AgentPrincipal, approval: Approval, relatedRequestId: string | number, options: McpOptions): Promise<AskOutcome> {
  const elicitationId = randomUUID();
  const answer = await server.elicitInput(
    { mode: 'url', elicitationId, url: approvalUrl(deps, approval.id), message: `${promptFor(approval, principal)} Approve it on Steward's page with your authenticator code.` },
    { relatedRequestId },
  );
  if (answer.action !== 'accept') return { kind: 'pending', approval };
  const resolved = await deps.approvals.waitForResolution(approval.id, AbortSignal.timeout(options.approvalWaitMs)).catch(() => null);
  if (!resolved) return { kind: 'pending', approval };
  await server.createElicitationCompletionNotifier(elicitationId, { relatedRequestId })();
  return { kind: 'answered', approval: resolved };
}

export async function askThePerson(
  server: Server,
  deps: McpDeps,
  principal: AgentPrincipal,
  approvalId: string,
  relatedRequestId: string | number,
  options: McpOptions,
): Promise<AskOutcome> {
  const approval = deps.approvals.get(principal.userId, approvalId);
  if (!approval) throw new Error(`approval ${approvalId} of a running task vanished`);
  if (approval.status !== 'pending') return { kind: 'answered', approval };
  const elicitation = server.getClientCapabilities()?.elicitation;
  if (approval.decisionKind === 'confirm' && elicitation?.form) return askByForm(server, deps, principal, approval, relatedRequestId);
  if ((approval.decisionKind === 'step_up' || approval.decisionKind === 'overage_required') && elicitation?.url) {
    return askByUrl(server, deps, principal, approval, relatedRequestId, options);
  }
  return { kind: 'pending', approval };
}

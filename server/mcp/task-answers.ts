/**
 * A task's state as a tool's answer: what was bought (each step's output with its receipt), a named
 * refusal, or "pending" with the approval's id and its link. Shared by fetch, ask and approval_status.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { TaskView } from '../agent/tasks/task-runner';
import { msatToSatCeil } from '../../shared/money';
import type { Approval } from '../domain/approvals';
import type { AgentPrincipal } from '../domain/agent-keys';
import { approvalUrl } from './approval-flow';
import type { McpDeps } from './deps';
import { agentReceipt, refusalForTaskFailure, toolError, toolResult } from './results';

export function pendingAnswer(deps: McpDeps, task: TaskView, approval: Approval): CallToolResult {
  return toolResult({
    status: 'pending_approval',
    approvalId: approval.id,
    approvalUrl: approvalUrl(deps, approval.id),
    taskId: task.id,
    decision: approval.decisionKind,
    why: approval.why,
    maxSats: msatToSatCeil(approval.maxMsat),
    expiresAt: new Date(approval.expiresAt).toISOString(),
    next: 'The person can answer on their Steward dashboard; call approval_status with this approvalId to learn the result.',
  });
}

export function finishedAnswer(deps: McpDeps, principal: AgentPrincipal, task: TaskView): CallToolResult {
  if (task.status === 'completed') {
    return toolResult({
      status: 'completed',
      taskId: task.id,
      spentMsat: task.spentMsat,
      answer: task.answer,
      results: task.steps.map((step) => {
        const receipt = step.paymentId === null ? null : deps.receipts.get(principal.userId, step.paymentId);
        return { stepId: step.stepId, serviceId: step.serviceId, output: step.output, receipt: receipt && agentReceipt(receipt) };
      }),
    });
  }
  if (task.status === 'cancelled') {
    const key = deps.agentKeys.get(principal.userId, principal.keyId);
    return toolError(key?.status === 'revoked' ? 'key_revoked' : 'approval_cancelled');
  }
  const failure = task.failure ?? { reason: 'spend_failed', message: '' };
  return toolError(refusalForTaskFailure(failure.reason), failure.message);
}

/**
 * What MCP tools answer: a JSON text result, or an MCP tool error (`isError: true`) carrying a named
 * reason and a sentence an agent (or the person behind it) can act on. Secrets never leave: receipts
 * lose the preimage (with the macaroon, kept in the vault, it is a bearer credential).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Receipt } from '../domain/payments';

/** Every reason a tool refuses with; the agent branches on these names. */
export const MCP_REFUSALS = {
  key_revoked: 'This agent key was revoked; ask the person for a new one.',
  key_expired: 'This agent key has expired; ask the person for a new one.',
  key_service_not_allowed: 'This agent key may not pay this service.',
  over_key_call_cap: "The price is above this agent key's per-call cap.",
  over_key_monthly_cap: "This would take the agent key past its monthly cap.",
  over_budget: "This would take the person past their monthly budget.",
  service_blocked: 'The person blocked this service.',
  provider_blocked: 'The person blocked this provider; nothing is quoted or paid to it. Use another service.',
  service_paused: 'This service is paused for everyone (too many paid calls not delivered) until an operator resumes it.',
  exceeds_task_cap: "The price is above the person's per-task cap.",
  exceeds_service_cap: "This would pass the person's monthly cap for this service.",
  account_in_debt: "A refunded or disputed top-up left the person's balance owing; nothing is spent until it is repaid.",
  approval_denied: 'The person declined this spend; nothing was paid.',
  approval_expired: 'The approval expired before it was given; nothing was paid.',
  approval_cancelled: 'The approval was cancelled; nothing was paid.',
  service_not_found: 'No such service in the catalog this key can use; call list_services.',
  not_found: 'Nothing with that id belongs to this key.',
  rate_limited: 'Too many calls with this agent key; wait a little.',
  invalid_input: 'The input does not fit the service.',
  spend_failed: 'The purchase did not complete.',
  already_disputed: 'That step is already disputed.',
  dispute_limit_reached: "The person's monthly dispute limit is reached; non-delivery by a provider the operator configured is still refunded automatically.",
} as const;
export type McpRefusal = keyof typeof MCP_REFUSALS;

export function toolResult(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }] };
}

export function toolError(reason: McpRefusal, detail?: string): CallToolResult {
  const message = detail ? `${MCP_REFUSALS[reason]} ${detail}` : MCP_REFUSALS[reason];
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: reason, message }) }] };
}

/** A receipt as an agent may see it: the evidence without the preimage. */
export function agentReceipt(receipt: Receipt) {
  const { preimageHex: _secret, ...evidence } = receipt.evidence;
  return { ...receipt, evidence: { ...evidence, proofOfPayment: receipt.evidence.preimageHex !== null } };
}

/** A task's failure reason as the tool's refusal: the key's and the person's limits keep their names. */
export function refusalForTaskFailure(reason: string): McpRefusal {
  if (reason === 'exceeds_monthly_budget') return 'over_budget';
  return reason in MCP_REFUSALS ? (reason as McpRefusal) : 'spend_failed';
}

/**
 * Issuing an agent key as a person asks for one: with a fresh proof (the authenticator code when 2FA
 * is on, the password when it is off). A key is a credential that outlives the session that made it:
 * "sign out everywhere" and a new password end sessions, not keys. Without the proof, someone holding
 * a stolen session could make a key and keep spending through it after the person has done both.
 */
import type { z } from 'zod';
import type { AgentKeyView, createAgentKeyInputSchema } from '../../../shared/agent-keys';
import type { RequestMeta } from '../accounts';
import { proveFresh, type ProofDeps, type ProofRefusal } from '../wallet/wallet-proof';
import type { AgentKeys } from './agent-keys-service';

export type IssueKeyRefusal = 'agent_key_code_required' | 'agent_key_password_required' | Exclude<ProofRefusal, 'wallet_code_required' | 'wallet_password_required'>;

export type IssueKeyResult = { ok: true; key: AgentKeyView; secret: string } | { ok: false; reason: IssueKeyRefusal; retryAt?: string };

export type IssueKeyInput = z.output<typeof createAgentKeyInputSchema>;

export interface IssueKeyDeps {
  proof: ProofDeps;
  agentKeys: Pick<AgentKeys, 'create'>;
}

function proofRefusal(reason: ProofRefusal): IssueKeyRefusal {
  if (reason === 'wallet_code_required') return 'agent_key_code_required';
  if (reason === 'wallet_password_required') return 'agent_key_password_required';
  return reason;
}

export async function issueAgentKey(deps: IssueKeyDeps, userId: string, input: IssueKeyInput, meta: RequestMeta): Promise<IssueKeyResult> {
  const { code, password, ...key } = input;
  const proved = await proveFresh(deps.proof, { userId, code, password }, { kind: 'create_agent_key', id: userId }, meta);
  if (!proved.ok) return { ok: false, reason: proofRefusal(proved.reason), ...(proved.retryAt ? { retryAt: proved.retryAt } : {}) };
  return { ok: true, ...deps.agentKeys.create(userId, key) };
}

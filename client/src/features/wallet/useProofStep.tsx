import type { UseMutationResult } from '@tanstack/react-query';
import { useState } from 'react';
import { GuardProofDialog } from '../../components/GuardProofDialog';
import { apiProblem } from '../../lib/api-error';

type Proof = { code?: string; password?: string };
/** The server asks for the proof only once everything else about the request checked out. */
const PROOF_REFUSALS: Record<string, 'code' | 'password'> = {
  wallet_code_required: 'code',
  wallet_password_required: 'password',
  agent_key_code_required: 'code',
  agent_key_password_required: 'password',
};

export interface ProofWording {
  title: string;
  explanation: string;
  submit: string;
}

/**
 * Sends a request that needs a fresh proof (withdraw, change of wallet, a new agent key): first without one, so the
 * person learns at once when the request itself is refused (a wrong network, an expired invoice);
 * when the server answers that it needs the code (2FA on) or the password, the dialog asks for it
 * and the same request goes again with it.
 */
export function useProofStep<D, I extends object>(mutation: UseMutationResult<D, unknown, I & Proof>, wording: ProofWording, describe: (input: I) => string) {
  const [asked, setAsked] = useState<{ input: I; proof: 'code' | 'password' } | null>(null);

  function submit(input: I) {
    mutation.mutate(input, {
      onError: (error) => {
        const proof = PROOF_REFUSALS[apiProblem(error)?.reason ?? ''];
        if (proof) setAsked({ input, proof });
      },
    });
  }

  const dialog = asked && (
    <GuardProofDialog
      proof={asked.proof}
      reasons={[describe(asked.input)]}
      wording={wording}
      pending={mutation.isPending}
      error={mutation.error}
      onSubmit={(proof) => mutation.mutate({ ...asked.input, ...proof }, { onSuccess: () => setAsked(null) })}
      onClose={() => {
        setAsked(null);
        mutation.reset();
      }}
    />
  );
  // While the dialog is open its own errors are shown there; "needs a proof" is never an error.
  const problem = asked || PROOF_REFUSALS[apiProblem(mutation.error)?.reason ?? ''] ? null : apiProblem(mutation.error);
  return { submit, dialog, problem };
}

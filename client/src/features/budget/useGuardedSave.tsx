import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { GovernanceSettings } from '../../../../shared/governance';
import { proofNeeded } from '../../../../shared/loosening';
import { GuardProofDialog } from '../../components/GuardProofDialog';
import { apiProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** The server's answer when the form's idea of the saved settings was stale and the change loosens after all. */
const PROOF_REFUSALS: Record<string, 'code' | 'password'> = { step_up_required: 'code', password_required: 'password' };

/** A change waiting for its proof: what to save, which proof, and why it loosens the guard. */
interface PendingProof {
  settings: GovernanceSettings;
  proof: 'code' | 'password';
  reasons: string[];
}

/**
 * Saving budget settings with the proof a loosening change needs (shared/loosening.ts): a change that
 * only tightens is saved at once; one that loosens opens the dialog for the code (2FA on) or the
 * password (2FA off); without 2FA, a tier above the code-guarded amount is not sent at all
 * (`tierNeedsTwoFactor`). `saved` is the settings as the server last returned them.
 */
export function useGuardedSave(saved: GovernanceSettings, onSaved: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const twoFactor = useQuery(trpc.security.twoFactorStatus.queryOptions());
  const twoFactorOn = twoFactor.data?.enabled ?? false;
  const [pendingProof, setPendingProof] = useState<PendingProof | null>(null);
  const [tierNeedsTwoFactor, setTierNeedsTwoFactor] = useState(false);
  const save = useMutation(
    trpc.budget.saveSettings.mutationOptions({
      onSuccess: async () => {
        setPendingProof(null);
        onSaved();
        await queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
        // The change is audited: Security lists it.
        await queryClient.invalidateQueries({ queryKey: trpc.security.auditLog.pathKey() });
      },
    }),
  );

  /** The saved settings changed elsewhere and this change loosens them after all: ask for the proof now. */
  function askForProofAfter(error: unknown, settings: GovernanceSettings) {
    const problem = apiProblem(error);
    const proof = PROOF_REFUSALS[problem?.reason ?? ''];
    if (proof) setPendingProof({ settings, proof, reasons: [problem?.message ?? ''] });
  }

  function request(settings: GovernanceSettings) {
    const needed = proofNeeded(saved, settings, twoFactorOn);
    setTierNeedsTwoFactor(needed.kind === 'two_factor_for_tier');
    if (needed.kind === 'two_factor_for_tier') return;
    if (needed.kind === 'none') {
      save.mutate({ settings }, { onError: (error) => askForProofAfter(error, settings) });
      return;
    }
    save.reset();
    setPendingProof({ settings, proof: needed.kind, reasons: needed.loosenings.map((l) => l.why) });
  }

  const dialog = pendingProof && (
    <GuardProofDialog
      proof={pendingProof.proof}
      reasons={pendingProof.reasons}
      pending={save.isPending}
      error={save.error}
      onSubmit={(proof) => save.mutate({ settings: pendingProof.settings, ...proof })}
      onClose={() => {
        setPendingProof(null);
        save.reset();
      }}
    />
  );
  // While the dialog is open, its own errors are shown there, not on the form.
  const problem = pendingProof ? null : apiProblem(save.error);
  return { request, dialog, problem, pending: save.isPending, twoFactorOn, tierNeedsTwoFactor };
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { INVALID_TIME_ZONE, isValidTimeZone } from '../../../../shared/accounts';
import { timeZoneProofNeeded } from '../../../../shared/loosening';
import { Field, FormError } from '../../components/Field';
import { GuardProofDialog } from '../../components/GuardProofDialog';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { useSession } from '../auth/useSession';

/**
 * The time zone the budget month is counted in. A new zone moves when the month starts and ends, so
 * it takes the same proof as loosening the guard (timeZoneProofNeeded in shared/loosening.ts): the
 * authenticator code with 2FA, the password without. The server checks it; this only asks for it.
 */
export function TimeZoneSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user } = useSession();
  const twoFactor = useQuery(trpc.security.twoFactorStatus.queryOptions());
  const [zone, setZone] = useState<string | null>(null);
  const [proof, setProof] = useState<{ kind: 'code' | 'password'; reasons: string[] } | null>(null);
  const [saved, setSaved] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const datalistId = useId();
  const save = useMutation(
    trpc.account.updatePreferences.mutationOptions({
      onSuccess: async () => {
        setProof(null);
        setZone(null);
        setSaved(true);
        await queryClient.invalidateQueries({ queryKey: trpc.auth.pathKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
        // The change is audited: Security lists it.
        await queryClient.invalidateQueries({ queryKey: trpc.security.auditLog.pathKey() });
      },
    }),
  );
  if (!user) return null;
  const chosen = zone ?? user.timeZone;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!user) return;
    // Checked here too, so the proof is not asked for a zone the server would refuse anyway.
    setInvalid(!isValidTimeZone(chosen));
    if (!isValidTimeZone(chosen)) return;
    const needed = timeZoneProofNeeded(user.timeZone, chosen, twoFactor.data?.enabled ?? false);
    save.reset();
    if (needed.kind !== 'none') setProof({ kind: needed.kind, reasons: needed.loosenings.map((l) => l.why) });
  }

  // While the dialog is open, its own errors are shown there.
  const problem = proof ? null : apiProblem(save.error);
  return (
    <section className="card section" aria-labelledby="time-zone-title">
      <h2 id="time-zone-title">Time zone</h2>
      <form className="form" onSubmit={submit} noValidate aria-label="Time zone">
        <Field
          label="Your time zone"
          hint="Your monthly budget starts at midnight on the 1st in this zone. Changing it needs your authenticator code (or your password without two-factor)."
          list={datalistId}
          data-testid="time-zone"
          value={chosen}
          onChange={(e) => {
            setSaved(false);
            setInvalid(false);
            setZone(e.target.value);
          }}
          error={invalid ? INVALID_TIME_ZONE : problem?.fieldErrors.timeZone}
        />
        <datalist id={datalistId}>
          {Intl.supportedValuesOf('timeZone').map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <FormError message={problem && !problem.fieldErrors.timeZone ? describeProblem(problem) : null} />
        <div className="button-row">
          <button className="button primary" type="submit" disabled={save.isPending || chosen === user.timeZone}>
            Change time zone
          </button>
          {saved && (
            <p className="saved" role="status">
              Saved.
            </p>
          )}
        </div>
      </form>
      {proof && (
        <GuardProofDialog
          proof={proof.kind}
          reasons={proof.reasons}
          pending={save.isPending}
          error={save.error}
          onSubmit={(given) => save.mutate({ timeZone: chosen, displayCurrency: user.displayCurrency, ...given })}
          onClose={() => {
            setProof(null);
            save.reset();
          }}
        />
      )}
    </section>
  );
}

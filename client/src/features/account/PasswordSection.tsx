import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PASSWORD_MIN_LENGTH } from '../../../../shared/accounts';
import { Field, FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** Change password: the current one first; every other session ends, this one stays. */
export function PasswordSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent('');
        setNext('');
        setRepeat('');
        void queryClient.invalidateQueries({ queryKey: trpc.security.pathKey() });
      },
    }),
  );
  const problem = apiProblem(change.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    change.mutate({ currentPassword: current, newPassword: next });
  }

  return (
    <section className="card section" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <p className="muted">Changing it signs you out everywhere else: other browsers and devices must sign in with the new one.</p>
      <form onSubmit={submit} className="form inline-form" data-testid="change-password" noValidate>
        <Field label="Current password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required error={problem?.fieldErrors.currentPassword} />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          required
          hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
          error={problem?.fieldErrors.newPassword}
        />
        <Field label="New password again" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required error={mismatch ? 'The two new passwords differ. Type the same one twice.' : undefined} />
        <FormError message={problem && Object.keys(problem.fieldErrors).length === 0 ? describeProblem(problem) : null} />
        {change.data && (
          <p className="saved" role="status" data-testid="password-changed">
            Password changed. {change.data.otherSessionsEnded === 1 ? '1 other session was' : `${change.data.otherSessionsEnded} other sessions were`} signed out.
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="button primary" disabled={change.isPending}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}

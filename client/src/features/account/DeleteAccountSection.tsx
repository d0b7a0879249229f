import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { formatSats, msat } from '../../../../shared/money';
import { Field, FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { signedOut } from '../auth/useSession';

/**
 * Delete my account: money first (withdraw it, or leave it behind by an explicit choice), then a
 * fresh proof (the authenticator code with 2FA on, else the password). Every session ends.
 */
export function DeleteAccountSection() {
  const trpc = useTRPC();
  const standing = useQuery(trpc.account.deletionStanding.queryOptions());
  const [open, setOpen] = useState(false);
  const [proof, setProof] = useState('');
  const [forfeit, setForfeit] = useState(false);
  const remove = useMutation(trpc.account.deleteAccount.mutationOptions({ onSuccess: signedOut }));
  const problem = apiProblem(remove.error);
  const data = standing.data;
  const holdsMoney = (data?.availableMsat ?? 0) > 0;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!data) return;
    const given = data.proof === 'code' ? { code: proof } : { password: proof };
    remove.mutate({ ...given, forfeitBalance: forfeit });
  }

  return (
    <section className="card section" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p className="muted">
        This signs you out everywhere, revokes your agent keys and removes your email, password, second factor, wallet connection, alerts and what you asked
        the agent. The record of payments, refunds and top-ups is kept without your name, because the books must still add up.
      </p>
      {!open ? (
        <div className="button-row">
          <button type="button" className="button danger" onClick={() => setOpen(true)} data-testid="delete-account-open">
            Delete my account…
          </button>
        </div>
      ) : (
        <form className="form inline-form" onSubmit={submit} noValidate data-testid="delete-account">
          {data?.moneyMoving && <p className="form-error">Money is still on its way (a payment, a withdrawal, a dispute's refund or a top-up). Wait for it to finish first.</p>}
          {holdsMoney && data && (
            <div className="recovery">
              <p>
                Your spending wallet holds <strong>{formatSats(msat(data.availableMsat))}</strong>. <Link to="/wallet">Withdraw it first</Link>, or leave it
                behind: it then stays with Steward's operator and cannot be recovered.
              </p>
              <label className="checkbox">
                <input type="checkbox" checked={forfeit} onChange={(e) => setForfeit(e.target.checked)} data-testid="forfeit-balance" /> Leave{' '}
                {formatSats(msat(data.availableMsat))} behind
              </label>
            </div>
          )}
          {data?.proof === 'code' ? (
            <Field label="Authenticator code" inputMode="numeric" autoComplete="one-time-code" value={proof} onChange={(e) => setProof(e.target.value)} error={problem?.fieldErrors.code} />
          ) : (
            <Field label="Password" type="password" autoComplete="current-password" value={proof} onChange={(e) => setProof(e.target.value)} error={problem?.fieldErrors.password} />
          )}
          <FormError message={problem && Object.keys(problem.fieldErrors).length === 0 ? describeProblem(problem) : null} />
          <div className="button-row">
            <button type="submit" className="button danger" disabled={remove.isPending || !data || data.moneyMoving || (holdsMoney && !forfeit)}>
              Delete my account for good
            </button>
            <button type="button" className="button subtle" onClick={() => setOpen(false)}>
              Keep my account
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

import { ShieldAlert } from 'lucide-react';
import { useId, useRef, useState, type FormEvent } from 'react';
import { apiProblem, describeProblem } from '../lib/api-error';
import { Field, FormError } from './Field';
import './governance.css';
import { useModalDialog } from '../lib/use-modal-dialog';
import { useRefocusWhenLost } from '../lib/use-refocus';

/** Refusals that are about the proof itself, shown beside its field rather than as a general error. */
const PROOF_REASONS = new Set(['wrong_password', 'invalid_code', 'code_already_used', 'locked']);
/** "This needs a proof": the reason the dialog is open, not an error to show in it. */
const ASKED_FOR = new Set(['step_up_required', 'password_required', 'wallet_code_required', 'wallet_password_required']);

/**
 * Asks for the proof a loosening change needs before it is saved: the authenticator code when 2FA is
 * on, the account password when it is off. It lists why the change loosens the guard (the sentences
 * of shared/loosening.ts); the server checks the proof, this only collects it.
 */
export function GuardProofDialog(props: {
  proof: 'code' | 'password';
  reasons: string[];
  /** For a proof that guards something else than the budget guard (a withdrawal, a change of wallet). */
  wording?: { title: string; explanation: string; submit: string };
  pending: boolean;
  error: unknown;
  onSubmit(proof: { code: string } | { password: string }): void;
  onClose(): void;
}) {
  const titleId = useId();
  const [value, setValue] = useState('');
  const { onClose } = props;
  const answer = apiProblem(props.error);
  const problem = answer && !ASKED_FOR.has(answer.reason ?? '') ? answer : null;
  const proofError =
    problem?.fieldErrors.code ?? problem?.fieldErrors.password ?? (problem && PROOF_REASONS.has(problem.reason ?? '') ? describeProblem(problem) : undefined);

  const dialogRef = useModalDialog<HTMLDivElement>(onClose);
  // A refused proof (a wrong password) puts focus back in its field, not on the page behind.
  const proofField = useRef<HTMLInputElement>(null);
  useRefocusWhenLost(proofField, props.pending);

  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit(props.proof === 'code' ? { code: value } : { password: value });
  }

  return (
    <div className="dialog-backdrop">
      <div ref={dialogRef} className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="guard-proof-dialog">
        <h2 id={titleId}>
          <ShieldAlert size={20} aria-hidden="true" /> {props.wording?.title ?? 'Confirm loosening your spending guard'}
        </h2>
        <p className="muted">
          {props.wording?.explanation ?? 'This change lets the agent spend more, or with less asking, so it needs'}{' '}
          {props.proof === 'code' ? 'a fresh code from your authenticator app' : 'your password'}: someone using your open session alone cannot make it.
        </p>
        <ul className="loosenings">
          {props.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
        <form className="form" onSubmit={submit} noValidate>
          <Field
            {...(props.proof === 'code'
              ? { label: 'Code from your authenticator app', inputMode: 'numeric' as const, autoComplete: 'one-time-code' }
              : { label: 'Your password', type: 'password', autoComplete: 'current-password' })}
            autoFocus
            ref={proofField}
            data-testid="guard-proof"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            error={proofError}
          />
          <FormError message={problem && !proofError ? describeProblem(problem) : null} />
          <div className="button-row">
            <button className="button primary" type="submit" disabled={props.pending}>
              {props.wording?.submit ?? 'Confirm and save'}
            </button>
            <button className="button" type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

import { useMutation } from '@tanstack/react-query';
import { ShieldCheck } from 'lucide-react';
import { useId, useRef, useState, type FormEvent } from 'react';
import { Field, FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import type { InboxItem } from './ApprovalsPage';
import { useModalDialog } from '../../lib/use-modal-dialog';
import { useRefocusWhenLost } from '../../lib/use-refocus';

/**
 * The second-factor dialog for large (step-up) and over-budget (overage) approvals. The server checks
 * the code; this only collects it (and, for an overage, the reason that goes into the audit log).
 */
export function ApproveDialog(props: {
  approval: InboxItem['approval'];
  amount: string;
  overage: string | null;
  onClose(): void;
  onApproved(): void;
}) {
  const trpc = useTRPC();
  const titleId = useId();
  const [code, setCode] = useState('');
  const [reason, setReason] = useState('');
  const approve = useMutation(trpc.approvals.approve.mutationOptions({ onSuccess: props.onApproved }));
  const problem = apiProblem(approve.error);
  const { onClose } = props;

  const dialogRef = useModalDialog<HTMLDivElement>(onClose);
  // A refused code puts focus back in its field for the next try, not on the page behind.
  const codeField = useRef<HTMLInputElement>(null);
  useRefocusWhenLost(codeField, approve.isPending);

  function submit(event: FormEvent) {
    event.preventDefault();
    approve.mutate({ approvalId: props.approval.id, code, ...(props.overage ? { overageReason: reason } : {}) });
  }

  const codeError = problem?.fieldErrors.code ?? (problem && ['code_invalid', 'code_required', 'code_already_used', 'locked'].includes(problem.reason ?? '') ? describeProblem(problem) : undefined);
  const reasonError = problem?.reason === 'overage_reason_required' ? problem.message : problem?.fieldErrors.overageReason;
  const otherError = problem && !codeError && !reasonError ? describeProblem(problem) : null;

  return (
    <div className="dialog-backdrop">
      <div ref={dialogRef} className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="approve-dialog">
        <h2 id={titleId}>
          <ShieldCheck size={20} aria-hidden="true" /> {props.overage ? 'Approve going over budget' : 'Confirm with your authenticator'}
        </h2>
        <p className="muted">
          You are approving up to <strong>{props.amount}</strong>.
          {props.overage && (
            <>
              {' '}
              That is <strong>{props.overage}</strong> over your monthly budget, allowed for this one request only.
            </>
          )}
        </p>
        <form className="form" onSubmit={submit} noValidate>
          {props.overage && (
            <div className={reasonError ? 'field invalid' : 'field'}>
              <label htmlFor={`${titleId}-reason`}>Why may this go over budget?</label>
              <textarea
                id={`${titleId}-reason`}
                data-testid="overage-reason"
                value={reason}
                maxLength={500}
                onChange={(e) => setReason(e.target.value)}
                aria-invalid={reasonError ? true : undefined}
                aria-describedby={reasonError ? `${titleId}-reason-error` : undefined}
              />
              {reasonError && (
                <p className="field-error" id={`${titleId}-reason-error`}>
                  {reasonError}
                </p>
              )}
            </div>
          )}
          <Field
            label="Code from your authenticator app"
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
            ref={codeField}
            data-testid="approve-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={codeError}
          />
          <FormError message={otherError} />
          <div className="button-row thumb-row">
            <button className="button primary" type="submit" disabled={approve.isPending}>
              Approve
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

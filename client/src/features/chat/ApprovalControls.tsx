import { useMutation } from '@tanstack/react-query';
import { Check, X } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { useRefocusWhenLost } from '../../lib/use-refocus';
import { TwoFactorNeeded, useTwoFactorOn } from '../approvals/TwoFactorNeeded';
import type { TaskView } from './types';

/**
 * Approve or deny the task's pending approval inline. Step-up and overage need the authenticator's
 * code; an overage also needs a reason. The task itself moves on when the server resolves it.
 */
export function ApprovalControls(props: { task: TaskView; onChanged(): void }) {
  const { task } = props;
  const trpc = useTRPC();
  const approve = useMutation(trpc.approvals.approve.mutationOptions({ onSuccess: () => props.onChanged() }));
  const deny = useMutation(trpc.approvals.deny.mutationOptions({ onSuccess: () => props.onChanged() }));
  const [code, setCode] = useState('');
  const [overageReason, setOverageReason] = useState('');
  const kind = task.decision?.kind;
  const needsCode = kind === 'step_up' || kind === 'overage_required';
  const problem = apiProblem(approve.error ?? deny.error);
  const twoFactorOn = useTwoFactorOn(needsCode);
  const busy = approve.isPending || deny.isPending;
  // The pressed button is disabled while its request runs, and loses focus: a refusal (a wrong code)
  // gives it back to where the next try starts, the code when one is asked, else Approve. Keyed on the
  // refusal itself, not on focus having fallen to the page: a refusal that comes back within a frame
  // re-enables the button before the browser moves focus off it, and focus stayed there.
  const codeInput = useRef<HTMLInputElement>(null);
  const approveButton = useRef<HTMLButtonElement>(null);
  const nextTry = needsCode ? codeInput : approveButton;
  useRefocusWhenLost(nextTry, busy);
  const refusal = approve.error ?? deny.error;
  useEffect(() => {
    if (refusal) nextTry.current?.focus();
  }, [refusal, nextTry]);
  const approvalId = task.approvalId;
  if (!approvalId) return null;
  // Without two-factor there is no code to give: say why and lead the way there and back.
  const cannotGiveCode = needsCode && (twoFactorOn === false || problem?.reason === 'two_factor_required');

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!approvalId) return;
    approve.mutate({
      approvalId,
      ...(needsCode && code ? { code } : {}),
      ...(kind === 'overage_required' && overageReason ? { overageReason } : {}),
    });
  }

  return (
    <form className="chat-approval" onSubmit={submit} aria-label="Approve this task" data-testid="approval-controls">
      {kind === 'overage_required' && !cannotGiveCode && (
        <div className="field">
          <label htmlFor={`overage-${task.id}`}>Why go over your monthly budget?</label>
          <input id={`overage-${task.id}`} value={overageReason} onChange={(e) => setOverageReason(e.target.value)} maxLength={500} />
        </div>
      )}
      {cannotGiveCode && <TwoFactorNeeded returnTo="/chat" />}
      {needsCode && !cannotGiveCode && (
        <div className="field chat-code">
          <label htmlFor={`code-${task.id}`}>Authenticator code</label>
          <input
            ref={codeInput}
            id={`code-${task.id}`}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
          />
        </div>
      )}
      <div className="button-row thumb-row">
        {!cannotGiveCode && (
          <button ref={approveButton} className="button primary thumb" type="submit" disabled={busy}>
            <Check size={16} aria-hidden="true" /> {needsCode ? 'Approve with code' : 'Approve'}
          </button>
        )}
        <button className="button danger thumb" type="button" onClick={() => deny.mutate({ approvalId })} disabled={busy}>
          <X size={16} aria-hidden="true" /> Deny
        </button>
      </div>
      <FormError message={problem && describeProblem(problem)} />
    </form>
  );
}

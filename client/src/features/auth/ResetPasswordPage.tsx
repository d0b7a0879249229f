import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { Field, FormError } from '../../components/Field';
import { PASSWORD_MIN_LENGTH } from '../../../../shared/accounts';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { AuthShell } from './AuthShell';
import { SecondFactorFieldset, type SecondFactorMode } from './SecondFactorFieldset';
import { useResetSession } from './useSession';

/** The token travels in the link's fragment (`/reset-password#<token>`), which browsers never send to a server. */
function tokenFrom(hash: string): string {
  try {
    return decodeURIComponent(hash.replace(/^#/, ''));
  } catch {
    return '';
  }
}

/** A new password through the reset link the operator gave; then the person signs in with it. */
export function ResetPasswordPage() {
  const trpc = useTRPC();
  const location = useLocation();
  const resetSession = useResetSession();
  const token = tokenFrom(location.hash);
  const inspect = useMutation(trpc.auth.inspectResetLink.mutationOptions());
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions({ onSuccess: () => resetSession() }));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [mode, setMode] = useState<SecondFactorMode>('code');
  const [code, setCode] = useState('');
  const { mutate: inspectLink } = inspect;
  useEffect(() => inspectLink({ token }), [inspectLink, token]);

  const footer = <Link to="/signin">Back to sign in</Link>;
  if (reset.isSuccess) {
    return (
      <AuthShell title="Password changed" summary="Every session of your account was signed out, on every device." footer={<Link to="/signin">Sign in</Link>}>
        <p data-testid="reset-done">Sign in with your new password.</p>
      </AuthShell>
    );
  }
  const inspectProblem = apiProblem(inspect.error);
  if (inspect.isError) {
    return (
      <AuthShell title="Reset your password" summary="This link cannot be used." footer={footer}>
        <FormError message={inspectProblem ? describeProblem(inspectProblem) : 'Steward could not check this link. Try again in a moment.'} />
      </AuthShell>
    );
  }
  const link = inspect.data;
  if (!link) {
    return (
      <AuthShell title="Reset your password" summary="Checking your link…" footer={footer}>
        <p className="muted">One moment.</p>
      </AuthShell>
    );
  }

  const problem = apiProblem(reset.error);
  const fieldErrorShown = problem ? Object.keys(problem.fieldErrors).length > 0 : false;
  function submit(event: FormEvent) {
    event.preventDefault();
    setMismatch(password !== repeat);
    if (password !== repeat) return;
    reset.mutate({
      token,
      newPassword: password,
      code: link?.twoFactorEnabled && mode === 'code' && code ? code : undefined,
      recoveryCode: link?.twoFactorEnabled && mode === 'recovery' && code ? code : undefined,
    });
  }
  return (
    <AuthShell
      title="Reset your password"
      summary={`For ${link.email}. This link works once, until ${new Date(link.expiresAtMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.`}
      footer={footer}
    >
      <form className="form" onSubmit={submit} noValidate>
        <FormError message={problem && !fieldErrorShown ? describeProblem(problem) : null} />
        <input type="email" autoComplete="username" value={link.email} readOnly hidden />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. Every session of your account will be signed out.`}
          error={problem?.fieldErrors.newPassword}
          autoFocus
        />
        <Field
          label="New password again"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={mismatch ? 'The two new passwords differ. Type the same one twice.' : undefined}
        />
        {link.twoFactorEnabled && (
          <SecondFactorFieldset
            mode={mode}
            code={code}
            onCode={setCode}
            onSwitch={(next) => {
              setMode(next);
              setCode('');
            }}
            error={problem?.fieldErrors.code ?? problem?.fieldErrors.recoveryCode}
          />
        )}
        <button className="button primary" type="submit" disabled={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </AuthShell>
  );
}

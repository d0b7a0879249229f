import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { Field, FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { afterSignIn } from '../../lib/return-path';
import { useTRPC } from '../../lib/trpc';
import { AuthShell } from './AuthShell';
import { SecondFactorFieldset, type SecondFactorMode as FactorMode } from './SecondFactorFieldset';
import { useResetSession, useSession } from './useSession';

type SecondFactorMode = 'none' | FactorMode;

export function SignInPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const location = useLocation();
  const resetSession = useResetSession();
  const { user } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mode, setMode] = useState<SecondFactorMode>('none');
  const [code, setCode] = useState('');
  const destination = afterSignIn((location.state as { from?: unknown } | null)?.from);

  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: async () => {
        await resetSession();
        await navigate(destination, { replace: true });
      },
      onError: (error) => {
        if (apiProblem(error)?.reason === 'second_factor_required') setMode((m) => (m === 'none' ? 'code' : m));
      },
    }),
  );
  const problem = apiProblem(signIn.error);

  if (user && signIn.isIdle) return <Navigate to={destination} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    signIn.mutate({
      email,
      password,
      code: mode === 'code' && code ? code : undefined,
      recoveryCode: mode === 'recovery' && code ? code : undefined,
    });
  }
  function switchMode(next: SecondFactorMode) {
    setMode(next);
    setCode('');
    signIn.reset();
  }

  // "Enter your code" is a step of the flow, not an error, so it is not shown in red. It is asked of
  // every account with two-factor on, whatever the password: only the password and the code together
  // are judged, and a refusal cannot say which of the two was wrong.
  const askingForFactor = problem?.reason === 'second_factor_required';
  const fieldErrorShown = problem ? Object.keys(problem.fieldErrors).length > 0 : false;
  const formError =
    !problem || askingForFactor || fieldErrorShown
      ? null
      : mode !== 'none' && problem.reason === 'invalid_credentials'
        ? `That did not work. Check your password and the ${mode === 'code' ? 'code' : 'recovery code'}, then try again.`
        : describeProblem(problem);

  return (
    <AuthShell
      title="Sign in"
      summary="Welcome back. Sign in to see what your agent has been doing."
      footer={
        <>
          New to Steward? <Link to="/signup">Create an account</Link>
          <br />
          <span data-testid="forgot-password">Forgot your password? Ask this Steward's operator for a reset link.</span>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        <FormError message={formError} />
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={problem?.fieldErrors.email}
          autoFocus
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={problem?.fieldErrors.password}
        />
        {mode !== 'none' && (
          <SecondFactorFieldset mode={mode} code={code} onCode={setCode} onSwitch={switchMode} error={problem?.fieldErrors.code ?? problem?.fieldErrors.recoveryCode} autoFocus />
        )}
        <button className="button primary" type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : mode === 'none' ? 'Sign in' : 'Verify and sign in'}
        </button>
      </form>
    </AuthShell>
  );
}

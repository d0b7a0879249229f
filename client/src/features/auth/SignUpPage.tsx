import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { PASSWORD_MIN_LENGTH, signUpInputSchema, type DisplayCurrency } from '../../../../shared/accounts';
import { Field, FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { AuthShell } from './AuthShell';
import { useResetSession, useSession } from './useSession';

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function SignUpPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const resetSession = useResetSession();
  const { user } = useSession();
  const [form, setForm] = useState({ email: '', password: '', timeZone: browserTimeZone(), displayCurrency: 'USD' as DisplayCurrency });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: async () => {
        await resetSession();
        // A new account starts on Home, whose welcome walks through the first steps.
        await navigate('/', { replace: true });
      },
    }),
  );
  const problem = apiProblem(signUp.error);

  if (user && signUp.isIdle) return <Navigate to="/" replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    // Same rules as the server, checked here first so mistakes show without a round trip.
    const parsed = signUpInputSchema.safeParse(form);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      setFieldErrors(errors);
      return;
    }
    setFieldErrors({});
    signUp.mutate(parsed.data);
  }
  const errorFor = (name: string) => fieldErrors[name] ?? problem?.fieldErrors[name];
  const update = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [name]: event.target.value }));

  return (
    <AuthShell
      title="Create your account"
      summary="Steward spends only what you allow. Your account keeps that promise safe."
      footer={
        <>
          Already have an account? <Link to="/signin">Sign in</Link>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        <FormError message={problem && Object.keys(problem.fieldErrors).length === 0 ? describeProblem(problem) : null} />
        <Field label="Email" type="email" autoComplete="email" value={form.email} onChange={update('email')} error={errorFor('email')} autoFocus />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={update('password')}
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words work well.`}
          error={errorFor('password')}
        />
        <Field
          label="Time zone"
          value={form.timeZone}
          onChange={update('timeZone')}
          hint="Your monthly budget starts at midnight on the 1st in this zone."
          error={errorFor('timeZone')}
          list="time-zones"
        />
        <datalist id="time-zones">
          {Intl.supportedValuesOf('timeZone').map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <div className="field">
          <label htmlFor="display-currency">Show amounts in</label>
          <select id="display-currency" value={form.displayCurrency} onChange={update('displayCurrency')}>
            <option value="USD">US dollars</option>
            <option value="SAT">sats</option>
          </select>
        </div>
        <button className="button primary" type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthShell>
  );
}

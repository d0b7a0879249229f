import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Copy, Download, ShieldCheck, ShieldOff } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Field, FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { saveTextFile } from '../../lib/download';
import { useTRPC } from '../../lib/trpc';

export function TwoFactorSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.security.twoFactorStatus.queryOptions());
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.security.pathKey() });

  return (
    <section className="card section" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      <p className="page-summary">
        A code from an authenticator app on your phone, asked for at sign-in and before large or over-budget spends.
      </p>
      {recoveryCodes ? (
        <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />
      ) : status.data?.enabled ? (
        <Enabled remaining={status.data.recoveryCodesRemaining} onCodes={setRecoveryCodes} onChanged={refresh} />
      ) : status.data ? (
        <Enroll
          onEnabled={(codes) => {
            setRecoveryCodes(codes);
            void refresh();
          }}
        />
      ) : null}
    </section>
  );
}

function Enroll(props: { onEnabled(codes: string[]): void }) {
  const trpc = useTRPC();
  const begin = useMutation(trpc.security.beginTotpEnrollment.mutationOptions());
  const confirm = useMutation(trpc.security.confirmTotpEnrollment.mutationOptions({ onSuccess: (r) => props.onEnabled(r.recoveryCodes) }));
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const problem = apiProblem(confirm.error ?? begin.error);
  // A wrong password is the password field's problem; anything else not tied to a field is the code's.
  const passwordProblem = problem?.fieldErrors.password ?? (problem?.reason === 'wrong_password' ? describeProblem(problem) : undefined);

  if (!begin.data) {
    return (
      <div className="status-row">
        <span className="status off">
          <ShieldOff size={18} aria-hidden="true" /> Off
        </span>
        <button className="button primary" onClick={() => begin.mutate()} disabled={begin.isPending}>
          Set up two-factor
        </button>
        <FormError message={problem && describeProblem(problem)} />
      </div>
    );
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    confirm.mutate({ code, password });
  }
  return (
    <div className="enroll">
      <ol className="steps">
        <li>Open your authenticator app (Google Authenticator, 1Password, Aegis…) and add an account.</li>
        <li>Scan this QR code, or type the key below.</li>
        <li>Enter the 6-digit code the app shows, and your password (once two-factor is on, its codes are the proof for withdrawals and looser limits).</li>
      </ol>
      <div className="enroll-grid">
        <img className="qr" src={begin.data.qrDataUrl} alt="QR code to add Steward to your authenticator app" width={200} height={200} />
        <div>
          <p className="muted">Key for manual entry</p>
          <code className="secret" data-testid="totp-secret">
            {begin.data.secret}
          </code>
          <form className="form" onSubmit={submit} noValidate>
            <Field
              label="Code from your app"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={problem?.fieldErrors.code ?? (problem && !passwordProblem ? describeProblem(problem) : undefined)}
            />
            <Field label="Your password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={passwordProblem} />
            <button className="button primary" type="submit" disabled={confirm.isPending}>
              Turn on two-factor
            </button>
          </form>
        </div>
      </div>
    </div>
  );
}

function Enabled(props: { remaining: number; onCodes(codes: string[]): void; onChanged(): void }) {
  const trpc = useTRPC();
  const [code, setCode] = useState('');
  const disable = useMutation(trpc.security.disableTotp.mutationOptions({ onSuccess: props.onChanged }));
  const regenerate = useMutation(
    trpc.security.regenerateRecoveryCodes.mutationOptions({
      onSuccess: (r) => {
        props.onCodes(r.recoveryCodes);
        props.onChanged();
      },
    }),
  );
  const problem = apiProblem(disable.error ?? regenerate.error);
  return (
    <div className="enabled">
      <div className="status-row">
        <span className="status on" data-testid="two-factor-on">
          <ShieldCheck size={18} aria-hidden="true" /> On
        </span>
        <span className="muted">{props.remaining} of 10 recovery codes left</span>
      </div>
      <form className="form inline-form" onSubmit={(e) => e.preventDefault()} noValidate>
        <Field
          label="Current code from your app"
          hint="Needed to turn two-factor off or to get new recovery codes."
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={problem?.fieldErrors.code ?? (problem ? describeProblem(problem) : undefined)}
        />
        <div className="button-row">
          <button className="button" type="button" disabled={regenerate.isPending} onClick={() => regenerate.mutate({ code })}>
            New recovery codes
          </button>
          <button className="button danger" type="button" disabled={disable.isPending} onClick={() => disable.mutate({ code })}>
            Turn off two-factor
          </button>
        </div>
      </form>
    </div>
  );
}

/** The codes as a text file: one per line, with what they are for, so a file found later explains itself. */
function recoveryCodesText(codes: readonly string[]): string {
  return ['Steward recovery codes', 'Each code signs you in once if you lose your authenticator. Keep them private.', '', ...codes, ''].join('\n');
}

function RecoveryCodes(props: { codes: string[]; onDone(): void }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.codes.join('\n'));
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  }
  return (
    <div className="recovery" role="region" aria-label="Recovery codes">
      <p>
        <strong>Save these recovery codes now.</strong> Each one signs you in once if you lose your phone. They will not be
        shown again.
      </p>
      <ul className="recovery-codes" data-testid="recovery-codes">
        {props.codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="button-row">
        <button type="button" className="button subtle" onClick={() => void copy()} data-testid="copy-recovery-codes">
          <Copy size={16} aria-hidden /> Copy
        </button>
        <button type="button" className="button subtle" onClick={() => saveTextFile('steward-recovery-codes.txt', recoveryCodesText(props.codes), 'text/plain;charset=utf-8')} data-testid="download-recovery-codes">
          <Download size={16} aria-hidden /> Download .txt
        </button>
        <button className="button primary" onClick={props.onDone}>
          I have saved them
        </button>
      </div>
      <p className="muted" role="status">
        {copied === 'copied' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'This browser did not allow copying. Download them, or select and copy them by hand.'}
      </p>
    </div>
  );
}

import { Field } from '../../components/Field';

export type SecondFactorMode = 'code' | 'recovery';

/** The authenticator code (or a recovery code instead) an account with 2FA gives at sign-in and at a password reset. */
export function SecondFactorFieldset(props: {
  mode: SecondFactorMode;
  code: string;
  onCode: (code: string) => void;
  onSwitch: (mode: SecondFactorMode) => void;
  error: string | undefined;
  autoFocus?: boolean;
}) {
  const { mode } = props;
  return (
    <fieldset className="second-factor">
      <legend>Two-factor check</legend>
      <Field
        key={mode}
        label={mode === 'code' ? 'Authenticator code' : 'Recovery code'}
        inputMode={mode === 'code' ? 'numeric' : 'text'}
        autoComplete="one-time-code"
        value={props.code}
        onChange={(e) => props.onCode(e.target.value)}
        hint={mode === 'code' ? 'The 6-digit code your authenticator app shows for Steward.' : 'One of the codes you saved, like abcde-12345. Each works once.'}
        error={props.error}
        autoFocus={props.autoFocus}
      />
      <button type="button" className="link-button" onClick={() => props.onSwitch(mode === 'code' ? 'recovery' : 'code')}>
        {mode === 'code' ? 'Use a recovery code instead' : 'Use my authenticator app instead'}
      </button>
    </fieldset>
  );
}

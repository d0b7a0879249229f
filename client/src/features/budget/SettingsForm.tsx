import { useQuery } from '@tanstack/react-query';
import { Plus, Trash2 } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import {
  LIMIT_MAX_SATS,
  LIMIT_MAX_USD_CENTS,
  TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS,
  type GovernanceSettings,
  type ServiceRuleKind,
} from '../../../../shared/governance';
import { formatSats, formatUsd, msat, usdCents } from '../../../../shared/money';
import { Field, FormError } from '../../components/Field';
import { useTRPC } from '../../lib/trpc';
import { checkSettings, errorFor, fromFormState, serverFieldErrors, toFormState, type FieldErrors, type LimitInput, type SettingsFormState } from './settings-form';
import { useGuardedSave } from './useGuardedSave';

const LIMIT_MAXIMA = `At most ${formatUsd(usdCents(LIMIT_MAX_USD_CENTS))} or ${formatSats(msat(LIMIT_MAX_SATS * 1000))}.`;
const TIER_MAX = formatUsd(TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS);
const TIER_HINT = `At most ${TIER_MAX} without two-factor authentication, ${formatUsd(usdCents(LIMIT_MAX_USD_CENTS))} with it.`;
const RULE_HELP: Record<ServiceRuleKind, string> = {
  always_allow: 'Pay without asking up to your confirm limit (the second factor and your limits still apply)',
  always_confirm: 'Always ask me, even for tiny amounts',
  block: 'Never pay this service',
};

export function SettingsForm(props: { settings: GovernanceSettings }) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.catalog.list.queryOptions());
  const [state, setState] = useState<SettingsFormState>(() => toFormState(props.settings));
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  const guarded = useGuardedSave(props.settings, () => setSaved(true));
  const { problem, twoFactorOn, tierNeedsTwoFactor } = guarded;
  const datalistId = useId();
  const errors: FieldErrors = { ...serverFieldErrors(problem?.fieldErrors ?? {}), ...clientErrors };
  const update = (patch: Partial<SettingsFormState>) => {
    setSaved(false);
    setState((current) => ({ ...current, ...patch }));
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = fromFormState(state);
    const invalid = parsed.ok ? checkSettings(parsed.settings) : parsed.errors;
    setClientErrors(invalid);
    if (parsed.ok && Object.keys(invalid).length === 0) guarded.request(parsed.settings);
  }

  const hasErrors = Object.keys(errors).length > 0;
  return (
    <>
      <form className="section" onSubmit={submit} noValidate aria-label="Budget settings">
        <section className="card section" aria-labelledby="limits-title">
          <h2 id="limits-title">Limits</h2>
          <LimitField
            label="Monthly limit"
            hint={`The most the agent may spend in a calendar month (your time zone). Going over needs your authenticator code and a reason, each time. ${LIMIT_MAXIMA}`}
            value={state.monthlyLimit}
            onChange={(monthlyLimit) => update({ monthlyLimit })}
            error={errorFor(errors, 'monthlyLimit')}
            testId="monthly-limit"
          />
          <LimitField
            label="Per-task cap"
            hint={`The most one task may spend in total, fees included. A task that would pass it is refused. ${LIMIT_MAXIMA}`}
            value={state.taskCap}
            onChange={(taskCap) => update({ taskCap })}
            error={errorFor(errors, 'taskCap')}
            testId="task-cap"
          />
        </section>

        <TiersSection state={state} update={update} errors={errors} twoFactorOn={twoFactorOn} tierNeedsTwoFactor={tierNeedsTwoFactor} />

        <section className="card section" aria-labelledby="rules-title">
          <h2 id="rules-title">Rules for particular services</h2>
          <p className="muted">Override the tiers for one service, or cap what it may take each month.</p>
          <datalist id={datalistId}>
            {catalog.data?.services.map((service) => (
              <option key={service.id} value={service.id}>
                {service.providerName}: {service.name}
              </option>
            ))}
          </datalist>
          {state.rules.map((rule, index) => (
            <div className="rule-row" key={index} data-testid="service-rule">
              <Field
                label="Service"
                list={datalistId}
                value={rule.serviceId}
                onChange={(e) => update({ rules: state.rules.map((r, i) => (i === index ? { ...r, serviceId: e.target.value } : r)) })}
                error={errorFor(errors, `serviceRules.${index}.serviceId`)}
              />
              <div className="field">
                <label htmlFor={`${datalistId}-rule-${index}`}>Rule</label>
                <select
                  id={`${datalistId}-rule-${index}`}
                  value={rule.rule}
                  onChange={(e) =>
                    update({ rules: state.rules.map((r, i) => (i === index ? { ...r, rule: e.target.value as ServiceRuleKind | '' } : r)) })
                  }
                >
                  <option value="">Follow the tiers</option>
                  {(Object.keys(RULE_HELP) as ServiceRuleKind[]).map((kind) => (
                    <option key={kind} value={kind}>
                      {RULE_HELP[kind]}
                    </option>
                  ))}
                </select>
              </div>
              <Field
                label="Monthly cap (USD, optional)"
                inputMode="decimal"
                value={rule.cap.unit === 'none' ? '' : rule.cap.amount}
                onChange={(e) =>
                  update({
                    rules: state.rules.map((r, i) =>
                      i === index ? { ...r, cap: e.target.value.trim() === '' ? { unit: 'none', amount: '' } : { unit: 'usd', amount: e.target.value } } : r,
                    ),
                  })
                }
                error={errorFor(errors, `serviceRules.${index}.monthlyCap`)}
              />
              <button className="button subtle" type="button" aria-label={`Remove the rule for ${rule.serviceId || 'this service'}`} onClick={() => update({ rules: state.rules.filter((_, i) => i !== index) })}>
                <Trash2 size={16} aria-hidden="true" />
              </button>
            </div>
          ))}
          <FormError message={errors['serviceRules']} />
          <button className="button" type="button" onClick={() => update({ rules: [...state.rules, { serviceId: '', rule: 'always_confirm', cap: { unit: 'none', amount: '' } }] })}>
            <Plus size={16} aria-hidden="true" /> Add a rule
          </button>
        </section>

        <section className="card section" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Budget alerts</h2>
          <Field
            label="Alert me at these percentages of my monthly limit"
            hint="Each fires once a month, lowest first, e.g. 50, 80, 100."
            value={state.thresholds}
            onChange={(e) => update({ thresholds: e.target.value })}
            error={errorFor(errors, 'alertThresholdsPercent')}
            data-testid="alert-thresholds"
          />
        </section>

        <FormError message={hasErrors ? 'Please fix the highlighted fields.' : problem?.message} />
        <div className="button-row">
          <button className="button primary" type="submit" disabled={guarded.pending}>
            Save budget settings
          </button>
          {saved && !hasErrors && (
            <p className="saved" role="status">
              Saved.
            </p>
          )}
        </div>
      </form>
      {guarded.dialog}
    </>
  );
}


/** The three tiers; without 2FA it says that tiers above the code-guarded amount need it, with a link. */
function TiersSection(props: {
  state: SettingsFormState;
  update(patch: Partial<SettingsFormState>): void;
  errors: FieldErrors;
  twoFactorOn: boolean;
  tierNeedsTwoFactor: boolean;
}) {
  const { state, update, errors, twoFactorOn, tierNeedsTwoFactor } = props;
  return (
    <section className="card section" aria-labelledby="tiers-title">
      <h2 id="tiers-title">When the agent may pay on its own</h2>
      <div className="tier-list">
        <div className="tier">
          <h3>1. Pay automatically</h3>
          <p>Up to this amount per task the agent just pays. Good for small things like a joke or a price check.</p>
          <Field
            label="Auto-approve up to (USD)"
            inputMode="decimal"
            value={state.autoMax}
            onChange={(e) => update({ autoMax: e.target.value })}
            hint={TIER_HINT}
            error={errorFor(errors, 'tiers.autoMaxUsdCents')}
            data-testid="auto-max"
          />
          <label className="checkbox">
            <input type="checkbox" checked={state.notifyOnAuto} onChange={(e) => update({ notifyOnAuto: e.target.checked })} /> Tell me after each
            automatic payment
          </label>
        </div>
        <div className="tier">
          <h3>2. Ask me first</h3>
          <p>Above the automatic amount and up to this one, the task waits in Approvals until you click Approve.</p>
          <Field
            label="Ask me up to (USD)"
            inputMode="decimal"
            value={state.confirmMax}
            onChange={(e) => update({ confirmMax: e.target.value })}
            hint={TIER_HINT}
            error={errorFor(errors, 'tiers.confirmMaxUsdCents') ?? errorFor(errors, 'tiers')}
            data-testid="confirm-max"
          />
        </div>
        <div className="tier">
          <h3>3. Ask for my authenticator code</h3>
          <p>Anything larger also needs the 6-digit code from your phone, so someone using your open session alone cannot approve it.</p>
          {!twoFactorOn && (
            <p className={tierNeedsTwoFactor ? 'form-error' : 'muted'} role={tierNeedsTwoFactor ? 'alert' : undefined} data-testid="tier-needs-two-factor">
              Without two-factor authentication, neither tier can go above {TIER_MAX}: larger amounts need your authenticator code.{' '}
              <Link to="/security">Turn on two-factor authentication</Link> to raise them.
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

function LimitField(props: { label: string; hint: string; value: LimitInput; onChange(value: LimitInput): void; error: string | undefined; testId: string }) {
  const id = useId();
  return (
    <fieldset className={props.error ? 'field invalid' : 'field'} data-testid={props.testId}>
      <legend>{props.label}</legend>
      <div className="limit-row">
        <select aria-label={`${props.label}: kind`} value={props.value.unit} onChange={(e) => props.onChange({ ...props.value, unit: e.target.value as LimitInput['unit'] })}>
          <option value="none">No limit</option>
          <option value="usd">In US dollars</option>
          <option value="sat">In sats</option>
        </select>
        {props.value.unit !== 'none' && (
          <input
            aria-label={`${props.label} amount (${props.value.unit === 'usd' ? 'USD' : 'sats'})`}
            inputMode={props.value.unit === 'usd' ? 'decimal' : 'numeric'}
            value={props.value.amount}
            onChange={(e) => props.onChange({ ...props.value, amount: e.target.value })}
            aria-invalid={props.error ? true : undefined}
            aria-describedby={`${id}-hint${props.error ? ` ${id}-error` : ''}`}
          />
        )}
      </div>
      <p className="field-hint" id={`${id}-hint`}>
        {props.hint}
      </p>
      {props.error && (
        <p className="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

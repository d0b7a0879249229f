// The budget settings form's state (strings, as typed) and its conversion to and from the settings
// the server validates. Amounts are parsed here by string arithmetic, never through floats.
import { governanceSettingsSchema, type GovernanceSettings, type MoneyLimit, type ServiceRuleKind } from '../../../../shared/governance';
import { formatUsd, msat, usdCents, type UsdCents } from '../../../../shared/money';

export type LimitUnit = 'none' | 'usd' | 'sat';
export interface LimitInput {
  unit: LimitUnit;
  amount: string;
}
export interface RuleInput {
  serviceId: string;
  rule: ServiceRuleKind | '';
  cap: LimitInput;
}
export interface SettingsFormState {
  monthlyLimit: LimitInput;
  taskCap: LimitInput;
  autoMax: string;
  confirmMax: string;
  notifyOnAuto: boolean;
  rules: RuleInput[];
  thresholds: string;
}

/** Field errors keyed like the server's (e.g. 'tiers.confirmMaxUsdCents', 'serviceRules.0.serviceId'). */
export type FieldErrors = Record<string, string>;

const plainAmount = (text: string) => text.trim().replace(/^\$/, '').replaceAll(',', '');

/** "20", "20.5", "$1,020.50" -> cents; null when it is not an amount of dollars and cents. */
export function parseDollars(text: string): UsdCents | null {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(plainAmount(text));
  if (!match) return null;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? usdCents(cents) : null;
}

function parseSats(text: string): number | null {
  const cleaned = plainAmount(text);
  if (!/^\d+$/.test(cleaned)) return null;
  const amount = Number(cleaned) * 1000;
  return Number.isSafeInteger(amount) ? amount : null;
}

function limitToInput(limit: MoneyLimit | null): LimitInput {
  if (limit === null) return { unit: 'none', amount: '' };
  if (limit.unit === 'usd') return { unit: 'usd', amount: formatUsd(limit.usdCents).slice(1).replaceAll(',', '') };
  return { unit: 'sat', amount: String(Math.floor(limit.msat / 1000)) };
}

const centsToInput = (cents: number) => formatUsd(usdCents(cents)).slice(1).replaceAll(',', '');

export function toFormState(settings: GovernanceSettings): SettingsFormState {
  return {
    monthlyLimit: limitToInput(settings.monthlyLimit),
    taskCap: limitToInput(settings.taskCap),
    autoMax: centsToInput(settings.tiers.autoMaxUsdCents),
    confirmMax: centsToInput(settings.tiers.confirmMaxUsdCents),
    notifyOnAuto: settings.tiers.notifyOnAuto,
    rules: settings.serviceRules.map((rule) => ({ serviceId: rule.serviceId, rule: rule.rule ?? '', cap: limitToInput(rule.monthlyCap) })),
    thresholds: settings.alertThresholdsPercent.join(', '),
  };
}

function toLimit(input: LimitInput, key: string, errors: FieldErrors): MoneyLimit | null {
  if (input.unit === 'none') return null;
  if (input.unit === 'usd') {
    const cents = parseDollars(input.amount);
    if (cents === null) {
      errors[key] = 'Enter an amount in dollars, like 20 or 20.50.';
      return null;
    }
    return { unit: 'usd', usdCents: cents };
  }
  const amountMsat = parseSats(input.amount);
  if (amountMsat === null) {
    errors[key] = 'Enter a whole number of sats, like 50000.';
    return null;
  }
  return { unit: 'sat', msat: msat(amountMsat) };
}

/**
 * The settings to send, or the fields that cannot even be read as numbers. Range and consistency
 * rules (confirm at least auto, thresholds 1-100 in order, the maxima) are the shared schema's
 * (shared/governance.ts): checkSettings runs it here first, and the server runs it again.
 */
export function fromFormState(state: SettingsFormState): { ok: true; settings: GovernanceSettings } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const monthlyLimit = toLimit(state.monthlyLimit, 'monthlyLimit', errors);
  const taskCap = toLimit(state.taskCap, 'taskCap', errors);
  const autoMax = parseDollars(state.autoMax);
  if (autoMax === null) errors['tiers.autoMaxUsdCents'] = 'Enter an amount in dollars, like 0.10.';
  const confirmMax = parseDollars(state.confirmMax);
  if (confirmMax === null) errors['tiers.confirmMaxUsdCents'] = 'Enter an amount in dollars, like 5.';
  const serviceRules = state.rules.map((rule, index) => ({
    serviceId: rule.serviceId.trim(),
    rule: rule.rule === '' ? null : rule.rule,
    monthlyCap: toLimit(rule.cap, `serviceRules.${index}.monthlyCap`, errors),
  }));
  const parts = state.thresholds.split(/[,\s%]+/).filter(Boolean);
  const thresholds = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
  if (thresholds.some(Number.isNaN)) errors['alertThresholdsPercent'] = 'List whole percentages separated by commas, like 50, 80, 100.';
  if (Object.keys(errors).length > 0 || autoMax === null || confirmMax === null) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      monthlyLimit,
      taskCap,
      tiers: { autoMaxUsdCents: autoMax, confirmMaxUsdCents: confirmMax, notifyOnAuto: state.notifyOnAuto },
      serviceRules,
      alertThresholdsPercent: thresholds,
    },
  };
}

/**
 * The shared schema's messages for settings the form could read, keyed like the form's fields
 * ('tiers.confirmMaxUsdCents'); empty when the settings are valid. Checked before deciding whether
 * the change needs a code, so a mistake is shown as a mistake, not as a request for proof.
 */
export function checkSettings(settings: GovernanceSettings): FieldErrors {
  const parsed = governanceSettingsSchema.safeParse(settings);
  if (parsed.success) return {};
  return fieldErrorsFrom(parsed.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
}

/** The server's field errors for the form: saveSettings nests the form under `settings.`. */
export function serverFieldErrors(fieldErrors: FieldErrors): FieldErrors {
  return fieldErrorsFrom(Object.entries(fieldErrors).map(([key, message]) => [key.replace(/^settings\./, ''), message]));
}

/** The first message per key, as the server's error formatter keeps it. */
function fieldErrorsFrom(entries: [string, string][]): FieldErrors {
  const errors: FieldErrors = {};
  for (const [key, message] of entries) errors[key || '_'] ??= message;
  return errors;
}

/** The first error whose key is `key` or lies under it ('monthlyLimit.usdCents' belongs to 'monthlyLimit'). */
export function errorFor(errors: FieldErrors, key: string): string | undefined {
  const match = Object.keys(errors).find((k) => k === key || k.startsWith(`${key}.`));
  return match === undefined ? undefined : errors[match];
}


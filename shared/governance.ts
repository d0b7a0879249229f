// Budget governance settings, quotes and decisions, shared by server and client. The server's pure
// rules live in server/domain/governance; this file holds only shapes, defaults and validation, with
// messages written for the settings form. Money stays in branded integers (shared/money).
import { z } from 'zod';
import { passwordSchema, totpCodeSchema } from './accounts';
import {
  btcUsdRateSchema,
  formatSats,
  formatUsd,
  msat,
  MSAT_PER_SAT,
  msatRoundTrip,
  msatSchema,
  usdCents,
  usdCentsRoundTrip,
  usdCentsSchema,
  type BtcUsdRate,
  type Msat,
  type UsdCents,
} from './money';

/**
 * True when the runtime knows the IANA zone. Both the browser and Node ship the full zone database
 * with Intl, so this is the same answer on either side.
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, { message: 'Choose a time zone from the list, such as Europe/London.' });

/**
 * The largest limits a person may set, stated in the form. Far above any sane budget, and low enough
 * that every conversion a limit undergoes (to msat at any plausible BTC price, back to cents for the
 * gauge) stays within safe integers: $1,000,000 is 1,000 BTC even at $1,000 per bitcoin. A value is
 * also checked against the current rate when it is saved (limitFitsConversions below).
 */
export const LIMIT_MAX_USD_CENTS = 100_000_000;
/** 10 BTC, in sats: what the form accepts for a limit chosen in sats. */
export const LIMIT_MAX_SATS = 1_000_000_000;
const LIMIT_MAX_MSAT = LIMIT_MAX_SATS * MSAT_PER_SAT;

const positiveLimit = (max: number, maxText: string) =>
  z
    .number({ message: 'The amount must be a number.' })
    .int({ message: 'The amount must be a whole number.' })
    .positive({ message: 'The amount must be more than zero.' })
    .max(max, { message: `The amount can be at most ${maxText}.` });

/**
 * An amount the person chose, kept in the unit they chose it in: "$20 a month" stays $20 even as the
 * BTC price moves, and "50,000 sats" stays 50,000 sats. Converted to msat only when it is compared,
 * at the rate locked for that decision (see server/domain/governance/budget.ts for rounding).
 */
export const moneyLimitSchema = z.discriminatedUnion('unit', [
  z.object({
    unit: z.literal('usd'),
    usdCents: positiveLimit(LIMIT_MAX_USD_CENTS, formatUsd(usdCents(LIMIT_MAX_USD_CENTS))).pipe(usdCentsSchema),
  }),
  z.object({
    unit: z.literal('sat'),
    // Stored in msat so a limit can be compared without conversion; the form enters whole sats.
    msat: positiveLimit(LIMIT_MAX_MSAT, formatSats(msat(LIMIT_MAX_MSAT))).pipe(msatSchema),
  }),
]);
export type MoneyLimit = z.output<typeof moneyLimitSchema>;

/**
 * Approval tiers, in US cents because that is how people think about "small" purchases:
 * at or under autoMax the agent just pays (and tells the person); at or under confirmMax it asks;
 * above, it asks for a second factor.
 */
export const tiersSchema = z
  .object({
    autoMaxUsdCents: z
      .number()
      .int({ message: 'The auto-approve limit must be whole cents.' })
      .min(0, { message: 'The auto-approve limit cannot be negative.' })
      .max(LIMIT_MAX_USD_CENTS, { message: `The auto-approve limit can be at most ${formatUsd(usdCents(LIMIT_MAX_USD_CENTS))}.` })
      .pipe(usdCentsSchema),
    confirmMaxUsdCents: z
      .number()
      .int({ message: 'The confirm limit must be whole cents.' })
      .min(0, { message: 'The confirm limit cannot be negative.' })
      .max(LIMIT_MAX_USD_CENTS, { message: `The confirm limit can be at most ${formatUsd(usdCents(LIMIT_MAX_USD_CENTS))}.` })
      .pipe(usdCentsSchema),
    /** Tell the person after each auto-approved payment. */
    notifyOnAuto: z.boolean(),
  })
  .refine((tiers) => tiers.confirmMaxUsdCents >= tiers.autoMaxUsdCents, {
    message: 'The confirm limit must be at least the auto-approve limit.',
    path: ['confirmMaxUsdCents'],
  });
export type Tiers = z.output<typeof tiersSchema>;

export const DEFAULT_TIERS: Tiers = {
  autoMaxUsdCents: usdCents(10),
  confirmMaxUsdCents: usdCents(500),
  notifyOnAuto: true,
};

/**
 * always_allow: never ask for a plain confirmation for this service (2FA, caps and the budget still
 * apply). always_confirm: ask at least for a confirmation, even under the auto limit. block: never pay.
 */
export const serviceRuleKinds = ['always_allow', 'always_confirm', 'block'] as const;
export type ServiceRuleKind = (typeof serviceRuleKinds)[number];

export const serviceRuleSchema = z.object({
  serviceId: z.string().trim().min(1, { message: 'Pick a service.' }).max(200),
  rule: z.enum(serviceRuleKinds).nullable(),
  monthlyCap: moneyLimitSchema.nullable(),
});
export type ServiceRule = z.output<typeof serviceRuleSchema>;

/** Percentages of the monthly limit at which to alert, each once per month. */
export const alertThresholdsSchema = z
  .array(
    z
      .number()
      .int({ message: 'Alert thresholds are whole percentages.' })
      .min(1, { message: 'An alert threshold must be between 1% and 100%.' })
      .max(100, { message: 'An alert threshold must be between 1% and 100%.' }),
  )
  .max(20, { message: 'Keep it to 20 alert thresholds or fewer.' })
  .refine((list) => new Set(list).size === list.length, { message: 'Each alert threshold may appear only once.' })
  .refine((list) => list.every((value, i) => i === 0 || value > (list[i - 1] ?? 0)), {
    message: 'List alert thresholds from lowest to highest.',
  });

export const DEFAULT_ALERT_THRESHOLDS_PERCENT: readonly number[] = [50, 80, 100];

export const governanceSettingsSchema = z
  .object({
    /** Null: no monthly limit. Every spend still passes the tiers and caps. */
    monthlyLimit: moneyLimitSchema.nullable(),
    /** The most one task may spend in total, fees included. Null: no per-task cap. */
    taskCap: moneyLimitSchema.nullable(),
    tiers: tiersSchema,
    serviceRules: z.array(serviceRuleSchema).max(500),
    alertThresholdsPercent: alertThresholdsSchema,
  })
  .refine(
    (settings) => new Set(settings.serviceRules.map((r) => r.serviceId)).size === settings.serviceRules.length,
    { message: 'Each service may have only one rule.', path: ['serviceRules'] },
  );
export type GovernanceSettings = z.output<typeof governanceSettingsSchema>;

/** What a new user starts with: no monthly limit until they pick one, default tiers and alerts. */
export const DEFAULT_GOVERNANCE_SETTINGS: GovernanceSettings = {
  monthlyLimit: null,
  taskCap: null,
  tiers: DEFAULT_TIERS,
  serviceRules: [],
  alertThresholdsPercent: [...DEFAULT_ALERT_THRESHOLDS_PERCENT],
};

/**
 * Without two-factor authentication, neither tier may be raised above this ($5, the default confirm
 * limit): larger spends need the authenticator code, and raising a tier past it would let a session
 * alone approve them.
 */
export const TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS: UsdCents = DEFAULT_TIERS.confirmMaxUsdCents;

/** Whether a limit converts to msat at `rate` and back without leaving safe integers. */
export function limitFitsConversions(limit: MoneyLimit, rate: BtcUsdRate): boolean {
  return limit.unit === 'usd' ? usdCentsRoundTrip(limit.usdCents, rate) : msatRoundTrip(limit.msat, rate);
}

/** The form keys of the limits that would not survive their conversions at `rate` (empty: all fit). */
export function limitsFailingConversions(settings: GovernanceSettings, rate: BtcUsdRate): string[] {
  const limits: [string, MoneyLimit | null][] = [
    ['monthlyLimit', settings.monthlyLimit],
    ['taskCap', settings.taskCap],
    ...settings.serviceRules.map((rule, index): [string, MoneyLimit | null] => [`serviceRules.${index}.monthlyCap`, rule.monthlyCap]),
  ];
  return limits.filter(([, limit]) => limit !== null && !limitFitsConversions(limit, rate)).map(([key]) => key);
}

/**
 * Saving settings: the whole form, plus the proof a loosening change needs (shared/loosening.ts):
 * the authenticator code when 2FA is on, the account password when it is off.
 */
export const settingsChangeInputSchema = z.object({
  settings: governanceSettingsSchema,
  code: totpCodeSchema.optional(),
  password: passwordSchema.optional(),
});
export type SettingsChangeInput = z.input<typeof settingsChangeInputSchema>;

/**
 * Stored settings, read back. A row that fails today's schema (saved before the limits had maxima,
 * or damaged) must not stop every budget read and every task, and must not loosen the guard either:
 * money values above the maxima are clamped to them (the nearest value the person could choose, and
 * lower than what was stored); anything still unreadable reads as PAUSED_SETTINGS.
 */
export function parseStoredSettings(raw: unknown): GovernanceSettings {
  const parsed = governanceSettingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const clamped = governanceSettingsSchema.safeParse(clampStoredAmounts(raw));
  return clamped.success ? clamped.data : PAUSED_SETTINGS;
}

/** A stored limit (e.g. the one recorded for a past month), read like parseStoredSettings reads one. */
export function parseStoredLimit(raw: unknown): MoneyLimit {
  const parsed = moneyLimitSchema.safeParse(clampStoredAmounts(raw));
  return parsed.success ? parsed.data : PAUSED_LIMIT;
}

/** 1 sat a month: every spend needs an over-budget approval with the second factor. */
const PAUSED_LIMIT: MoneyLimit = { unit: 'sat', msat: msat(MSAT_PER_SAT) };
/** The strictest reading of unreadable settings: nothing is paid without the person and their second factor. */
const PAUSED_SETTINGS: GovernanceSettings = {
  monthlyLimit: PAUSED_LIMIT,
  taskCap: null,
  tiers: { autoMaxUsdCents: usdCents(0), confirmMaxUsdCents: usdCents(0), notifyOnAuto: true },
  serviceRules: [],
  alertThresholdsPercent: [...DEFAULT_ALERT_THRESHOLDS_PERCENT],
};

const CLAMPS: Record<string, number> = {
  usdCents: LIMIT_MAX_USD_CENTS,
  msat: LIMIT_MAX_MSAT,
  autoMaxUsdCents: LIMIT_MAX_USD_CENTS,
  confirmMaxUsdCents: LIMIT_MAX_USD_CENTS,
};

/** A deep copy of stored JSON with every amount field above its maximum lowered to the maximum. */
function clampStoredAmounts(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw.map(clampStoredAmounts);
  if (raw === null || typeof raw !== 'object') return raw;
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => {
      const max = CLAMPS[key];
      if (max !== undefined && typeof value === 'number' && value > max) return [key, max];
      return [key, clampStoredAmounts(value)];
    }),
  );
}

/**
 * The price of one step, discovered without paying. maxMsat already includes the routing-fee
 * allowance (feeAllowanceMsat of it), so it is the most the step can take from the budget.
 * The rate is the one locked when the quote was made; fiat values of this quote use it.
 */
export const spendQuoteSchema = z
  .object({
    serviceId: z.string().min(1),
    maxMsat: msatSchema,
    feeAllowanceMsat: msatSchema,
    rate: btcUsdRateSchema,
  })
  .refine((quote) => quote.feeAllowanceMsat <= quote.maxMsat, {
    message: 'The fee allowance is part of the maximum and cannot exceed it.',
  });
export interface SpendQuote {
  serviceId: string;
  maxMsat: Msat;
  feeAllowanceMsat: Msat;
  rate: BtcUsdRate;
}

/**
 * Why an agent key (an MCP client's credential) may not have a spend, whatever the person's own rules
 * say: its limits only ever narrow theirs.
 */
export const AGENT_KEY_DENY_REASONS = ['key_revoked', 'key_expired', 'key_service_not_allowed', 'over_key_call_cap', 'over_key_monthly_cap'] as const;
export type AgentKeyDenyReason = (typeof AGENT_KEY_DENY_REASONS)[number];

/**
 * `account_in_debt`: a refunded or disputed card top-up took back more than the person's funds covered;
 * nothing is spent until new money repays it.
 */
export type DenyReason = 'service_blocked' | 'exceeds_task_cap' | 'exceeds_service_cap' | 'account_in_debt' | AgentKeyDenyReason;

/** The tier a spend falls in before any overage or denial; also reported on those decisions. */
export type Tier = 'auto' | 'confirm' | 'step_up';

/**
 * What the policy says about a spend. `why` is the sentence the UI shows; amounts in it appear in
 * both USD and sats. overage_required always needs a second factor, like step_up.
 */
export type PolicyDecision =
  | { kind: 'auto'; notify: boolean; why: string }
  | { kind: 'confirm'; why: string }
  | { kind: 'step_up'; why: string }
  | { kind: 'overage_required'; overageMsat: Msat; why: string }
  | { kind: 'deny'; reason: DenyReason; why: string };
export type PolicyDecisionKind = PolicyDecision['kind'];

/** A stored decision (approvals, tasks) read back: parsed, never cast. */
export const policyDecisionSchema: z.ZodType<PolicyDecision> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('auto'), notify: z.boolean(), why: z.string() }),
  z.object({ kind: z.literal('confirm'), why: z.string() }),
  z.object({ kind: z.literal('step_up'), why: z.string() }),
  z.object({ kind: z.literal('overage_required'), overageMsat: msatSchema, why: z.string() }),
  z.object({ kind: z.literal('deny'), reason: z.enum(['service_blocked', 'exceeds_task_cap', 'exceeds_service_cap', 'account_in_debt', ...AGENT_KEY_DENY_REASONS]), why: z.string() }),
]);

/** Things the person is told about; budget thresholds fire once per month, the rest per event. */
export type GovernanceAlert =
  | { kind: 'budget_threshold'; periodKey: string; thresholdPercent: number; usedMsat: Msat; limitMsat: Msat }
  | { kind: 'low_balance'; availableMsat: Msat; thresholdMsat: Msat }
  | { kind: 'approval_waiting'; approvalId: string; serviceId: string; maxMsat: Msat; waitingSinceMs: number }
  | { kind: 'price_drift'; serviceId: string; quotedMsat: Msat; invoiceMsat: Msat; driftBasisPoints: number }
  | { kind: 'payment_failed'; serviceId: string; paymentHash: string; reason: string }
  | { kind: 'dispute_update'; disputeId: string; status: string };
export type GovernanceAlertKind = GovernanceAlert['kind'];

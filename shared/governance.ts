// Budget governance settings, quotes and decisions, shared by server and client. The server's pure
// rules live in server/domain/governance; this file holds only shapes, defaults and validation, with
// messages written for the settings form. Money stays in branded integers (shared/money).
import { z } from 'zod';
import { btcUsdRateSchema, msatSchema, usdCents, usdCentsSchema, type BtcUsdRate, type Msat } from './money';

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

const positiveSafeInteger = (what: string) =>
  z
    .number({ message: `${what} must be a number.` })
    .int({ message: `${what} must be a whole number.` })
    .positive({ message: `${what} must be more than zero.` })
    .max(Number.MAX_SAFE_INTEGER, { message: `${what} is too large.` });

/**
 * An amount the person chose, kept in the unit they chose it in: "$20 a month" stays $20 even as the
 * BTC price moves, and "50,000 sats" stays 50,000 sats. Converted to msat only when it is compared,
 * at the rate locked for that decision (see server/domain/governance/budget.ts for rounding).
 */
export const moneyLimitSchema = z.discriminatedUnion('unit', [
  z.object({
    unit: z.literal('usd'),
    usdCents: positiveSafeInteger('The amount').pipe(usdCentsSchema),
  }),
  z.object({
    unit: z.literal('sat'),
    // Stored in msat so a limit can be compared without conversion; the form enters whole sats.
    msat: positiveSafeInteger('The amount').pipe(msatSchema),
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
      .max(Number.MAX_SAFE_INTEGER)
      .pipe(usdCentsSchema),
    confirmMaxUsdCents: z
      .number()
      .int({ message: 'The confirm limit must be whole cents.' })
      .min(0, { message: 'The confirm limit cannot be negative.' })
      .max(Number.MAX_SAFE_INTEGER)
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

export type DenyReason = 'service_blocked' | 'exceeds_task_cap' | 'exceeds_service_cap';

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
  z.object({ kind: z.literal('deny'), reason: z.enum(['service_blocked', 'exceeds_task_cap', 'exceeds_service_cap']), why: z.string() }),
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

// The one way budget settings change (the Budget page's form and the Services page's allow/block both
// come here). A change that loosens the guard (shared/loosening.ts) needs a fresh proof that the
// person, not just their session, wants it: the authenticator code when 2FA is on, bound by a step-up
// grant to this exact change; the account password when 2FA is off. Without 2FA, tiers cannot be raised
// into the range that needs the code. Every change is audited with its before and after values.
import { createHash } from 'node:crypto';
import { limitsFailingConversions, type GovernanceSettings } from '../../../shared/governance';
import { describeLimit, proofNeeded, type Loosening } from '../../../shared/loosening';
import { formatUsd } from '../../../shared/money';
import type { AccountService, AuditLog, RequestMeta, StepUp, StepUpAction, TwoFactorService } from '../accounts';
import { canonicalJson } from '../ledger/canonical-json';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import type { Governance } from './governance';

export type SettingsChangeRefusal =
  | 'limit_not_convertible'
  | 'step_up_required'
  | 'password_required'
  | 'wrong_password'
  | 'tier_needs_two_factor'
  | 'settings_changed_meanwhile'
  | 'invalid_code'
  | 'code_already_used'
  | 'locked';

export type SettingsChangeResult =
  | { ok: true; settings: GovernanceSettings; loosenings: Loosening[] }
  | { ok: false; reason: SettingsChangeRefusal; retryAt?: string; fields?: string[] };

export interface SettingsChangeRequest {
  userId: string;
  settings: GovernanceSettings;
  code?: string | undefined;
  password?: string | undefined;
}

export interface SettingsChangeDeps {
  governance: Pick<Governance, 'settingsFor' | 'saveSettings'>;
  accounts: Pick<AccountService, 'checkPassword'>;
  twoFactor: Pick<TwoFactorService, 'isEnabled'>;
  stepUp: Pick<StepUp, 'verify' | 'consume'>;
  audit: Pick<AuditLog, 'record'>;
  rates: ExchangeRatePort;
  /** A synchronous write transaction on the database all of the above use. */
  transaction<T>(fn: () => T): T;
}

export type SettingsChanges = ReturnType<typeof createSettingsChanges>;

export function createSettingsChanges(deps: SettingsChangeDeps) {
  return {
    /**
     * Saves `settings` for the person if the proof fits the change. A refusal changes nothing (a
     * wrong code still counts towards the lockout). The settings are checked against the current
     * rate first: a limit that cannot be converted to msat and back is never saved.
     */
    async change(request: SettingsChangeRequest, meta: RequestMeta): Promise<SettingsChangeResult> {
      const failing = limitsFailingConversions(request.settings, await deps.rates.current());
      if (failing.length > 0) return { ok: false, reason: 'limit_not_convertible', fields: failing };
      const before = deps.governance.settingsFor(request.userId);
      const needed = proofNeeded(before, request.settings, deps.twoFactor.isEnabled(request.userId));
      const proven = await prove(deps, request, needed, changeAction(before, request.settings), meta);
      if (!proven.ok) return proven;
      return deps.transaction((): SettingsChangeResult => {
        // The proof was for the change from `before`; if someone saved in between, it is not this one.
        const current = deps.governance.settingsFor(request.userId);
        if (canonicalJson(current) !== canonicalJson(before)) {
          return { ok: false, reason: 'settings_changed_meanwhile' };
        }
        if (proven.grantId !== null) {
          const used = deps.stepUp.consume({ userId: request.userId, grantId: proven.grantId, action: changeAction(before, request.settings) });
          // The grant was made a moment ago for this very change; only a racing use of it can fail.
          if (!used.ok) return { ok: false, reason: 'code_already_used' };
        }
        deps.governance.saveSettings(request.userId, request.settings);
        deps.audit.record(request.userId, 'guard_settings_changed', auditDetail(before, request.settings, needed.kind === 'none' ? [] : needed.loosenings, proven.proof), meta);
        return { ok: true, settings: deps.governance.settingsFor(request.userId), loosenings: needed.kind === 'none' ? [] : needed.loosenings };
      });
    },
  };
}

type Proven = { ok: true; proof: 'none' | 'code' | 'password'; grantId: string | null } | Extract<SettingsChangeResult, { ok: false }>;

/** Checks the proof the change needs; a code becomes a step-up grant for exactly this change. */
async function prove(
  deps: SettingsChangeDeps,
  request: SettingsChangeRequest,
  needed: ReturnType<typeof proofNeeded>,
  action: StepUpAction,
  meta: RequestMeta,
): Promise<Proven> {
  switch (needed.kind) {
    case 'none':
      return { ok: true, proof: 'none', grantId: null };
    case 'two_factor_for_tier':
      return { ok: false, reason: 'tier_needs_two_factor' };
    case 'password': {
      if (!request.password) return { ok: false, reason: 'password_required' };
      const passwordOk = await deps.accounts.checkPassword(request.userId, request.password, meta);
      return passwordOk ? { ok: true, proof: 'password', grantId: null } : { ok: false, reason: 'wrong_password' };
    }
    case 'code': {
      if (!request.code) return { ok: false, reason: 'step_up_required' };
      // Its own transaction: a wrong code counts towards the lockout even though nothing is saved.
      const verified = deps.stepUp.verify({ userId: request.userId, code: request.code, action }, meta);
      if (verified.ok) return { ok: true, proof: 'code', grantId: verified.grant.grantId };
      if (verified.reason === 'not_enabled') return { ok: false, reason: 'step_up_required' };
      return { ok: false, reason: verified.reason, ...(verified.retryAt ? { retryAt: verified.retryAt } : {}) };
    }
  }
}

/** The step-up action for one change: its id is a digest of the settings before and after. */
function changeAction(before: GovernanceSettings, after: GovernanceSettings): StepUpAction {
  const digest = createHash('sha256').update(canonicalJson({ before, after })).digest('hex');
  return { kind: 'loosen_guard', id: digest };
}

/**
 * What the audit log keeps: each changed setting's value before and after, written as the Budget
 * page shows it ("Auto-approve up to: $0.10"), the loosenings and the proof given.
 */
function auditDetail(before: GovernanceSettings, after: GovernanceSettings, loosenings: Loosening[], proof: 'none' | 'code' | 'password') {
  const was = describeSettings(before);
  const now = describeSettings(after);
  const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((key) => was[key] !== now[key]);
  const side = (lines: Record<string, string>) => keys.map((key) => `${key}: ${lines[key] ?? 'none'}`).join('; ');
  return { before: side(was), after: side(now), loosened: loosenings.map((l) => l.kind).join(', '), proof };
}

function describeSettings(settings: GovernanceSettings): Record<string, string> {
  const lines: Record<string, string> = {
    'Monthly limit': describeLimit(settings.monthlyLimit),
    'Per-task cap': describeLimit(settings.taskCap),
    'Auto-approve up to': formatUsd(settings.tiers.autoMaxUsdCents),
    'Ask me up to': formatUsd(settings.tiers.confirmMaxUsdCents),
    'Tell me after automatic payments': settings.tiers.notifyOnAuto ? 'yes' : 'no',
    'Budget alerts': settings.alertThresholdsPercent.map((p) => `${p}%`).join(', ') || 'none',
  };
  for (const rule of settings.serviceRules) {
    lines[`Rule for ${rule.serviceId}`] = `${rule.rule?.replace('_', ' ') ?? 'follow the tiers'}, cap ${describeLimit(rule.monthlyCap)}`;
  }
  return lines;
}

// The one way the guard's settings change: budget settings (the Budget page's form and the Services
// page's allow/block both come here) and the person's time zone, which decides when the budget month
// starts and ends. A change that loosens the guard (shared/loosening.ts) needs a fresh proof that the
// person, not just their session, wants it: the authenticator code when 2FA is on, bound by a step-up
// grant to this exact change; the account password when 2FA is off. Without 2FA, tiers cannot be raised
// into the range that needs the code. Every change is audited with its before and after values.
import { createHash } from 'node:crypto';
import { limitsFailingConversions, type GovernanceSettings } from '../../../shared/governance';
import { describeLimit, proofNeeded, timeZoneProofNeeded, type Loosening, type ProofNeeded } from '../../../shared/loosening';
import { formatUsd } from '../../../shared/money';
import {
  describeChange,
  type AccountService,
  type AuditLog,
  type Preferences,
  type PublicUser,
  type RequestMeta,
  type StepUp,
  type StepUpAction,
  type TwoFactorService,
} from '../accounts';
import { canonicalJson } from '../ledger/canonical-json';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import type { Standing } from '../reputation';
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

type Refused = { ok: false; reason: SettingsChangeRefusal; retryAt?: string; fields?: string[] };
export type SettingsChangeResult = { ok: true; settings: GovernanceSettings; loosenings: Loosening[] } | Refused;
export type PreferencesChangeResult = { ok: true; user: PublicUser; loosenings: Loosening[] } | Refused;

/** Who asks, and the proof they give (at most one of the two is needed). */
interface ProofRequest {
  userId: string;
  code?: string | undefined;
  password?: string | undefined;
}
export interface SettingsChangeRequest extends ProofRequest {
  settings: GovernanceSettings;
}
export interface PreferencesChangeRequest extends ProofRequest {
  preferences: Preferences;
}

export interface ProviderUnblockRequest extends ProofRequest {
  providerId: string;
}
export type ProviderUnblockResult = { ok: true } | Refused | { ok: false; reason: 'provider_not_blocked' };

export interface SettingsChangeDeps {
  governance: Pick<Governance, 'settingsFor' | 'saveSettings'>;
  /** The person's provider blocklist (domain/reputation/standing.ts): unblocking loosens the guard. */
  standing: Pick<Standing, 'isBlocked' | 'unblockProven'>;
  accounts: Pick<AccountService, 'checkPassword' | 'getUser' | 'updatePreferences'>;
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
      const action = changeAction(before, request.settings);
      const proven = await prove(deps, request, needed, action, meta);
      if (!proven.ok) return proven;
      // The proof was for the change from `before`; if someone saved in between, it is not this one.
      const unchanged = () => canonicalJson(deps.governance.settingsFor(request.userId)) === canonicalJson(before);
      return saveProven(deps, request.userId, proven, action, unchanged, () => {
        const loosenings = loosened(needed);
        deps.governance.saveSettings(request.userId, request.settings);
        deps.audit.record(request.userId, 'guard_settings_changed', auditDetail(before, request.settings, loosenings, proven.proof), meta);
        return { ok: true, settings: deps.governance.settingsFor(request.userId), loosenings };
      });
    },

    /**
     * Unblocks a provider the person blocked (from a dispute or the Services page). Paying it again
     * loosens the guard, so it takes the proof any loosening takes, bound to this provider; the
     * unblock is audited by standing, with the proof given.
     */
    async unblockProvider(request: ProviderUnblockRequest, meta: RequestMeta): Promise<ProviderUnblockResult> {
      if (!deps.standing.isBlocked(request.userId, request.providerId)) return { ok: false, reason: 'provider_not_blocked' };
      const needed: ProofNeeded = deps.twoFactor.isEnabled(request.userId) ? { kind: 'code', loosenings: [] } : { kind: 'password', loosenings: [] };
      const action: StepUpAction = { kind: 'unblock_provider', id: request.providerId };
      const proven = await prove(deps, request, needed, action, meta);
      if (!proven.ok) return proven;
      const stillBlocked = () => deps.standing.isBlocked(request.userId, request.providerId);
      return saveProven(deps, request.userId, proven, action, stillBlocked, () => deps.standing.unblockProven(request.userId, request.providerId, proven.proof));
    },

    /**
     * Saves the person's time zone and display currency. A new time zone moves the budget month, so
     * it needs the proof a loosening change needs (why every new zone does: timeZoneLoosenings in
     * shared/loosening.ts); the display currency only changes how amounts are shown and needs none.
     */
    async changePreferences(request: PreferencesChangeRequest, meta: RequestMeta): Promise<PreferencesChangeResult> {
      const before = deps.accounts.getUser(request.userId);
      if (!before) throw new Error(`user ${request.userId} not found for a signed-in request`);
      const after = request.preferences.timeZone;
      const needed = timeZoneProofNeeded(before.timeZone, after, deps.twoFactor.isEnabled(request.userId));
      const action = timeZoneAction(before.timeZone, after);
      const proven = await prove(deps, request, needed, action, meta);
      if (!proven.ok) return proven;
      const unchanged = () => deps.accounts.getUser(request.userId)?.timeZone === before.timeZone;
      return saveProven(deps, request.userId, proven, action, unchanged, () => {
        const loosenings = loosened(needed);
        const user = deps.accounts.updatePreferences(request.userId, request.preferences, confirmation(loosenings, proven.proof), meta);
        return { ok: true, user, loosenings };
      });
    },
  };
}

type Proof = 'none' | 'code' | 'password';
type Proven = { ok: true; proof: Proof; grantId: string | null } | Refused;

const loosened = (needed: ProofNeeded): Loosening[] => (needed.kind === 'none' ? [] : needed.loosenings);

/**
 * Saves a proven change in one transaction: refused when what was proven is no longer the saved state
 * (someone saved in between), or when the step-up grant was made for this change a moment ago but a
 * racing request used it first. A refusal changes nothing.
 */
function saveProven<T extends { ok: boolean }>(
  deps: SettingsChangeDeps,
  userId: string,
  proven: Extract<Proven, { ok: true }>,
  action: StepUpAction,
  unchanged: () => boolean,
  save: () => T,
): T | Refused {
  return deps.transaction((): T | Refused => {
    if (!unchanged()) return { ok: false, reason: 'settings_changed_meanwhile' };
    if (proven.grantId !== null) {
      const used = deps.stepUp.consume({ userId, grantId: proven.grantId, action });
      if (!used.ok) return { ok: false, reason: 'code_already_used' };
    }
    return save();
  });
}

/** Checks the proof the change needs; a code becomes a step-up grant for exactly this change. */
async function prove(
  deps: SettingsChangeDeps,
  request: ProofRequest,
  needed: ProofNeeded,
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
  return { kind: 'loosen_guard', id: digestOf({ before, after }) };
}

/** The step-up action for a move from one time zone to another. */
function timeZoneAction(before: string, after: string): StepUpAction {
  return { kind: 'change_time_zone', id: digestOf({ before, after }) };
}

const digestOf = (value: Parameters<typeof canonicalJson>[0]) => createHash('sha256').update(canonicalJson(value)).digest('hex');

/**
 * What the audit log keeps: each changed setting's value before and after, written as the Budget
 * page shows it ("Auto-approve up to: $0.10"), the loosenings and the proof given.
 */
function auditDetail(before: GovernanceSettings, after: GovernanceSettings, loosenings: Loosening[], proof: Proof) {
  return { ...describeChange(describeSettings(before), describeSettings(after)), ...confirmation(loosenings, proof) };
}

function confirmation(loosenings: Loosening[], proof: Proof): { loosened: string; proof: Proof } {
  return { loosened: loosenings.map((l) => l.kind).join(', '), proof };
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

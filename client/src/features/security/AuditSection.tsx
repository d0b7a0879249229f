import { useQuery } from '@tanstack/react-query';
import '../../components/governance.css';
import type { AuditEventKind } from '../../../../shared/accounts';
import { useTRPC } from '../../lib/trpc';
import { formatWhen } from '../../lib/format-time';
import { CLAIM_REASON_LABEL } from '../disputes/ClaimsSection';

const DESCRIPTIONS: Record<AuditEventKind, string> = {
  signed_up: 'Account created',
  signed_in: 'Signed in',
  sign_in_failed: 'Sign-in with a wrong password',
  signed_out: 'Signed out',
  signed_out_everywhere: 'Signed out everywhere',
  session_revoked: 'Ended a session',
  second_factor_passed: 'Two-factor code accepted',
  second_factor_failed: 'Two-factor code refused',
  second_factor_locked: 'Two-factor paused after too many wrong codes',
  recovery_code_used: 'Recovery code used',
  two_factor_enrollment_started: 'Two-factor setup started',
  two_factor_enabled: 'Two-factor turned on',
  two_factor_disabled: 'Two-factor turned off',
  recovery_codes_regenerated: 'New recovery codes made',
  // Step-ups guard approvals and budget settings changes alike.
  step_up_granted: 'Extra check passed',
  step_up_used: 'Confirmed with an extra check',
  preferences_changed: 'Preferences changed',
  role_granted: 'Role granted',
  wallet_provisioned: 'Spending wallet created',
  wallet_provisioning_failed: 'Spending wallet could not be created yet',
  wallet_connected: 'Own wallet connected as the spending wallet',
  wallet_disconnected: 'Own wallet disconnected (back to the provided wallet)',
  withdrawal_sent: 'Withdrawal sent from the spending wallet',
  spend_approved: 'Spend approved',
  overage_authorized: 'Over-budget spend authorized',
  password_check_failed: 'Wrong password given to confirm a change',
  guard_settings_changed: 'Budget settings changed',
  dispute_opened: 'Dispute opened',
  dispute_decided: 'Dispute decided by an operator',
  dispute_refunded: 'Dispute refunded',
  provider_blocked: 'Provider blocked',
  provider_unblocked: 'Provider unblocked',
  service_paused: 'Service paused',
  service_resumed: 'Service resumed',
  pause_policy_changed: 'Auto-pause threshold changed',
  provider_claim_opened: 'The provider did not refund; Steward refunded you and claims it from them',
  provider_claim_settled: 'Claim against a provider settled',
  password_changed: 'Password changed (other sessions signed out)',
  password_reset_link_issued: 'Password reset link issued by the operator',
  password_reset: 'Password reset with a link (every session signed out)',
  data_exported: 'All your data exported',
  account_deleted: 'Account deleted',
};

/**
 * "Before: …" and "After: …" of a settings or preferences change (a new time zone moves the budget
 * month), and how it was confirmed when it loosened the guard.
 */
function SettingsChange(props: { detail: Record<string, string | number | boolean | null> }) {
  const { before, after, loosened, proof } = props.detail;
  if (typeof before !== 'string' || typeof after !== 'string') return null;
  return (
    <dl className="audit-change" data-testid="audit-settings-change">
      <dt>Before</dt>
      <dd>{before || 'unchanged'}</dd>
      <dt>After</dt>
      <dd>{after || 'unchanged'}</dd>
      {typeof loosened === 'string' && loosened !== '' && (
        <>
          <dt>Loosened</dt>
          <dd>
            {loosened.replaceAll('_', ' ')} (confirmed with {proof === 'code' ? 'an authenticator code' : 'the password'})
          </dd>
        </>
      )}
    </dl>
  );
}

/** An event's reason in words: a claim's reason as the operator console says it, else the code spelt out. */
function reasonText(kind: string, reason: string): string {
  const claimLabels: Readonly<Record<string, string>> = CLAIM_REASON_LABEL;
  const claimReason = kind === 'provider_claim_opened' ? claimLabels[reason] : undefined;
  return claimReason ? claimReason.toLowerCase() : reason.replaceAll('_', ' ');
}

export function AuditSection() {
  const trpc = useTRPC();
  const events = useQuery(trpc.security.auditLog.queryOptions({}));
  return (
    <section className="card section" aria-labelledby="audit-title">
      <h2 id="audit-title">Security activity</h2>
      <p className="page-summary">Every sign-in, code check and security change on your account, newest first.</p>
      <table className="table stack" data-testid="audit-log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {events.data?.map((event) => (
            <tr key={event.id}>
              <td data-label="When">{formatWhen(event.at)}</td>
              <td data-label="What">
                {DESCRIPTIONS[event.kind] ?? event.kind}
                {typeof event.detail.reason === 'string' && <span className="muted"> ({reasonText(event.kind, event.detail.reason)})</span>}
                {(event.kind === 'guard_settings_changed' || event.kind === 'preferences_changed') && <SettingsChange detail={event.detail} />}
              </td>
              <td data-label="From" className="muted">{event.ip ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { ArrowLeft } from 'lucide-react';
import { Link, useSearchParams } from 'react-router';
import { safeReturnPath } from '../../lib/return-path';
import { useTRPC } from '../../lib/trpc';
import { AuditSection } from './AuditSection';
import { SessionsSection } from './SessionsSection';
import { TwoFactorSection } from './TwoFactorSection';

/**
 * Sent here to turn two-factor on for an approval (`?then=/approvals?approval=…`): says so, and once
 * two-factor is on, leads straight back.
 */
function ReturnNotice(props: { to: string }) {
  const trpc = useTRPC();
  const status = useQuery(trpc.security.twoFactorStatus.queryOptions());
  if (!status.data) return null;
  return status.data.enabled ? (
    <div className="card notice section" data-testid="return-to-approval">
      <p>Two-factor is on. Your approval is still waiting, with its prices held.</p>
      <Link className="button primary thumb" to={props.to}>
        <ArrowLeft size={16} aria-hidden="true" /> Back to your approval
      </Link>
    </div>
  ) : (
    <p className="card notice" data-testid="return-hint">
      Turn two-factor on below; then this page takes you back to your approval.
    </p>
  );
}

export function SecurityPage() {
  const [params] = useSearchParams();
  const returnTo = safeReturnPath(params.get('then'));
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Security</h1>
        <p className="page-summary">
          Protect your account and see everything that happened on it. To change your password, export your data or delete the account, go to{' '}
          <Link to="/account">Account</Link>.
        </p>
      </header>
      {returnTo && <ReturnNotice to={returnTo} />}
      <TwoFactorSection />
      <SessionsSection />
      <AuditSection />
    </section>
  );
}

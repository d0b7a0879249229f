import { Link } from 'react-router';
import { AuditSection } from './AuditSection';
import { SessionsSection } from './SessionsSection';
import { TwoFactorSection } from './TwoFactorSection';

export function SecurityPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Security</h1>
        <p className="page-summary">
          Protect your account and see everything that happened on it. To change your password, export your data or delete the account, go to{' '}
          <Link to="/account">Account</Link>.
        </p>
      </header>
      <TwoFactorSection />
      <SessionsSection />
      <AuditSection />
    </section>
  );
}

import { AuditSection } from './AuditSection';
import { SessionsSection } from './SessionsSection';
import { TwoFactorSection } from './TwoFactorSection';

export function SecurityPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Security</h1>
        <p className="page-summary">Protect your account and see everything that happened on it.</p>
      </header>
      <TwoFactorSection />
      <SessionsSection />
      <AuditSection />
    </section>
  );
}

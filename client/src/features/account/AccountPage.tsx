import { Link } from 'react-router';
import '../../components/governance.css';
import { DataExportSection } from './DataExportSection';
import { DeleteAccountSection } from './DeleteAccountSection';
import { PasswordSection } from './PasswordSection';

/** Account care: password, all of one's data, and leaving. Two-factor and sessions are on Security. */
export function AccountPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Account</h1>
        <p className="page-summary">
          Your password, a copy of everything Steward keeps about you, and deleting the account. Two-factor and sessions are on the{' '}
          <Link to="/security">Security</Link> page.
        </p>
      </header>
      <PasswordSection />
      <DataExportSection />
      <DeleteAccountSection />
    </section>
  );
}

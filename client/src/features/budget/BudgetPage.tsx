import { useQuery } from '@tanstack/react-query';
import { BudgetStatusGauge } from '../../components/BudgetGauge';
import '../../components/governance.css';
import { useTRPC } from '../../lib/trpc';
import { SettingsForm } from './SettingsForm';
import { TimeZoneSection } from './TimeZoneSection';

export function BudgetPage() {
  const trpc = useTRPC();
  const status = useQuery(trpc.budget.status.queryOptions());
  const settings = useQuery(trpc.budget.settings.queryOptions());

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Budget</h1>
        <p className="page-summary">Your monthly limit, when the agent may pay on its own, and when it must ask you.</p>
      </header>
      <section className="card section" aria-labelledby="gauge-title">
        <h2 id="gauge-title">This month</h2>
        {status.data ? (
          <BudgetStatusGauge status={status.data} />
        ) : (
          <p className="loading">Loading…</p>
        )}
      </section>
      {/* Mounted once with the saved settings; after a save the form already shows what was saved. */}
      {settings.data && <SettingsForm settings={settings.data} />}
      <TimeZoneSection />
    </section>
  );
}

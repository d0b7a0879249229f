import { useQuery } from '@tanstack/react-query';
import { BudgetGauge } from '../../components/BudgetGauge';
import '../../components/governance.css';
import { useTRPC } from '../../lib/trpc';
import { SettingsForm } from './SettingsForm';
import { TimeZoneSection } from './TimeZoneSection';

/** "March 2026" for a period key "2026-03". */
function monthName(periodKey: string): string {
  const [year, month] = periodKey.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, 15)).toLocaleDateString([], { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

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
          <BudgetGauge
            usedMsat={status.data.summary.usedMsat}
            usedUsdCents={status.data.summary.usedUsdCents}
            limitMsat={status.data.summary.limitMsat}
            limitUsdCents={status.data.summary.limitUsdCents}
            percentUsed={status.data.summary.percentUsed}
            thresholdsPercent={status.data.alertThresholdsPercent}
            periodLabel={monthName(status.data.periodKey)}
          />
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

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';
import { Dashboard } from './Dashboard';
import './home.css';
import { useHomeLive } from './useHomeLive';
import { Welcome } from './Welcome';

/** Where a person lands: the welcome and first steps until they are done or skipped, then the dashboard. */
export function HomePage() {
  const trpc = useTRPC();
  const info = useQuery(trpc.system.info.queryOptions());
  const checklist = useQuery(trpc.home.checklist.queryOptions());
  useHomeLive();
  return (
    <section className="page home-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Home</h1>
        <p className="page-summary">Your balance, this month's budget and spending, and what is waiting for you.</p>
      </header>
      {checklist.data && !checklist.data.complete && info.data && <Welcome checklist={checklist.data} mode={info.data.mode} />}
      <Dashboard />
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import type { BtcUsdRate, Msat } from '../../../../shared/money';
import { formatCents, formatCharge, formatSatsWhole } from '../../../../shared/money-display';
import { BudgetStatusGauge } from '../../components/BudgetGauge';
import '../../components/governance.css';
import { useTRPC } from '../../lib/trpc';
import { formatDay } from '../../lib/format-time';
import { serviceList } from '../approvals/service-list';

const SpendingCharts = lazy(async () => ({ default: (await import('./SpendingCharts')).SpendingCharts }));

const TASK_STATUS: Record<string, string> = {
  draft: 'Planning',
  planned: 'Planned',
  quoted: 'Priced',
  awaiting_approval: 'Waiting for you',
  running: 'Working',
  paused: 'Paused',
  completed: 'Answered',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Balance, this month's budget and spending, and what waits: every figure refreshed live by useHomeLive. */
export function Dashboard() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.wallet.summary.queryOptions());
  const status = useQuery(trpc.budget.status.queryOptions());
  const month = useQuery(trpc.home.monthSpending.queryOptions());
  return (
    <div className="home-grid">
      <section className="card section" aria-labelledby="balance-title">
        <h2 id="balance-title">Balance</h2>
        {summary.data ? (
          <>
            <p className="home-figure" data-testid="home-balance">
              {formatSatsWhole(summary.data.availableMsat, 'holding')}
            </p>
            <p className="muted" data-testid="home-balance-fiat">
              about {formatCents(summary.data.availableUsdCents)} available to spend
            </p>
            <Link to="/wallet">Top up or withdraw</Link>
          </>
        ) : (
          <p className="loading">Loading…</p>
        )}
      </section>
      <section className="card section" aria-labelledby="budget-title">
        <h2 id="budget-title">This month's budget</h2>
        {status.data ? (
          <BudgetStatusGauge status={status.data} />
        ) : (
          <p className="loading">Loading…</p>
        )}
      </section>
      <section className="card section home-wide" aria-labelledby="spending-title">
        <div className="card-title-row">
          <h2 id="spending-title">Spending this month</h2>
          {month.data && <MonthTotal month={month.data} />}
        </div>
        {/* A month with nothing paid (every new account's first visit) does not load the chart library at all. */}
        {month.data && month.data.totalMsat === 0 ? (
          <p className="muted" data-testid="spend-empty">
            Nothing paid this month yet. Charts of your spending by day and by service appear here after the first payment.
          </p>
        ) : month.data ? (
          <Suspense fallback={<p className="loading">Loading charts…</p>}>
            <SpendingCharts month={month.data} />
          </Suspense>
        ) : (
          <p className="loading">Loading…</p>
        )}
      </section>
      <PendingApprovals />
      <RecentAlerts />
      <RecentTasks />
    </div>
  );
}

function MonthTotal(props: { month: { totalMsat: Msat; rate: BtcUsdRate; byService: { payments: number }[] } }) {
  const payments = props.month.byService.reduce((n, s) => n + s.payments, 0);
  return (
    <span className="muted" data-testid="month-total">
      {formatCharge(props.month.totalMsat, props.month.rate)} in {payments} payment{payments === 1 ? '' : 's'}
    </span>
  );
}

function PendingApprovals() {
  const trpc = useTRPC();
  const pending = useQuery(trpc.approvals.pending.queryOptions());
  const items = pending.data ?? [];
  return (
    <section className="card section" aria-labelledby="pending-title" data-testid="home-approvals">
      <h2 id="pending-title">Waiting for you</h2>
      {items.length === 0 ? (
        <p className="muted">No spends are waiting for your approval.</p>
      ) : (
        <ul className="list">
          {items.slice(0, 3).map(({ approval, quote }) => (
            <li key={approval.id} className="home-row">
              <span>{quote ? serviceList(quote.steps) : 'A spend'}</span>
              <span className="numeric">{quote ? formatCharge(approval.maxMsat, quote.rate) : formatSatsWhole(approval.maxMsat, 'charge')}</span>
            </li>
          ))}
        </ul>
      )}
      {items.length > 0 && <Link to="/approvals">Review {items.length === 1 ? 'it' : `all ${items.length}`} under Approvals</Link>}
    </section>
  );
}

function RecentAlerts() {
  const trpc = useTRPC();
  const alerts = useQuery(trpc.alerts.list.queryOptions({ unreadOnly: false, limit: 4 }));
  return (
    <section className="card section" aria-labelledby="alerts-title" data-testid="home-alerts">
      <h2 id="alerts-title">Recent alerts</h2>
      {alerts.data && alerts.data.length > 0 ? (
        <ul className="list">
          {alerts.data.map((alert) => (
            <li key={alert.id} className="home-row">
              <span className={alert.readAt === null ? 'home-unread' : undefined}>{alert.title}</span>
              <span className="muted">{formatDay(alert.createdAt)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No alerts yet.</p>
      )}
      <Link to="/alerts">All alerts</Link>
    </section>
  );
}

function RecentTasks() {
  const trpc = useTRPC();
  const tasks = useQuery(trpc.tasks.list.queryOptions({ limit: 4 }));
  return (
    <section className="card section" aria-labelledby="tasks-title" data-testid="home-tasks">
      <h2 id="tasks-title">Recent tasks</h2>
      {tasks.data && tasks.data.length > 0 ? (
        <ul className="list">
          {tasks.data.map((task) => (
            <li key={task.id} className="home-row">
              <span className="home-request">{task.request}</span>
              <span className="muted" data-testid="home-task-status">
                {TASK_STATUS[task.status] ?? task.status}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Nothing asked yet.</p>
      )}
      <Link to="/chat">Open Chat</Link>
    </section>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Check, CheckCheck } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { FormError } from '../../components/Field';
import '../../components/governance.css';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { formatWhen } from '../../lib/format-time';
import { useBrowserNotifications } from './browser-notifications';

const SEVERITY_LABEL = { info: 'Info', warning: 'Warning', critical: 'Important' } as const;

/** The Alerts centre: every alert, newest first, unread ones marked; new ones arrive live (ToastHost). */
export function AlertsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const alerts = useQuery(trpc.alerts.list.queryOptions({ unreadOnly, limit: 100 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const markRead = useMutation(trpc.alerts.markRead.mutationOptions({ onSuccess: refresh }));
  const markAllRead = useMutation(trpc.alerts.markAllRead.mutationOptions({ onSuccess: refresh }));
  const unread = alerts.data?.filter((a) => a.readAt === null).length ?? 0;
  const problem = apiProblem(markRead.error ?? markAllRead.error);

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Alerts</h1>
        <p className="page-summary">Budget thresholds, approvals waiting, price changes, failed payments and low balance.</p>
      </header>
      <div className="card section">
        <div className="toolbar">
          <label className="checkbox">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> Show unread only
          </label>
          <button className="button" onClick={() => markAllRead.mutate()} disabled={markAllRead.isPending || unread === 0}>
            <CheckCheck size={16} aria-hidden="true" /> Mark all as read
          </button>
        </div>
        <FormError message={problem && describeProblem(problem)} />
        <BrowserNotificationsSetting />
        {alerts.isPending ? (
          <p className="loading">Loading alerts…</p>
        ) : alerts.data && alerts.data.length > 0 ? (
          <ul className="list" aria-label="Alerts" data-testid="alert-list">
            {alerts.data.map((alert) => (
              <li
                key={alert.id}
                className={alert.readAt === null ? 'alert-item unread' : 'alert-item'}
                data-testid="alert-item"
                data-unread={alert.readAt === null ? 'true' : 'false'}
              >
                <span className="alert-title">
                  {alert.title} <span className={`severity ${alert.severity}`}>{SEVERITY_LABEL[alert.severity]}</span>
                  {alert.readAt === null && <span className="visually-hidden"> (unread)</span>}
                </span>
                <p className="alert-body">{alert.body}</p>
                <p className="alert-meta">
                  {formatWhen(alert.createdAt)}
                  {typeof alert.data.approvalId === 'string' && (
                    <>
                      {' · '}
                      <Link to="/approvals">Open approvals</Link>
                    </>
                  )}
                </p>
                <div className="alert-actions">
                  {alert.readAt === null && (
                    <button
                      className="button subtle"
                      aria-label={`Mark as read: ${alert.title}`}
                      onClick={() => markRead.mutate({ ids: [alert.id] })}
                      disabled={markRead.isPending}
                    >
                      <Check size={16} aria-hidden="true" /> Mark read
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted" data-testid="no-alerts">
            {unreadOnly ? 'No unread alerts.' : 'No alerts yet. You will be told here when a budget threshold is reached or a payment needs you.'}
          </p>
        )}
      </div>
    </section>
  );
}

/** The per-browser opt-in for alerts as the browser's notifications while Steward's tab is out of view. */
function BrowserNotificationsSetting() {
  const { state, turnOn, turnOff } = useBrowserNotifications();
  if (state === 'unsupported') return null;
  return (
    <p className="browser-notifications muted" data-testid="browser-notifications" data-state={state}>
      {state === 'on' && (
        <>
          This browser notifies you of new alerts while Steward is open in another tab.{' '}
          <button type="button" className="link-button" onClick={turnOff}>
            Stop notifying me here
          </button>
        </>
      )}
      {state === 'off' && (
        <>
          A spend waiting for you can go unseen while Steward is in a background tab.{' '}
          <button type="button" className="link-button" onClick={() => void turnOn()}>
            Notify me in this browser
          </button>
        </>
      )}
      {state === 'blocked' && 'This browser blocks notifications from Steward; allow them in its site settings to be notified here.'}
    </p>
  );
}

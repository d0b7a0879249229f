import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '../lib/live';
import { X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { notifyInBrowser } from '../features/alerts/browser-notifications';
import { onStreamError } from '../features/auth/useSession';
import { useTRPC } from '../lib/trpc';
import './governance.css';

interface Toast {
  id: number;
  title: string;
  body: string;
  severity: 'info' | 'warning' | 'critical';
}

/** How long a toast stays; a critical one a little longer. Every alert stays in the Alerts centre. */
const TOAST_MS = { info: 6_000, warning: 8_000, critical: 12_000 } as const;
/** More than three at once is a wall over the page: the oldest makes way. */
export const MAX_TOASTS = 3;

/**
 * Live alerts as toasts: listens on the alerts subscription (SSE) while signed in, shows each new
 * alert for a few seconds, and refreshes every alerts and approvals query so badges and lists follow.
 * On a desktop they stack at the foot of the navigation column, under its links (Layout's `.side`,
 * governance.css), never over a link nor over the page and its actions (a card's Cancel, the chat
 * composer); on a phone they take a band of their own under
 * the bar, so the top of the page moves down rather than hiding under them. Each toast is also stored
 * in the Alerts centre.
 * Render once inside the signed-in layout; `inert` while the phone's menu lies over the band.
 */
export function ToastHost({ inert = false }: { inert?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [toasts, setToasts] = useState<Toast[]>([]);

  useSubscription(
    trpc.alerts.onAlert.subscriptionOptions(undefined, {
      onError: onStreamError,
      // An alert raised before the stream connected gets no toast, but the badges are read again.
      onStarted: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
      },
      onData: (event) => {
        const alert = event.data;
        setToasts((current) => [...current.filter((t) => t.id !== alert.id), { id: alert.id, title: alert.title, body: alert.body, severity: alert.severity }].slice(-MAX_TOASTS));
        notifyInBrowser(alert, (path) => void navigate(path), typeof alert.data.approvalId === 'string' ? '/approvals' : '/alerts');
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
        // Top-ups arriving, refunds and auto-approved spends move the balance and the Home dashboard.
        void queryClient.invalidateQueries({ queryKey: trpc.wallet.summary.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.home.pathKey() });
      },
    }),
  );

  const dismiss = (id: number) => setToasts((current) => current.filter((t) => t.id !== id));
  return (
    <div className="toast-host" inert={inert} role="status" aria-live="polite" aria-label="Notifications">
      {/* Newest first: when the column's room runs out, the older toasts are the ones scrolled out of sight. */}
      {[...toasts].reverse().map((toast) => (
        <ToastItem key={toast.id} toast={toast} onDismiss={() => dismiss(toast.id)} />
      ))}
    </div>
  );
}

/** One toast: dismisses itself after its time, or at a click; "All alerts" opens the Alerts centre. */
function ToastItem(props: { toast: Toast; onDismiss(): void }) {
  const { toast, onDismiss } = props;
  useEffect(() => {
    const timer = setTimeout(onDismiss, TOAST_MS[toast.severity]);
    return () => clearTimeout(timer);
    // Each toast's clock starts once, when it appears; a re-render must not restart it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className={`toast ${toast.severity}`} data-testid="toast">
      <strong>{toast.title}</strong>
      <button className="toast-close" aria-label={`Dismiss: ${toast.title}`} onClick={onDismiss}>
        <X size={16} aria-hidden="true" />
      </button>
      <p>
        {toast.body} <Link to="/alerts">All alerts</Link>
      </p>
    </div>
  );
}

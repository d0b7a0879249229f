import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { onStreamError } from '../features/auth/useSession';
import { useTRPC } from '../lib/trpc';
import './governance.css';

interface Toast {
  id: number;
  title: string;
  body: string;
  severity: 'info' | 'warning' | 'critical';
}

const TOAST_MS = 8_000;

/**
 * Live alerts as toasts: listens on the alerts subscription (SSE) while signed in, shows each new
 * alert for a few seconds, and refreshes every alerts and approvals query so badges and lists follow.
 * Render once inside the signed-in layout.
 */
export function ToastHost() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [toasts, setToasts] = useState<Toast[]>([]);

  useSubscription(
    trpc.alerts.onAlert.subscriptionOptions(undefined, {
      onError: onStreamError,
      onData: (event) => {
        const alert = event.data;
        setToasts((current) => [...current.filter((t) => t.id !== alert.id), { id: alert.id, title: alert.title, body: alert.body, severity: alert.severity }].slice(-4));
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
        // Top-ups arriving, refunds and auto-approved spends move the balance and the Home dashboard.
        void queryClient.invalidateQueries({ queryKey: trpc.wallet.summary.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.home.pathKey() });
      },
    }),
  );

  useEffect(() => {
    if (toasts.length === 0) return;
    const timer = setTimeout(() => setToasts((current) => current.slice(1)), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toasts]);

  const dismiss = (id: number) => setToasts((current) => current.filter((t) => t.id !== id));
  return (
    <div className="toast-host" role="status" aria-live="polite" aria-label="Notifications">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast ${toast.severity}`} data-testid="toast">
          <strong>{toast.title}</strong>
          <button className="toast-close" aria-label={`Dismiss: ${toast.title}`} onClick={() => dismiss(toast.id)}>
            <X size={16} aria-hidden="true" />
          </button>
          <p>{toast.body}</p>
        </div>
      ))}
    </div>
  );
}

import { create } from 'zustand';

/**
 * Alerts as the browser's own notifications, for a person whose Steward tab is open but not in view: a
 * spend waiting for their click otherwise waits unseen. Opt-in per browser (the permission is the
 * browser's; the choice to use it is kept here, so it can be turned off without the browser's settings),
 * and only while the tab is hidden: in view, the toast already shows it.
 */
const STORAGE_KEY = 'steward.browserNotifications';

export type NotificationState = 'unsupported' | 'off' | 'on' | 'blocked';

function supported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

function readState(): NotificationState {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return Notification.permission === 'granted' && localStorage.getItem(STORAGE_KEY) === 'on' ? 'on' : 'off';
}

interface BrowserNotificationsState {
  state: NotificationState;
  /** Asks the browser's permission (on a click: browsers refuse the prompt otherwise) and remembers the choice. */
  turnOn(): Promise<void>;
  turnOff(): void;
}

export const useBrowserNotifications = create<BrowserNotificationsState>((set) => ({
  state: readState(),
  async turnOn() {
    if (!supported()) return;
    const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    if (permission === 'granted') localStorage.setItem(STORAGE_KEY, 'on');
    set({ state: readState() });
  },
  turnOff() {
    localStorage.removeItem(STORAGE_KEY);
    set({ state: readState() });
  },
}));

/** Shows one live alert as a browser notification when the person opted in and the tab is hidden. */
export function notifyInBrowser(alert: { id: number; title: string; body: string }, open: (path: string) => void, path: string): void {
  if (readState() !== 'on' || document.visibilityState !== 'hidden') return;
  // The tag makes a second delivery of the same alert (a reconnecting stream) replace, not repeat, it.
  const notification = new Notification(alert.title, { body: alert.body, tag: `steward-alert-${alert.id}` });
  notification.onclick = () => {
    window.focus();
    open(path);
    notification.close();
  };
}

/**
 * Alerts: stored per person (read/unread) and pushed live to whoever is listening (the tRPC
 * subscription behind the browser's toasts and Alerts centre).
 *
 *   alerts.notify(userId, { kind, title, body, severity, data?, dedupeKey? }) -> StoredAlert
 *   alerts.notifyGovernance(userId, governanceAlert, rate)   // wording from governance/alerts.ts
 *   alerts.list(userId, { unreadOnly? }), alerts.markRead(userId, ids), alerts.markAllRead(userId)
 *   alerts.markDone(userId, dedupeKey)   // what the alert asked for is settled
 *   alerts.subscribe(userId, listener) -> unsubscribe
 *
 * Storing comes first and pushing second, so a browser that was not listening finds the alert in the
 * list later. Pushing goes over the live bus (an alert id; each listener reads the alert), so an alert
 * stored by another instance on the same database reaches this one's listeners too.
 */
import type { GovernanceAlert } from '../../../shared/governance';
import type { BtcUsdRate } from '../../../shared/money';
import type { Db } from '../../db/client';
import { createAlertsRepository, type AlertsRepository } from '../../db/repositories/alerts-repository';
import type { AlertRow } from '../../db/schema/alerts';
import { alertKey, alertMessage } from '../governance';
import { createLocalLiveBus, liveValues, type LiveBus } from '../ports/live-bus';
import { alertDataSchema, type AlertInput, type AlertKind, type AlertSeverity, type StoredAlert } from './types';

export type AlertListener = (alert: StoredAlert) => void;
export type AlertService = ReturnType<typeof createAlertService>;

const MAX_LIST = 200;

function toStored(row: AlertRow): StoredAlert {
  return {
    id: row.id,
    kind: row.kind as AlertKind,
    severity: row.severity,
    title: row.title,
    body: row.body,
    data: row.dataJson ? alertDataSchema.parse(JSON.parse(row.dataJson)) : {},
    createdAt: row.createdAtMs,
    readAt: row.readAtMs,
  };
}

/** The headline and severity of each governance alert; the sentence comes from governance's alertMessage. */
function headline(alert: GovernanceAlert): { title: string; severity: AlertSeverity } {
  switch (alert.kind) {
    case 'budget_threshold':
      return alert.thresholdPercent >= 100
        ? { title: 'Monthly budget used up', severity: 'critical' }
        : { title: `${alert.thresholdPercent}% of your monthly budget used`, severity: 'warning' };
    case 'low_balance':
      return { title: 'Wallet balance is low', severity: 'warning' };
    case 'approval_waiting':
      return { title: 'A payment is waiting for your approval', severity: 'warning' };
    case 'price_drift':
      return { title: 'A price went up', severity: 'warning' };
    case 'payment_failed':
      return { title: 'A payment failed', severity: 'critical' };
    case 'dispute_update':
      return { title: 'Dispute update', severity: 'info' };
  }
}

/**
 * One alert of this person by id, or null. The repository has no lookup by id (it is owned elsewhere);
 * the newest alert below id + 1 is this one when it exists, one indexed row either way.
 */
function alertById(repository: AlertsRepository, userId: string, id: number): StoredAlert | null {
  const [row] = repository.list(userId, { unreadOnly: false, limit: 1, beforeId: id + 1 });
  return row?.id === id ? toStored(row) : null;
}

/** An alert id as the bus carries it (decimal text), or null for anything else. */
function alertIdOf(text: string): number | null {
  return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : null;
}

export function createAlertService(deps: { db: Db; now?: () => number; liveBus?: LiveBus }) {
  const now = deps.now ?? Date.now;
  const repository = createAlertsRepository(deps.db);
  const bus = deps.liveBus ?? createLocalLiveBus();
  const read = (userId: string, text: string): StoredAlert | null => {
    const id = alertIdOf(text);
    return id === null ? null : alertById(repository, userId, id);
  };

  /** Calls `listener` with each new alert of this person until the returned function is called. */
  function subscribe(userId: string, listener: AlertListener): () => void {
    return bus.subscribe('alert', userId, (id) => {
      const alert = read(userId, id);
      if (alert) listener(alert);
    });
  }

  function notify(userId: string, input: AlertInput): StoredAlert {
    const row = repository.insert({
      userId,
      kind: input.kind,
      severity: input.severity,
      title: input.title,
      body: input.body,
      dataJson: input.data ? JSON.stringify(alertDataSchema.parse(input.data)) : null,
      dedupeKey: input.dedupeKey ?? null,
      createdAtMs: now(),
    });
    if (row === null) {
      // Already stored (same dedupe key): the person was told once, and is not told again.
      const existing = input.dedupeKey === undefined ? undefined : repository.byDedupeKey(userId, input.dedupeKey);
      if (!existing) throw new Error('an alert insert was skipped without an alert to show for it');
      return toStored(existing);
    }
    bus.publish({ kind: 'alert', userId, id: String(row.id) });
    return toStored(row);
  }

  return {
    notify,

    /** Stores and pushes a governance alert, worded at `rate`, once per occurrence (governance alertKey). */
    notifyGovernance(userId: string, alert: GovernanceAlert, rate: BtcUsdRate, data: AlertInput['data'] = {}): StoredAlert {
      const { title, severity } = headline(alert);
      return notify(userId, { kind: alert.kind, title, severity, body: alertMessage(alert, rate), dedupeKey: alertKey(alert), data });
    },

    list(userId: string, options: { unreadOnly?: boolean; limit?: number; beforeId?: number } = {}): StoredAlert[] {
      return repository
        .list(userId, { unreadOnly: options.unreadOnly ?? false, limit: Math.min(options.limit ?? 50, MAX_LIST), beforeId: options.beforeId })
        .map(toStored);
    },

    unreadCount: (userId: string): number => repository.unreadCount(userId),

    /** Marks the owner's alerts read (ids of other people's alerts change nothing); returns how many changed. */
    markRead: (userId: string, ids: readonly number[]): number => (ids.length === 0 ? 0 : repository.markRead(userId, ids, now())),

    markAllRead: (userId: string): number => repository.markRead(userId, 'all', now()),

    /**
     * Marks the alert stored under `dedupeKey` read because what it asked for is done (an approval was
     * answered, wherever): the Alerts centre then shows no call to act that is already settled.
     */
    markDone: (userId: string, dedupeKey: string): number => repository.markReadByDedupeKey(userId, dedupeKey, now()),

    /**
     * New alerts of this person as they are stored, until `signal` aborts (the live subscription).
     * Buffered: alerts stored while the consumer is busy are yielded in order, none dropped.
     */
    live: (userId: string, signal: AbortSignal | undefined): AsyncGenerator<StoredAlert> => liveValues(bus, 'alert', userId, signal, (id) => read(userId, id)),

    subscribe,
  };
}

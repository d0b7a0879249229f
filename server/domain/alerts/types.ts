import { z } from 'zod';
import type { GovernanceAlertKind } from '../../../shared/governance';

/**
 * Everything the person can be alerted about: governance's alerts, "paid automatically", card top-ups
 * (a refund or dispute took a credit back; for operators, a treasury that cannot fund one) and the
 * wallet's reconciliation (money moved outside Steward, drift it cannot explain).
 */
export type AlertKind = GovernanceAlertKind | 'auto_approved' | 'top_up' | 'wallet_drift' | 'wallet_movement' | 'service_standing';
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** Non-secret context the UI may link with (approvalId, serviceId, amounts); never codes or tokens. */
export type AlertData = Record<string, string | number | boolean | null>;

export interface AlertInput {
  kind: AlertKind;
  title: string;
  body: string;
  severity: AlertSeverity;
  data?: AlertData;
  /** One occurrence, one alert: a second notify with the same key stores and pushes nothing. */
  dedupeKey?: string;
}

/** An alert as stored and sent to the browser; times are milliseconds since the epoch. */
export interface StoredAlert {
  id: number;
  kind: AlertKind;
  severity: AlertSeverity;
  title: string;
  body: string;
  data: AlertData;
  createdAt: number;
  /** null while unread. */
  readAt: number | null;
}

export const alertDataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

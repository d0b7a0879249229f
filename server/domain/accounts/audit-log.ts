import type { AuditEventKind } from '../../../shared/accounts';
import type { AuditRepository } from '../../db/repositories/audit-repository';
import type { Clock, RequestMeta } from './types';

export interface AuditEvent {
  id: number;
  kind: AuditEventKind;
  detail: Record<string, string | number | boolean | null>;
  ip: string | null;
  userAgent: string | null;
  at: string;
}

/** Non-secret context only: purposes, reasons, action ids. Never a code, token or password. */
export type AuditDetail = Record<string, string | number | boolean | null>;

export type AuditLog = ReturnType<typeof createAuditLog>;

/**
 * A settings change for the audit log: only the settings that changed, each as "Label: value" the
 * way its page shows it, joined into one line for before and one for after (the Security page shows
 * both). A label present on one side only reads "none" on the other.
 */
export function describeChange(was: Record<string, string>, now: Record<string, string>): { before: string; after: string } {
  const labels = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((label) => was[label] !== now[label]);
  const side = (lines: Record<string, string>) => labels.map((label) => `${label}: ${lines[label] ?? 'none'}`).join('; ');
  return { before: side(was), after: side(now) };
}

/**
 * Security events per user (sign-ins, failed codes, 2FA changes, step-ups, approvals, overage
 * authorizations). Later areas record their own events through `record`; people read theirs via `list`.
 */
export function createAuditLog(deps: { repo: AuditRepository; now: Clock }) {
  return {
    record(userId: string, kind: AuditEventKind, detail?: AuditDetail, meta?: RequestMeta): void {
      deps.repo.insert({
        userId,
        kind,
        detailJson: detail ? JSON.stringify(detail) : null,
        ip: meta?.ip ?? null,
        userAgent: meta?.userAgent ?? null,
        createdAtMs: deps.now().getTime(),
      });
    },
    list(userId: string, options: { limit?: number; beforeId?: number } = {}): AuditEvent[] {
      return deps.repo.listForUser(userId, { limit: options.limit ?? 50, beforeId: options.beforeId }).map((row) => ({
        id: row.id,
        kind: row.kind as AuditEventKind,
        detail: row.detailJson ? (JSON.parse(row.detailJson) as AuditDetail) : {},
        ip: row.ip,
        userAgent: row.userAgent,
        at: new Date(row.createdAtMs).toISOString(),
      }));
    },
  };
}

// SQL for approval requests (server/db/schema/approvals.ts). Reads take the owner's id (except
// byIdForRunner, for the task runner's wait, which has no user session); every status change is a
// conditional UPDATE from 'pending', so a second answer to the same request changes nothing.
import { and, desc, eq, lte } from 'drizzle-orm';
import type { Db } from '../client';
import { approvals, type ApprovalRow, type NewApprovalRow } from '../schema/approvals';

type ResolvedStatus = Exclude<ApprovalRow['status'], 'pending'>;

export type ApprovalsRepository = ReturnType<typeof createApprovalsRepository>;

export function createApprovalsRepository(db: Db) {
  return {
    transaction<T>(fn: () => T): T {
      return db.transaction(() => fn(), { behavior: 'immediate' });
    },
    insert(row: NewApprovalRow): ApprovalRow {
      return db.insert(approvals).values(row).returning().get();
    },
    byId(userId: string, approvalId: string): ApprovalRow | undefined {
      return db.select().from(approvals).where(and(eq(approvals.userId, userId), eq(approvals.id, approvalId))).get();
    },
    byIdForRunner(approvalId: string): ApprovalRow | undefined {
      return db.select().from(approvals).where(eq(approvals.id, approvalId)).get();
    },
    byQuote(userId: string, quoteId: string): ApprovalRow | undefined {
      return db.select().from(approvals).where(and(eq(approvals.userId, userId), eq(approvals.quoteId, quoteId))).get();
    },
    list(userId: string, options: { status?: ApprovalRow['status']; taskId?: string; limit: number }): ApprovalRow[] {
      return db
        .select()
        .from(approvals)
        .where(
          and(
            eq(approvals.userId, userId),
            options.status ? eq(approvals.status, options.status) : undefined,
            options.taskId ? eq(approvals.taskId, options.taskId) : undefined,
          ),
        )
        .orderBy(desc(approvals.createdAtMs), desc(approvals.id))
        .limit(options.limit)
        .all();
    },
    /** pending -> `to`; returns the updated row, or undefined when it was not pending. */
    resolve(
      userId: string,
      approvalId: string,
      to: ResolvedStatus,
      fields: { resolvedAtMs: number; overageReason?: string | null },
    ): ApprovalRow | undefined {
      return db
        .update(approvals)
        .set({ status: to, ...fields })
        .where(and(eq(approvals.userId, userId), eq(approvals.id, approvalId), eq(approvals.status, 'pending')))
        .returning()
        .get();
    },
    /** Every pending request whose time is up becomes expired; returns them. */
    expireDue(nowMs: number): ApprovalRow[] {
      return db
        .update(approvals)
        .set({ status: 'expired', resolvedAtMs: nowMs })
        .where(and(eq(approvals.status, 'pending'), lte(approvals.expiresAtMs, nowMs)))
        .returning()
        .all();
    },
    /** Every pending request of the task becomes `to` (cancelled with the task, or superseded). */
    resolveTask(userId: string, taskId: string, to: ResolvedStatus, nowMs: number): ApprovalRow[] {
      return db
        .update(approvals)
        .set({ status: to, resolvedAtMs: nowMs })
        .where(and(eq(approvals.userId, userId), eq(approvals.taskId, taskId), eq(approvals.status, 'pending')))
        .returning()
        .all();
    },
  };
}

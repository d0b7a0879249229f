// SQL for tasks and their steps (server/db/schema/tasks.ts). Synchronous and small: the runner writes
// a step's state before and after each await, and every write bumps the task's version so the live
// stream can tell subscribers something changed.
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { taskSteps, tasks, type NewTaskStepRow, type TaskRow, type TaskStepRow } from '../schema/tasks';

export type TaskStatus = TaskRow['status'];
export type StepStatus = TaskStepRow['status'];
export type TaskPatch = Partial<Omit<TaskRow, 'id' | 'userId' | 'request' | 'createdAtMs' | 'version' | 'agentKeyId'>>;
export type StepPatch = Partial<Omit<TaskStepRow, 'taskId' | 'stepId' | 'position' | 'idempotencyKey'>>;
export type TasksRepository = ReturnType<typeof createTasksRepository>;

export function createTasksRepository(db: Db) {
  function bump(taskId: string, nowMs: number): void {
    db.update(tasks).set({ version: sql`${tasks.version} + 1`, updatedAtMs: nowMs }).where(eq(tasks.id, taskId)).run();
  }

  return {
    insert(row: { id: string; userId: string; request: string; agentKeyId: string | null; nowMs: number }): TaskRow {
      return db
        .insert(tasks)
        .values({ id: row.id, userId: row.userId, request: row.request, agentKeyId: row.agentKeyId, status: 'draft', createdAtMs: row.nowMs, updatedAtMs: row.nowMs })
        .returning()
        .get();
    },

    byId(taskId: string): TaskRow | undefined {
      return db.select().from(tasks).where(eq(tasks.id, taskId)).get();
    },

    /** The task only when it belongs to `userId`: every read on behalf of a person goes through this. */
    forUser(userId: string, taskId: string): TaskRow | undefined {
      return db
        .select()
        .from(tasks)
        .where(and(eq(tasks.id, taskId), eq(tasks.userId, userId)))
        .get();
    },

    listForUser(userId: string, options: { limit: number; beforeMs?: number }): TaskRow[] {
      const where = options.beforeMs === undefined ? eq(tasks.userId, userId) : and(eq(tasks.userId, userId), lt(tasks.createdAtMs, options.beforeMs));
      return db.select().from(tasks).where(where).orderBy(desc(tasks.createdAtMs), desc(tasks.id)).limit(options.limit).all();
    },

    forAgentKey(userId: string, agentKeyId: string, statuses: readonly TaskStatus[]): TaskRow[] {
      return db
        .select()
        .from(tasks)
        .where(and(eq(tasks.userId, userId), eq(tasks.agentKeyId, agentKeyId), inArray(tasks.status, [...statuses])))
        .all();
    },

    withStatus(statuses: readonly TaskStatus[]): TaskRow[] {
      return db.select().from(tasks).where(inArray(tasks.status, [...statuses])).orderBy(asc(tasks.createdAtMs)).all();
    },

    update(taskId: string, patch: TaskPatch, nowMs: number): void {
      db.update(tasks)
        .set({ ...patch, version: sql`${tasks.version} + 1`, updatedAtMs: nowMs })
        .where(eq(tasks.id, taskId))
        .run();
    },

    /** Moves the task to `to` only from one of `from`; false when it was elsewhere (e.g. cancelled meanwhile). */
    transition(taskId: string, from: readonly TaskStatus[], to: TaskStatus, patch: TaskPatch, nowMs: number): boolean {
      const result = db
        .update(tasks)
        .set({ ...patch, status: to, version: sql`${tasks.version} + 1`, updatedAtMs: nowMs })
        .where(and(eq(tasks.id, taskId), inArray(tasks.status, [...from])))
        .run();
      return result.changes === 1;
    },

    insertSteps(rows: NewTaskStepRow[], nowMs: number): void {
      if (rows.length === 0) return;
      db.insert(taskSteps).values(rows).run();
      const taskId = rows[0]?.taskId;
      if (taskId) bump(taskId, nowMs);
    },

    steps(taskId: string): TaskStepRow[] {
      return db.select().from(taskSteps).where(eq(taskSteps.taskId, taskId)).orderBy(asc(taskSteps.position)).all();
    },

    updateStep(taskId: string, stepId: string, patch: StepPatch, nowMs: number): void {
      db.update(taskSteps)
        .set({ ...patch, updatedAtMs: nowMs })
        .where(and(eq(taskSteps.taskId, taskId), eq(taskSteps.stepId, stepId)))
        .run();
      bump(taskId, nowMs);
    },

    /** Marks every step still in one of `from` as `to` (e.g. pending -> cancelled). */
    updateStepsIn(taskId: string, from: readonly StepStatus[], to: StepStatus, nowMs: number): void {
      db.update(taskSteps)
        .set({ status: to, updatedAtMs: nowMs })
        .where(and(eq(taskSteps.taskId, taskId), inArray(taskSteps.status, [...from])))
        .run();
      bump(taskId, nowMs);
    },
  };
}

/**
 * The task store the runner writes through (server/db/repositories/tasks-repository.ts implements it;
 * the composition root passes it in). Rows, not views: the runner turns them into TaskView.
 */
export const TERMINAL_TASK_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type TaskStatus = 'draft' | 'planned' | 'quoted' | 'awaiting_approval' | 'running' | 'paused' | (typeof TERMINAL_TASK_STATUSES)[number];
export type StepStatus = 'pending' | 'paying' | 'delivered' | 'failed' | 'skipped' | 'cancelled';

export interface TaskRecord {
  id: string;
  userId: string;
  request: string;
  status: TaskStatus;
  version: number;
  planJson: string | null;
  quoteJson: string | null;
  decisionJson: string | null;
  approvalId: string | null;
  /** The agent key (an MCP client) the task runs for; null when the person asked in the app. */
  agentKeyId: string | null;
  answerJson: string | null;
  failureJson: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
}

export interface StepRecord {
  taskId: string;
  stepId: string;
  position: number;
  serviceId: string;
  serviceName: string;
  providerName: string;
  status: StepStatus;
  inputJson: string | null;
  idempotencyKey: string;
  paymentId: string | null;
  amountMsat: number | null;
  feeMsat: number | null;
  outcome: string | null;
  reason: string | null;
  outputJson: string | null;
  judgement: 'accepted' | 'disputed' | null;
  disputeJson: string | null;
  updatedAtMs: number;
}

export type TaskPatch = Partial<Omit<TaskRecord, 'id' | 'userId' | 'request' | 'createdAtMs' | 'version' | 'agentKeyId'>>;
export type StepPatch = Partial<Omit<StepRecord, 'taskId' | 'stepId' | 'position' | 'idempotencyKey'>>;

export interface TaskStore {
  insert(row: { id: string; userId: string; request: string; agentKeyId: string | null; nowMs: number }): TaskRecord;
  /** The key's tasks in one of `statuses` (a revoked key's work in flight). */
  forAgentKey(userId: string, agentKeyId: string, statuses: readonly TaskStatus[]): TaskRecord[];
  byId(taskId: string): TaskRecord | undefined;
  forUser(userId: string, taskId: string): TaskRecord | undefined;
  listForUser(userId: string, options: { limit: number; beforeMs?: number }): TaskRecord[];
  withStatus(statuses: readonly TaskStatus[]): TaskRecord[];
  update(taskId: string, patch: TaskPatch, nowMs: number): void;
  transition(taskId: string, from: readonly TaskStatus[], to: TaskStatus, patch: TaskPatch, nowMs: number): boolean;
  insertSteps(rows: Omit<StepRecord, 'inputJson' | 'paymentId' | 'amountMsat' | 'feeMsat' | 'outcome' | 'reason' | 'outputJson' | 'judgement' | 'disputeJson'>[], nowMs: number): void;
  steps(taskId: string): StepRecord[];
  updateStep(taskId: string, stepId: string, patch: StepPatch, nowMs: number): void;
  updateStepsIn(taskId: string, from: readonly StepStatus[], to: StepStatus, nowMs: number): void;
}

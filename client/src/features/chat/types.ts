import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/api/router';

type Outputs = inferRouterOutputs<AppRouter>;
export type TaskView = Outputs['tasks']['get'];
export type StepView = TaskView['steps'][number];
export type TaskAnswer = NonNullable<TaskView['answer']>;
export type AnswerBlock = TaskAnswer['steps'][number]['blocks'][number];

const ACTIVE_STATUSES: readonly TaskView['status'][] = ['draft', 'planned', 'quoted', 'awaiting_approval', 'running', 'paused'];
export const isActive = (task: Pick<TaskView, 'status'>) => ACTIVE_STATUSES.includes(task.status);

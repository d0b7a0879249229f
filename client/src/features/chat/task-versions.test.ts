import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keepNewerTasks, withLiveTask } from './task-versions';

type Task = { id: string; version: number; status: string };
const paying: Task = { id: 't1', version: 4, status: 'running' };
const completed: Task = { id: 't1', version: 5, status: 'completed' };
const other: Task = { id: 't2', version: 1, status: 'completed' };

describe('the chat history under live events and refetches', () => {
  it('keeps a task completed by a live event when a refetch started earlier answers afterwards', async () => {
    const client = new QueryClient();
    const queryKey = ['tasks.list'];
    client.setQueryData<Task[]>(queryKey, [paying, other]);
    // The refetch after "Approve" is read while the task is paying; the completion event overtakes its answer.
    let answer: (tasks: Task[]) => void = () => undefined;
    const refetch = client.fetchQuery({
      queryKey,
      queryFn: () => new Promise<Task[]>((resolve) => (answer = resolve)),
      structuralSharing: (cached: unknown, fetched: unknown) => keepNewerTasks(cached as Task[] | undefined, fetched as Task[]),
    });
    client.setQueryData<Task[]>(queryKey, (tasks) => withLiveTask(tasks, completed));
    answer([paying, other]);
    await refetch;
    expect(client.getQueryData<Task[]>(queryKey)).toEqual([completed, other]);
  });

  it('takes what a fetch brings when it is as new or newer, including tasks the cache never held', () => {
    const later = { ...completed, version: 6, status: 'completed' };
    const fresh: Task = { id: 't3', version: 1, status: 'running' };
    expect(keepNewerTasks([completed], [later, fresh])).toEqual([later, fresh]);
    expect(keepNewerTasks(undefined, [paying])).toEqual([paying]);
  });

  it('puts a live view in place or at the top, and ignores one older than what is shown', () => {
    const shown = [completed, other];
    expect(withLiveTask(shown, paying)).toBe(shown);
    expect(withLiveTask([paying, other], completed)).toEqual([completed, other]);
    const fresh: Task = { id: 't3', version: 1, status: 'running' };
    expect(withLiveTask(shown, fresh)).toEqual([fresh, completed, other]);
    expect(withLiveTask(undefined, fresh)).toEqual([fresh]);
  });
});

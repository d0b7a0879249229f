import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '../../lib/live';
import { SendHorizontal } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { onStreamError } from '../auth/useSession';
import './chat.css';
import { EXAMPLE_REQUESTS, ExamplePrompts } from './ExamplePrompts';
import { TaskCard } from './TaskCard';
import { keepNewerTasks, withLiveTask } from './task-versions';
import type { TaskView } from './types';

const HISTORY = { limit: 30 };

/** The conversation: each request and the agent's answer to it, oldest first, updated live. */
export function ChatPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.tasks.list.queryKey(HISTORY);
  const history = useQuery(
    trpc.tasks.list.queryOptions(HISTORY, {
      structuralSharing: (cached, fetched) => keepNewerTasks(cached as TaskView[] | undefined, fetched as TaskView[]),
    }),
  );
  const endRef = useRef<HTMLDivElement>(null);
  const onSent = (task: TaskView) => queryClient.setQueryData<TaskView[]>(listKey, (list) => (list?.some((t) => t.id === task.id) ? list : [task, ...(list ?? [])]));
  const submit = useMutation(trpc.tasks.submit.mutationOptions({ onSuccess: onSent }));
  const ask = (text: string) => {
    if (!submit.isPending) submit.mutate({ text });
  };

  // Live progress: each event is a whole task; put it into the history in place (or at the top). The
  // stream tells only what changes after it connects: once it is up (and after each reconnect), the
  // history is fetched again, so a task that moved on meanwhile (on a slow network) is not left behind.
  useSubscription(
    trpc.tasks.onUpdate.subscriptionOptions(
      {},
      {
        onError: onStreamError,
        onStarted: () => void queryClient.invalidateQueries({ queryKey: trpc.tasks.list.pathKey() }),
        onData: (event) => {
          const task = event.data as TaskView;
          queryClient.setQueryData<TaskView[]>(listKey, (tasks) => withLiveTask(tasks, task));
        },
      },
    ),
  );

  // Approving, denying or cancelling here also changes what waits under Approvals and its alert (and their badges).
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.tasks.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  };
  const tasks = [...(history.data ?? [])].reverse();
  const count = tasks.length;
  const lastVersion = tasks.at(-1)?.version ?? 0;
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [count, lastVersion]);

  return (
    <div className="page chat-page">
      <header className="page-header">
        <h1>Chat</h1>
        <p className="page-summary">Ask in plain words. The agent plans the paid calls, shows the price, and only spends what you allow.</p>
      </header>
      <div className="chat-log" role="log" aria-live="polite" aria-label="Conversation" data-testid="chat-log">
        {history.isLoading && <p className="loading">Loading your conversation…</p>}
        {history.data && count === 0 && (
          <div className="card chat-empty">
            <p>Nothing asked yet. Try one of these:</p>
            <ExamplePrompts examples={EXAMPLE_REQUESTS} onPick={ask} disabled={submit.isPending} label="Example requests" />
          </div>
        )}
        {tasks.map((task) => (
          <div className="chat-exchange" key={task.id} data-testid="chat-exchange">
            <p className="chat-bubble" data-testid="user-message">
              {task.request}
            </p>
            <TaskCard task={task} onChanged={refresh} onAsk={ask} />
          </div>
        ))}
        <div ref={endRef} className="chat-end" />
      </div>
      <Composer onSent={onSent} />
    </div>
  );
}

/** Enter sends, Shift+Enter starts a new line. */
function Composer(props: { onSent(task: TaskView): void }) {
  const trpc = useTRPC();
  const [text, setText] = useState('');
  const submit = useMutation(
    trpc.tasks.submit.mutationOptions({
      onSuccess: (task) => {
        setText('');
        props.onSent(task);
      },
    }),
  );
  const problem = apiProblem(submit.error);

  function send(event?: FormEvent) {
    event?.preventDefault();
    if (text.trim() === '' || submit.isPending) return;
    submit.mutate({ text });
  }
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) send(event);
  }

  return (
    <form className="chat-composer card" onSubmit={send}>
      <label htmlFor="chat-input" className="sr-only">
        Message the agent
      </label>
      <textarea
        id="chat-input"
        data-testid="chat-input"
        placeholder="Ask the agent…"
        aria-describedby="chat-keys"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        rows={2}
        maxLength={4000}
        autoFocus
      />
      <button className="button primary" type="submit" disabled={submit.isPending || text.trim() === ''} aria-label="Send">
        <SendHorizontal size={18} aria-hidden="true" />
        <span className="chat-send-label">Send</span>
      </button>
      {/* A phone has no Shift key to speak of: the hint shows where a keyboard is likely (wide screens). */}
      <p id="chat-keys" className="muted chat-keys wide-only">
        Enter sends; Shift+Enter starts a new line.
      </p>
      <FormError message={problem && describeProblem(problem)} />
    </form>
  );
}

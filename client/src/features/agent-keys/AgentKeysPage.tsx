import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { AgentKeyView } from '../../../../shared/agent-keys';
import { msat } from '../../../../shared/money';
import { formatSatsWhole } from '../../../../shared/money-display';
import { Field, FormError } from '../../components/Field';
import { describeProblem, problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { useProofStep } from '../wallet/useProofStep';
import './agent-keys.css';
import { formatDay, formatWhen } from '../../lib/format-time';

/**
 * Settings -> Agent keys: keys for AI agents (MCP clients), each narrower than the person's own rules.
 * A new key is shown once, here, and never again (only its hash is kept).
 */
export function AgentKeysPage() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.agentKeys.list.queryOptions());
  const [shown, setShown] = useState<{ name: string; secret: string } | null>(null);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Agent keys</h1>
        <p className="page-summary">
          Let an AI agent (Claude Desktop, an IDE, any MCP client) pay through Steward. Each key has its own caps and can only narrow your
          budget and approval rules, never widen them.
        </p>
      </header>
      {shown && <NewKey name={shown.name} secret={shown.secret} onDone={() => setShown(null)} />}
      <CreateKeyForm onCreated={setShown} />
      <section className="card section" aria-labelledby="keys-title">
        <h2 id="keys-title">Your keys</h2>
        {keys.data && keys.data.length > 0 ? (
          <ul className="list" data-testid="agent-keys">
            {keys.data.map((key) => (
              <KeyRow key={key.id} agentKey={key} />
            ))}
          </ul>
        ) : (
          <p className="muted">No agent keys yet.</p>
        )}
      </section>
    </section>
  );
}

function NewKey(props: { name: string; secret: string; onDone: () => void }) {
  return (
    <section className="card section agent-key-new" role="status" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Copy the key for “{props.name}” now</h2>
      <p>This is the only time Steward shows it. Put it in your agent's MCP configuration as <code>STEWARD_AGENT_KEY</code> or a bearer token.</p>
      <code className="agent-key-secret" data-testid="new-agent-key">
        {props.secret}
      </code>
      <div className="actions">
        <button className="button" onClick={() => void navigator.clipboard?.writeText(props.secret)}>
          Copy
        </button>
        <button className="button primary" onClick={props.onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}

const WORDING = {
  title: 'Confirm the new key',
  explanation: 'A key spends for you until you revoke it, even after you sign out everywhere, so making one needs',
  submit: 'Create key',
};

function CreateKeyForm(props: { onCreated: (shown: { name: string; secret: string }) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', monthlyCapSats: '5000', perCallCapSats: '500', allowed: '', mayAutoSpend: false, expiresInDays: '90' });
  const create = useMutation(
    trpc.agentKeys.create.mutationOptions({
      onSuccess: (created) => {
        props.onCreated({ name: created.key.name, secret: created.secret });
        setForm((f) => ({ ...f, name: '' }));
        void queryClient.invalidateQueries({ queryKey: trpc.agentKeys.pathKey() });
      },
    }),
  );
  const step = useProofStep(create, WORDING, (input) => `Create the key “${input.name}”.`);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    step.submit({
      name: form.name,
      monthlyCapSats: Number(form.monthlyCapSats),
      perCallCapSats: Number(form.perCallCapSats),
      allowed: form.allowed.split(/[\s,]+/).filter(Boolean),
      mayAutoSpend: form.mayAutoSpend,
      expiresInDays: form.expiresInDays === '' ? null : Number(form.expiresInDays),
    });
  };
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: event.target.value }));
  // The dialog has its own form, so it sits beside this one, never inside it.
  return (
    <>
      <form className="card section agent-key-form" onSubmit={submit} aria-labelledby="create-key-title">
        <h2 id="create-key-title">New key</h2>
        <FormError message={step.problem ? describeProblem(step.problem) : null} />
        <Field label="Name" value={form.name} onChange={set('name')} placeholder="Claude Desktop" required maxLength={60} />
        <div className="agent-key-caps">
          <Field label="Monthly cap (sats)" type="number" min={0} value={form.monthlyCapSats} onChange={set('monthlyCapSats')} required />
          <Field label="Per-call cap (sats)" type="number" min={0} value={form.perCallCapSats} onChange={set('perCallCapSats')} required />
          <Field label="Expires in (days)" type="number" min={1} max={366} value={form.expiresInDays} onChange={set('expiresInDays')} hint="Empty: until you revoke it." />
        </div>
        <Field label="Allowed services or origins" value={form.allowed} onChange={set('allowed')} hint="Service ids or https:// origins, separated by commas. Empty: your whole catalog." />
        <label className="checkbox">
          <input type="checkbox" checked={form.mayAutoSpend} onChange={(e) => setForm((f) => ({ ...f, mayAutoSpend: e.target.checked }))} />
          May spend within your auto-approve limit without asking (otherwise every spend asks you)
        </label>
        <button className="button primary" type="submit" disabled={create.isPending}>
          Create key
        </button>
      </form>
      {step.dialog}
    </>
  );
}

const STATUS_LABEL = { active: 'Active', revoked: 'Revoked', expired: 'Expired' } as const;

function KeyRow(props: { agentKey: AgentKeyView }) {
  const key = props.agentKey;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(trpc.agentKeys.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.agentKeys.pathKey() }) }));
  return (
    <li className="list-row agent-key-row" data-testid="agent-key" data-status={key.status}>
      <div>
        <strong>{key.name}</strong> <span className={`tag ${key.status}`}>{STATUS_LABEL[key.status]}</span>
        <p className="muted">
          <code>{key.keyPrefix}…</code> · spent {formatSatsWhole(msat(key.spentThisMonthMsat), 'charge')} of {formatSatsWhole(msat(key.monthlyCapMsat), 'holding')} this month · up
          to {formatSatsWhole(msat(key.perCallCapMsat), 'holding')} a call · {key.mayAutoSpend ? 'may auto-spend' : 'always asks'}
        </p>
        <p className="muted">
          {key.allowed.length > 0 ? `Only ${key.allowed.join(', ')}` : 'Any service in your catalog'} ·{' '}
          {key.lastUsedAtMs === null ? 'not used yet' : `last used ${formatWhen(key.lastUsedAtMs)}`}
          {key.expiresAtMs !== null && ` · expires ${formatDay(key.expiresAtMs)}`}
        </p>
        <FormError message={problemText(revoke.error)} />
      </div>
      {key.status === 'active' && (
        <button className="button danger" onClick={() => revoke.mutate({ keyId: key.id })} disabled={revoke.isPending}>
          Revoke
        </button>
      )}
    </li>
  );
}

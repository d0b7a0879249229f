import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { ChevronDown, ChevronRight, CircleAlert, CircleCheck, Plus, Trash2 } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import type { AppRouter } from '../../../../server/api/router';
import { msat, type BtcUsdRate } from '../../../../shared/money';
import { formatFiat, formatSatsExact, formatSatsWhole } from '../../../../shared/money-display';
import { Field, FormError } from '../../components/Field';
import { GuardProofDialog } from '../../components/GuardProofDialog';
import { apiProblem, describeProblem, problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { BlockedProviders } from './BlockedProviders';
import { ServiceReputation, type ReputationRecord } from './ServiceReputation';
import './services.css';
import { formatWhen } from '../../lib/format-time';

type Catalog = inferRouterOutputs<AppRouter>['catalog']['list'];
type ServiceEntry = Catalog['services'][number];
type Provider = Catalog['providers'][number];
type Preference = ServiceEntry['preference'];

/** "1 sat (less than 1 cent)": dollars at today's rate, for a feel of the amount; quotes lock their own rate. */
function satsAndUsd(amountMsat: number, rate: BtcUsdRate): string {
  return `${formatSatsWhole(msat(amountMsat), 'charge')} (${formatFiat(msat(amountMsat), rate, 'charge')})`;
}

function priceText(pricing: ServiceEntry['pricing'], rate: BtcUsdRate): string {
  if (pricing.model === 'fixed') return satsAndUsd(pricing.priceMsat, rate);
  if (pricing.model === 'dynamic') return 'Priced per request: the agent asks the provider for a quote before anything is paid';
  const parts = pricing.components.map((c) => `${formatSatsExact(msat(c.priceMsatPerUnit))} per ${c.unit} ${c.constraint.replaceAll('_', ' ')}`);
  return `${satsAndUsd(pricing.baseMsat, rate)} plus ${parts.join(' and ')}`;
}

export function ServicesPage() {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.catalog.list.queryOptions());
  // Reputation is extra: the catalog shows without it while it loads or if it fails.
  const reputation = useQuery(trpc.catalog.reputation.queryOptions());
  const data = catalog.data;
  const records = new Map((reputation.data?.services ?? []).map((r) => [r.serviceId, r]));
  const paused = new Set((reputation.data?.paused ?? []).map((p) => p.serviceId));

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Services</h1>
        <p className="page-summary">The paid APIs the agent may buy from for you, what they cost, and your rule for each.</p>
      </header>
      <section className="card section rules-explained" aria-label="What the rules mean">
        <p>
          <strong>Follow my tiers</strong> (the default): the agent pays small amounts by itself and asks you about larger ones, as set under Budget.
        </p>
        <p>
          <strong>Always allow</strong> skips the click to approve, but never your monthly budget or your authenticator code for large spends.
        </p>
        <p>
          <strong>Block</strong> means the agent never uses the service: it is left out when the agent plans a task.
        </p>
      </section>
      {catalog.isPending && <p className="loading">Loading…</p>}
      {catalog.isError && <p className="form-error">The catalog could not be loaded. Please try again.</p>}
      {data && (
        <>
          <Providers providers={data.providers} />
          <BlockedProviders />
          {groupByProvider(data.services).map((group) => (
            <ProviderServices
              key={group.providerId}
              name={group.providerName}
              source={data.providers.find((p) => p.origin === group.origin)}
              services={group.services}
              rate={data.rate}
              reputation={records}
              paused={paused}
            />
          ))}
        </>
      )}
    </section>
  );
}

function ProviderStatus({ provider }: { provider: Provider }) {
  if (provider.lastError) {
    const since = provider.lastLoadedAtMs === null ? '' : `; showing its services as of ${formatWhen(provider.lastLoadedAtMs)}`;
    return (
      <span className="provider-status bad" data-testid="provider-status">
        <CircleAlert size={14} aria-hidden /> Last check failed ({provider.lastError.reason.replaceAll('_', ' ')}){since}
      </span>
    );
  }
  if (provider.lastLoadedAtMs === null) return <span className="provider-status muted">Not checked yet</span>;
  return (
    <span className="provider-status good" data-testid="provider-status">
      <CircleCheck size={14} aria-hidden /> Online · checked {formatWhen(provider.lastLoadedAtMs)}
    </span>
  );
}

/** Why the catalog refused a service of a provider's manifest, in words (reasons from manifest-to-catalog.ts). */
const REFUSAL_TEXT: Record<Provider['refused'][number]['reason'], string> = {
  off_origin_path: 'its address leads to another server than this provider',
  unsupported_output_schema: 'what it promises to return cannot be checked',
  unsupported_input_schema: 'its input cannot be checked',
  unsupported_method: 'it uses an HTTP method the agent does not call',
  invalid_resource: 'its description is malformed',
  invalid_service: 'its description is malformed',
  no_resources: 'it lists nothing to call',
};

function RefusedServices({ provider }: { provider: Provider }) {
  if (provider.refused.length === 0) return null;
  return (
    <ul className="provider-refused" data-testid="provider-refused" aria-label={`Services of ${provider.name ?? provider.origin} left out`}>
      {provider.refused.map((refused, index) => (
        <li key={`${refused.name}-${index}`} className="provider-status bad" data-reason={refused.reason} title={refused.detail}>
          <CircleAlert size={14} aria-hidden /> Left out {refused.name}: {REFUSAL_TEXT[refused.reason]} ({refused.reason.replaceAll('_', ' ')})
        </li>
      ))}
    </ul>
  );
}

function Providers({ providers }: { providers: Provider[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.catalog.pathKey() });
  const remove = useMutation(trpc.catalog.removeProvider.mutationOptions({ onSuccess: invalidate }));

  return (
    <section className="card section" aria-labelledby="providers-title">
      <h2 id="providers-title">Providers</h2>
      <p className="muted">The addresses your catalog is loaded from, checked every 15 minutes. If a check fails, the services from the last good check stay usable.</p>
      <ul className="list" data-testid="providers">
        {providers.map((provider) => (
          <li key={provider.id} className="provider-row" data-testid="provider">
            <div className="provider-main">
              <strong>{provider.name ?? provider.origin}</strong>
              {provider.own && <span className="tag">added by you</span>}
              <span className="muted provider-origin">{provider.origin}</span>
              <ProviderStatus provider={provider} />
              <RefusedServices provider={provider} />
            </div>
            <span className="muted">
              {provider.serviceCount} {provider.serviceCount === 1 ? 'service' : 'services'}
            </span>
            {provider.own && (
              <button
                type="button"
                className="button subtle"
                aria-label={`Remove ${provider.name ?? provider.origin}`}
                disabled={remove.isPending}
                onClick={() => remove.mutate({ providerId: provider.id })}
              >
                <Trash2 size={16} aria-hidden />
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormError message={problemText(remove.error)} />
      <AddProvider onAdded={invalidate} />
    </section>
  );
}

function AddProvider({ onAdded }: { onAdded: () => Promise<void> }) {
  const trpc = useTRPC();
  const [url, setUrl] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation(
    trpc.catalog.addProvider.mutationOptions({
      onSuccess: async (provider) => {
        setAdded(`${provider.name ?? provider.origin} added with ${provider.serviceCount} ${provider.serviceCount === 1 ? 'service' : 'services'}.`);
        setUrl('');
        await onAdded();
      },
    }),
  );
  const problem = apiProblem(add.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    add.mutate({ url });
  }

  return (
    <form className="form add-provider" onSubmit={submit} noValidate>
      <Field
        label="Add a provider by its address"
        hint="Any L402 provider that publishes /.well-known/l402.json, e.g. https://api.example.com"
        inputMode="url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        error={problem?.fieldErrors.url}
        data-testid="provider-url"
      />
      <FormError message={problem && !problem.fieldErrors.url ? describeProblem(problem) : null} />
      {added && (
        <p className="saved" role="status">
          {added}
        </p>
      )}
      <button type="submit" className="button" disabled={add.isPending}>
        <Plus size={16} aria-hidden /> {add.isPending ? 'Checking the provider…' : 'Add provider'}
      </button>
    </form>
  );
}

/** One address may serve several providers (the sandbox market serves six): group by the provider itself. */
function groupByProvider(services: ServiceEntry[]) {
  const groups = new Map<string, { providerId: string; providerName: string; origin: string; services: ServiceEntry[] }>();
  for (const service of services) {
    const group = groups.get(service.providerId) ?? { providerId: service.providerId, providerName: service.providerName, origin: service.origin, services: [] };
    group.services.push(service);
    groups.set(service.providerId, group);
  }
  return [...groups.values()];
}

function ProviderServices(props: { name: string; source: Provider | undefined; services: ServiceEntry[]; rate: BtcUsdRate; reputation: Map<string, ReputationRecord>; paused: Set<string> }) {
  const titleId = useId();
  return (
    <section className="card section" aria-labelledby={titleId} data-testid="provider-services">
      <div className="card-title-row">
        <h2 id={titleId}>{props.name}</h2>
        {props.source && <ProviderStatus provider={props.source} />}
      </div>
      <ul className="list services">
        {props.services.map((service) => (
          <ServiceItem key={service.id} service={service} rate={props.rate} reputation={props.reputation.get(service.id)} paused={props.paused.has(service.id)} />
        ))}
      </ul>
    </section>
  );
}

const PREFERENCES: { value: Preference; label: string }[] = [
  { value: null, label: 'Follow my tiers' },
  { value: 'allow', label: 'Always allow' },
  { value: 'block', label: 'Block' },
];

function ServiceItem({ service, rate, reputation, paused }: { service: ServiceEntry; rate: BtcUsdRate; reputation: ReputationRecord | undefined; paused: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const groupName = useId();
  const [historyOpen, setHistoryOpen] = useState(false);
  const setPreference = useMutation(
    trpc.catalog.setPreference.mutationOptions({
      onSuccess: async () => {
        // The rule is a budget rule too: the Budget page shows it.
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.catalog.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() }),
          // The change is audited: Security lists it.
          queryClient.invalidateQueries({ queryKey: trpc.security.auditLog.pathKey() }),
        ]);
      },
    }),
  );

  // The choice shows at once; once saved and the list refetched, the list's own value takes over
  // (also after a refusal, which puts the saved rule back).
  const [chosen, setChosen] = useState<Preference | undefined>(undefined);
  const preference = chosen === undefined ? service.preference : chosen;
  // Unblocking or always allowing loosens the guard: the server asks for the code (or password) and
  // the dialog collects it, then the same choice is sent again with it.
  const [proofFor, setProofFor] = useState<{ preference: Preference; proof: 'code' | 'password' } | null>(null);
  const choose = (value: Preference) => {
    setChosen(value);
    setPreference.mutate(
      { serviceId: service.id, preference: value },
      {
        onSettled: () => setChosen(undefined),
        onError: (error) => {
          const reason = apiProblem(error)?.reason;
          if (reason === 'step_up_required' || reason === 'password_required') {
            setProofFor({ preference: value, proof: reason === 'step_up_required' ? 'code' : 'password' });
          }
        },
      },
    );
  };

  return (
    <li className={`service-item ${preference === 'block' ? 'blocked' : ''}`} data-testid="service" data-service-id={service.id}>
      <div className="service-head">
        <h3>
          {service.name}
          {preference === 'block' && <span className="tag blocked-tag">blocked</span>}
          {preference === 'allow' && <span className="tag">always allowed</span>}
          {paused && (
            <span className="tag blocked-tag" data-testid="service-paused" title="Too many paid calls were not delivered lately: paused for everyone until an operator resumes it">
              paused for everyone
            </span>
          )}
        </h3>
        <span className="service-price" data-testid="service-price">
          {priceText(service.pricing, rate)}
        </span>
      </div>
      <p className="service-description">{service.description}</p>
      <ServiceReputation record={reputation} />
      <fieldset className="preference" disabled={setPreference.isPending}>
        <legend className="visually-hidden">Rule for {service.name}</legend>
        {PREFERENCES.map((option) => (
          <label key={option.label} className={preference === option.value ? 'chosen' : ''}>
            <input
              type="radio"
              name={groupName}
              checked={preference === option.value}
              onChange={() => choose(option.value)}
            />
            {option.label}
          </label>
        ))}
      </fieldset>
      <FormError message={proofFor ? null : problemText(setPreference.error)} />
      {proofFor && (
        <GuardProofDialog
          proof={proofFor.proof}
          reasons={[proofFor.preference === 'allow' ? `Always allows ${service.name}: payments up to your confirm limit go through without asking you.` : `Lifts your block on ${service.name}.`]}
          pending={setPreference.isPending}
          error={setPreference.error}
          onSubmit={(proof) =>
            setPreference.mutate({ serviceId: service.id, preference: proofFor.preference, ...proof }, { onSuccess: () => setProofFor(null) })
          }
          onClose={() => {
            setProofFor(null);
            setPreference.reset();
          }}
        />
      )}
      <button type="button" className="button subtle history-toggle" aria-expanded={historyOpen} onClick={() => setHistoryOpen(!historyOpen)}>
        {historyOpen ? <ChevronDown size={16} aria-hidden /> : <ChevronRight size={16} aria-hidden />}
        Price history
      </button>
      {historyOpen && <PriceHistory serviceId={service.id} rate={rate} />}
    </li>
  );
}

function PriceHistory({ serviceId, rate }: { serviceId: string; rate: BtcUsdRate }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.catalog.priceHistory.queryOptions({ serviceId }));
  if (history.isPending) return <p className="muted">Loading…</p>;
  if (history.isError) return <p className="form-error">The price history could not be loaded.</p>;
  return (
    <div className="price-history" data-testid="price-history">
      <p className="muted">Recorded each time the provider’s advertised price changed, newest first.</p>
      <ul className="list">
        {history.data.map((row) => (
          <li key={row.observedAtMs} className="list-row">
            <span>{formatWhen(row.observedAtMs)}</span>
            <span>{row.priceMsat === null ? 'priced per request' : satsAndUsd(row.priceMsat, rate)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Price discovery without paying, from a provider's `/.well-known/l402.json` (lightninglabs/L402
 * agent-spec.md): `fixed` and `formula` prices are computed here, `dynamic` ones asked of the
 * provider's quote endpoint. All of it is advisory: the invoice amount is what the gate checks.
 */
import { z } from 'zod';
import { parseMsat } from '../../../shared/money';
import type { Msat } from '../../../shared/money';
import type { L402Challenge } from './challenge';
import type { L402Fetcher } from './fetcher';

export const MANIFEST_PATH = '/.well-known/l402.json';

const msatAmount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const pricingSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('fixed'), price_msat: msatAmount }),
  z.object({
    model: z.literal('formula'),
    base_msat: msatAmount,
    components: z.array(
      z.object({ constraint: z.string().min(1), price_msat_per_unit: msatAmount, unit: z.number().int().positive() }),
    ),
  }),
  z.object({ model: z.literal('dynamic') }),
]);
const resourceSchema = z.object({
  path: z.string().startsWith('/'),
  method: z.string().transform((m) => m.toUpperCase()).pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])),
  description: z.string().optional(),
  capability: z.string().optional(),
  pricing: pricingSchema,
  constraints: z
    .record(z.string(), z.object({ type: z.string(), min: z.number().optional(), max: z.number().optional() }))
    .optional(),
  /** Sandbox-market extensions: where the input goes and its JSON Schema. */
  input_in: z.enum(['query', 'body']).optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});
const manifestSchema = z.object({
  version: z.string(),
  provider: z
    .object({ name: z.string().optional(), description: z.string().optional(), node_pubkey: z.string().regex(/^[0-9a-f]{66}$/i).optional() })
    .optional(),
  currencies: z.array(z.string()).optional(),
  quote_endpoint: z.string().startsWith('/').optional(),
  services: z.array(
    z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      provider: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
      token_validity_seconds: z.number().int().positive().optional(),
      resources: z.array(resourceSchema),
    }),
  ),
});

export type L402Manifest = z.output<typeof manifestSchema>;
export type ManifestService = L402Manifest['services'][number];
export type ManifestResource = ManifestService['resources'][number];

export type ManifestFetchResult =
  | { ok: true; manifest: L402Manifest }
  | { ok: false; reason: 'fetch_failed' | 'no_manifest' | 'http_error' | 'invalid_manifest'; detail: string };

export async function fetchManifest(origin: string, fetcher: L402Fetcher): Promise<ManifestFetchResult> {
  const result = await fetcher(new URL(MANIFEST_PATH, origin).href, { method: 'GET', headers: { accept: 'application/json' } });
  if (!result.ok) return { ok: false, reason: 'fetch_failed', detail: `${result.reason}: ${result.detail}` };
  const { status } = result.response;
  if (status === 404) return { ok: false, reason: 'no_manifest', detail: 'the provider publishes no manifest' };
  if (status !== 200) return { ok: false, reason: 'http_error', detail: `status ${status}` };
  const parsed = manifestSchema.safeParse(parseJson(result.response.text()));
  if (!parsed.success) return { ok: false, reason: 'invalid_manifest', detail: z.prettifyError(parsed.error) };
  return { ok: true, manifest: parsed.data };
}

export type LocalPrice =
  | { kind: 'priced'; priceMsat: Msat }
  | { kind: 'dynamic' }
  | { kind: 'missing_usage'; constraint: string }
  | { kind: 'unpriceable' };

/**
 * A `fixed` price, or a `formula` one for the given usage (`base + Σ per_unit × ceil(value / unit)`).
 * `dynamic` needs `requestQuote`. Exact integer arithmetic; an overflow is `unpriceable`.
 */
export function localPrice(resource: ManifestResource, usage: Readonly<Record<string, number>>): LocalPrice {
  const pricing = resource.pricing;
  if (pricing.model === 'dynamic') return { kind: 'dynamic' };
  if (pricing.model === 'fixed') return { kind: 'priced', priceMsat: pricing.price_msat as Msat };
  let total = BigInt(pricing.base_msat);
  for (const component of pricing.components) {
    const value = usage[component.constraint];
    if (value === undefined) return { kind: 'missing_usage', constraint: component.constraint };
    if (!Number.isSafeInteger(value) || value < 0) return { kind: 'unpriceable' };
    const units = (BigInt(value) + BigInt(component.unit) - 1n) / BigInt(component.unit);
    total += BigInt(component.price_msat_per_unit) * units;
  }
  const priceMsat = parseMsat(total);
  return priceMsat.ok ? { kind: 'priced', priceMsat: priceMsat.value } : { kind: 'unpriceable' };
}

const quoteSchema = z.object({
  price_msat: msatAmount,
  quote_expiry: z.number().int().nonnegative(),
  macaroon: z.string().min(1),
  invoice: z.string().min(1),
});
const quoteErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

export interface QuoteRequest {
  service: string;
  constraints: Record<string, number>;
  tier?: number;
  maxPriceMsat?: Msat;
}

export type QuoteResult =
  | { ok: true; priceMsat: Msat; quoteExpirySec: number; challenge: L402Challenge }
  | { ok: false; reason: 'no_quote_endpoint' | 'fetch_failed' | 'quote_refused' | 'invalid_quote'; detail: string };

/** Asks for a firm quote; the answer is an ordinary L402 challenge, to be verified like any other. */
export async function requestQuote(
  origin: string,
  manifest: L402Manifest,
  request: QuoteRequest,
  fetcher: L402Fetcher,
): Promise<QuoteResult> {
  if (!manifest.quote_endpoint) return { ok: false, reason: 'no_quote_endpoint', detail: 'the manifest names no quote endpoint' };
  const endpoint = new URL(manifest.quote_endpoint, origin);
  // `//other-host/quote` resolves to another host: a quote (and its invoice) from someone else.
  if (endpoint.origin !== new URL(origin).origin) return { ok: false, reason: 'no_quote_endpoint', detail: `the quote endpoint leads off the provider's origin, to ${endpoint.origin}` };
  const result = await fetcher(endpoint.href, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      service: request.service,
      tier: request.tier ?? 0,
      constraints: request.constraints,
      ...(request.maxPriceMsat === undefined ? {} : { max_price_msat: request.maxPriceMsat }),
    }),
  });
  if (!result.ok) return { ok: false, reason: 'fetch_failed', detail: `${result.reason}: ${result.detail}` };
  const json = parseJson(result.response.text());
  if (result.response.status !== 200) {
    const error = quoteErrorSchema.safeParse(json);
    const detail = error.success ? `${error.data.error.code}: ${error.data.error.message ?? ''}` : `status ${result.response.status}`;
    return { ok: false, reason: 'quote_refused', detail };
  }
  const quote = quoteSchema.safeParse(json);
  if (!quote.success) return { ok: false, reason: 'invalid_quote', detail: z.prettifyError(quote.error) };
  return {
    ok: true,
    priceMsat: quote.data.price_msat as Msat,
    quoteExpirySec: quote.data.quote_expiry,
    challenge: { scheme: 'L402', dialect: 'macaroon', macaroon: quote.data.macaroon, invoice: quote.data.invoice },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

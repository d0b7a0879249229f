/**
 * The discovery document served at /.well-known/l402.json, in the agent spec's manifest shape
 * (lightninglabs/L402 agent-spec.md), extended per resource with `description`, `input_schema`
 * (JSON Schema of the query or body), `input_in`, `output_schema` (JSON Schema of the paid response
 * body), `output_text_field` (its main text, where it has one) and `output_text_within` (the input
 * property that text is an excerpt of), and per service with its provider,
 * `tags` and `examples` (sample requests), which agents rank services on, and the provider's
 * `refund_endpoint` where it takes refund requests (docs/provider-refunds.md).
 */
import { MARKET_PROVIDERS } from './catalog';
import type { Pricing, Service } from './catalog';

export const QUOTE_PATH = '/l402/quote';

function pricingJson(pricing: Pricing): Record<string, unknown> {
  switch (pricing.model) {
    case 'fixed':
      return { model: 'fixed', price_msat: pricing.priceMsat };
    case 'formula':
      return {
        model: 'formula',
        base_msat: pricing.baseMsat,
        components: pricing.components.map((c) => ({
          constraint: c.constraint,
          price_msat_per_unit: c.priceMsatPerUnit,
          unit: c.unit,
        })),
      };
    case 'dynamic':
      // The spec keeps dynamic prices out of the manifest: the client must ask the quote endpoint.
      return { model: 'dynamic' };
  }
}

/**
 * `nodeKeyOf` gives a provider's Lightning node key, published as its `node_pubkey` so a client can
 * refuse an invoice payable to anyone else (the sandbox's simulated nodes have one; test invoicers not).
 */
export function buildManifest(
  services: readonly Service[],
  nodeKeyOf: (providerId: string) => string | undefined = () => undefined,
  refundPathOf: (providerId: string) => string | undefined = () => undefined,
): Record<string, unknown> {
  const caveats: Record<string, unknown> = {
    services: { type: 'service_list', attenuation: 'subset' },
  };
  for (const service of services) {
    caveats[`${service.name}_valid_until`] = { type: 'unix_timestamp', attenuation: 'decrease' };
    for (const key of Object.keys(service.constraints)) caveats[key] = { type: 'integer', attenuation: 'decrease' };
  }
  return {
    version: '1.0',
    provider: {
      name: 'Steward sandbox market',
      description: 'Demo L402 services from several providers; content is generated locally.',
    },
    currencies: ['msat'],
    quote_endpoint: QUOTE_PATH,
    services: services.map((service) => ({
      name: service.name,
      provider: providerOf(service.providerId, nodeKeyOf(service.providerId), refundPathOf(service.providerId)),
      description: service.description,
      tags: service.tags,
      examples: service.examples,
      tiers: [{ tier: 0 }],
      capabilities: [],
      token_validity_seconds: service.validitySec,
      resources: [
        {
          path: service.path,
          method: service.method,
          description: service.description,
          pricing: pricingJson(service.pricing),
          ...(Object.keys(service.constraints).length > 0 ? { constraints: service.constraints } : {}),
          input_in: service.method === 'GET' ? 'query' : 'body',
          input_schema: service.inputJsonSchema,
          output_schema: service.outputJsonSchema,
          ...(service.outputTextField ? { output_text_field: service.outputTextField } : {}),
          ...(service.outputTextWithin ? { output_text_within: service.outputTextWithin } : {}),
        },
      ],
    })),
    caveats,
  };
}

function providerOf(providerId: string, nodePubkey: string | undefined, refundPath: string | undefined): Record<string, unknown> | undefined {
  const provider = MARKET_PROVIDERS.find((p) => p.id === providerId);
  return provider && { id: provider.id, name: provider.name, ...(nodePubkey ? { node_pubkey: nodePubkey } : {}), ...(refundPath ? { refund_endpoint: refundPath } : {}) };
}

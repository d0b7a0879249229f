/**
 * POST /l402/quote (agent spec): prices a bundle of constraints and returns a firm quote that is an
 * ordinary L402 challenge (macaroon + invoice) valid until `quote_expiry`.
 */
import { z } from 'zod';
import { providerName } from './catalog';
import type { Service } from './catalog';
import { INVOICE_EXPIRY_SEC } from './seller';
import type { Seller } from './seller';

export const QuoteRequest = z.object({
  service: z.string().min(1),
  tier: z.number().int().min(0).default(0),
  capabilities: z.array(z.string()).optional(),
  constraints: z.record(z.string(), z.number().int()).default({}),
  max_price_msat: z.number().int().positive().optional(),
  optimize: z.string().optional(),
  token_id: z.string().optional(),
});

export type QuoteOutcome =
  | { status: 200; body: Record<string, unknown> }
  | { status: 400 | 404; body: { error: { code: string; message: string; field?: string } } };

function quoteError(status: 400 | 404, code: string, message: string, field?: string): QuoteOutcome {
  return { status, body: { error: { code, message, ...(field ? { field } : {}) } } };
}

export function quote(raw: unknown, deps: { services: readonly Service[]; seller: Seller; nowMs: number }): QuoteOutcome {
  const parsed = QuoteRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return quoteError(400, 'invalid_request', z.prettifyError(parsed.error), issue?.path.join('.'));
  }
  const request = parsed.data;
  const service = deps.services.find((s) => s.name === request.service);
  if (!service) return quoteError(404, 'unknown_service', `no service named ${request.service}`, 'service');
  if (request.tier !== 0) return quoteError(400, 'unknown_tier', 'only tier 0 is offered', 'tier');
  if (request.capabilities && request.capabilities.length > 0) {
    return quoteError(400, 'unknown_capability', 'these services have no capabilities to select', 'capabilities');
  }
  for (const [key, value] of Object.entries(request.constraints)) {
    const bounds = service.constraints[key];
    if (!bounds) return quoteError(400, 'constraint_out_of_bounds', `unknown constraint ${key}`, `constraints.${key}`);
    if (value < bounds.min || value > bounds.max) {
      return quoteError(400, 'constraint_out_of_bounds', `${key} must be within ${bounds.min}..${bounds.max}`, `constraints.${key}`);
    }
  }
  const missing = Object.keys(service.constraints).find((key) => !Object.hasOwn(request.constraints, key));
  if (missing) return quoteError(400, 'constraint_out_of_bounds', `${missing} is required`, `constraints.${missing}`);

  const priceMsat = service.priceMsat(request.constraints, deps.nowMs);
  if (request.max_price_msat !== undefined && priceMsat > request.max_price_msat) {
    return quoteError(400, 'unsatisfiable_budget', `the bundle costs ${priceMsat} msat`, 'max_price_msat');
  }
  const challenge = deps.seller.challenge({
    providerId: service.providerId,
    providerName: providerName(service.providerId),
    service: service.name,
    description: service.description,
    priceMsat,
    usage: request.constraints,
    validitySec: service.validitySec,
  });
  return {
    status: 200,
    body: {
      service: service.name,
      tier: 0,
      constraints: request.constraints,
      price_msat: priceMsat,
      // The invoice expiry matches the quote, so the price is firm exactly as long as it is payable.
      quote_expiry: Math.floor(deps.nowMs / 1000) + INVOICE_EXPIRY_SEC,
      macaroon: challenge.macaroon,
      invoice: challenge.invoice,
      alternatives: [],
    },
  };
}

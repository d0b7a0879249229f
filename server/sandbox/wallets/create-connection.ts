/**
 * NIP-47 `create_connection` as Alby Hub answers it, for the sandbox: a connection (an "app") made over
 * NWC by a connection allowed to make them. The client generates the new connection's secret and sends
 * only its public key; the wallet answers with the new connection's own wallet-service key. `isolated`
 * makes a sub-wallet with its own balance (a new node here); otherwise the app spends from the parent's.
 * `max_amount` (msat) becomes the connection's budget. The sandbox keeps no renewing budgets, expiries
 * or notifications, and says so rather than pretending.
 */
import { z } from 'zod';

const paramsSchema = z.object({
  pubkey: z.string().regex(/^[0-9a-f]{64}$/, 'must be a 32-byte hex public key'),
  name: z.string().min(1).max(200),
  request_methods: z.array(z.string()),
  notification_types: z.array(z.string()).optional(),
  max_amount: z.number().int().nonnegative().optional(),
  budget_renewal: z.enum(['daily', 'weekly', 'monthly', 'yearly', 'never']).optional(),
  expires_at: z.number().int().positive().optional(),
  isolated: z.boolean().optional(),
  metadata: z.unknown().optional(),
});

export interface ConnectionGrant {
  clientPubkey: string;
  name: string;
  requestMethods: string[];
  budgetMsat: number | null;
  isolated: boolean;
}

export type GrantResult = { ok: true; grant: ConnectionGrant } | { ok: false; code: 'BAD_REQUEST' | 'NOT_IMPLEMENTED'; message: string };

/** What a create_connection request asks for, checked against what the sandbox can serve. */
export function grantFor(params: unknown, supportedMethods: readonly string[]): GrantResult {
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) return { ok: false, code: 'BAD_REQUEST', message: z.prettifyError(parsed.error) };
  const request = parsed.data;
  // As Alby Hub: an app made over NWC may never make apps itself.
  if (request.request_methods.includes('create_connection')) {
    return { ok: false, code: 'BAD_REQUEST', message: 'cannot create a new app that has create_connection permission via NWC' };
  }
  if (request.request_methods.length === 0) return { ok: false, code: 'BAD_REQUEST', message: 'No request methods provided' };
  const unsupported = request.request_methods.filter((method) => !supportedMethods.includes(method));
  if (unsupported.length > 0) return { ok: false, code: 'BAD_REQUEST', message: `methods not supported: ${unsupported.join(', ')}` };
  if ((request.notification_types ?? []).length > 0) return { ok: false, code: 'BAD_REQUEST', message: 'the sandbox sends no notifications' };
  if (request.max_amount !== undefined && (request.budget_renewal ?? 'never') !== 'never') {
    return { ok: false, code: 'NOT_IMPLEMENTED', message: 'sandbox budgets never renew: use budget_renewal "never"' };
  }
  if (request.expires_at !== undefined) return { ok: false, code: 'NOT_IMPLEMENTED', message: 'sandbox connections do not expire' };
  return {
    ok: true,
    grant: {
      clientPubkey: request.pubkey,
      name: request.name,
      requestMethods: request.request_methods,
      budgetMsat: request.max_amount ?? null,
      isolated: request.isolated ?? false,
    },
  };
}

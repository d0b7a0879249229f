/**
 * The sandbox's Stripe state. With a data dir it is a small JSON file rewritten atomically (write
 * then rename, mode 0600) after every change; without one it lives in memory.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Charge, CheckoutSession, LineItem, Refund, StripeEvent } from './objects';

export interface StripeState {
  sessions: Record<string, CheckoutSession>;
  lineItems: Record<string, LineItem[]>;
  /** What a session carries that its Stripe object does not show. */
  sessionMeta: Record<string, { apiVersion: string | null; paymentIntentMetadata: Record<string, string> }>;
  charges: Record<string, Charge>;
  refunds: Record<string, Refund>;
  /** Every event, with whether the webhook endpoint has acknowledged it (undelivered ones resume on start). */
  events: Record<string, { event: StripeEvent; delivered: boolean }>;
}

export interface StripeStore {
  readonly state: StripeState;
  /** Persists after a mutation; call once per logical change. */
  save(): void;
}

const FILE_NAME = 'stripe-sandbox.json';

export function openStripeStore(dataDir?: string): StripeStore {
  const empty: StripeState = { sessions: {}, lineItems: {}, sessionMeta: {}, charges: {}, refunds: {}, events: {} };
  if (!dataDir) return { state: empty, save: () => undefined };
  const path = join(dataDir, FILE_NAME);
  const state = readState(path) ?? empty;
  return {
    state,
    save() {
      mkdirSync(dataDir, { recursive: true });
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}

function readState(path: string): StripeState | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StripeState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

// Test helpers for quotes and approvals: a scripted price probe (with delays) and plan steps.
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../../shared/money';
import type { PriceProbeRequest, PriceProbeResult } from '../payments';
import type { StandingCheck, StandingRefusal } from '../../../shared/reputation';
import type { QuoteStepInput } from './types';

/** Where providers stand, set by the test: blocked `<userId>|<providerId>` pairs and paused service ids. */
export function testStanding(): StandingCheck & { blocked: Set<string>; paused: Set<string> } {
  const blocked = new Set<string>();
  const paused = new Set<string>();
  return {
    blocked,
    paused,
    refusalFor(userId, service): StandingRefusal | null {
      if (blocked.has(`${userId}|${service.providerId}`)) return 'provider_blocked';
      return paused.has(service.serviceId) ? 'service_paused' : null;
    },
  };
}

/** $100,000 per BTC, as in the sandbox: 1 sat = 0.1 cent. */
export const TEST_RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));

/** A probe answering from a price table by service name, after the given delay; counts its calls. */
export function scriptedProbe(table: Record<string, { priceMsat: number; delayMs?: number; quotedMsat?: number; fail?: string }>) {
  const calls: PriceProbeRequest[] = [];
  async function probePrice(request: PriceProbeRequest): Promise<PriceProbeResult> {
    calls.push(request);
    const entry = table[request.service];
    if (!entry) return { ok: false, reason: 'fetch_failed', detail: `no such service ${request.service}` };
    if (entry.delayMs) await new Promise((resolve) => setTimeout(resolve, entry.delayMs));
    if (entry.fail) return { ok: false, reason: 'unexpected_status', detail: entry.fail };
    if (entry.quotedMsat !== undefined) {
      return {
        ok: true,
        source: 'quote',
        priceMsat: msat(entry.priceMsat),
        quotedMsat: msat(entry.quotedMsat),
        advisory: false,
        expiresAtMs: Number.MAX_SAFE_INTEGER,
        paymentHashHex: '00'.repeat(32),
      };
    }
    return { ok: true, source: 'manifest', priceMsat: msat(entry.priceMsat), advisory: true, expiresAtMs: null };
  }
  return { probePrice, calls, table };
}

export function planStep(stepId: string, serviceName: string, input: Record<string, unknown> = {}): QuoteStepInput {
  return {
    stepId,
    serviceId: `market/${serviceName}`,
    serviceName,
    providerName: 'Demo market',
    providerId: 'market',
    origin: 'http://127.0.0.1:9',
    method: 'GET',
    path: `/api/${serviceName}`,
    input,
  };
}

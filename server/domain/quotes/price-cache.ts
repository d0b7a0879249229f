import type { PriceProbeRequest, PriceProbeResult } from '../payments';

type PricedResult = Extract<PriceProbeResult, { ok: true }>;

/**
 * Prices probed in the last `ttlMs`, so a re-quote or a second task asking the same thing does not
 * hit the provider again. An entry also ends when the price itself does (the invoice or quote
 * expiry). Concurrent asks for the same request share one probe. Failures are never cached: the next
 * quote tries again.
 */
export function createPriceCache(options: { ttlMs: number; now: () => number }) {
  const entries = new Map<string, { result: PricedResult; validUntilMs: number }>();
  const inFlight = new Map<string, Promise<PriceProbeResult>>();

  const keyOf = (request: PriceProbeRequest) =>
    JSON.stringify([request.userId, request.service, request.request.method, request.request.url, request.request.body ?? null, request.usage ?? {}]);

  function fresh(key: string): PricedResult | null {
    const entry = entries.get(key);
    if (!entry) return null;
    if (options.now() < entry.validUntilMs) return entry.result;
    entries.delete(key);
    return null;
  }

  return {
    /** The cached price, or the probe's answer (cached when it is a price). */
    async get(request: PriceProbeRequest, probe: (request: PriceProbeRequest) => Promise<PriceProbeResult>): Promise<PriceProbeResult> {
      const key = keyOf(request);
      const cached = fresh(key);
      if (cached) return cached;
      const pending = inFlight.get(key);
      if (pending) return pending;
      const probing = probe(request)
        .then((result) => {
          if (result.ok) {
            const ttlEnd = options.now() + options.ttlMs;
            entries.set(key, { result, validUntilMs: result.expiresAtMs === null ? ttlEnd : Math.min(ttlEnd, result.expiresAtMs) });
          }
          return result;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, probing);
      return probing;
    },
  };
}

import type { PriceProbeRequest, PriceProbeResult } from '../payments';

type PricedResult = Extract<PriceProbeResult, { ok: true }>;

/**
 * Prices probed in the last `ttlMs`, so a re-quote or a second task asking the same thing does not
 * hit the provider again. An entry also ends when the price itself does (the invoice or quote
 * expiry). Concurrent asks for the same request share one probe. Failures are never cached: the next
 * quote tries again.
 *
 * A price read from the provider's manifest depends only on the priced resource and the usage, not on
 * who asks nor on the call's input, so it is kept under that key: one probe (or one warm-up ahead of
 * any request, `remember`) serves every person and every input until the TTL ends.
 */
export function createPriceCache(options: { ttlMs: number; now: () => number }) {
  const entries = new Map<string, { result: PricedResult; validUntilMs: number }>();
  const inFlight = new Map<string, Promise<PriceProbeResult>>();

  const keyOf = (request: PriceProbeRequest) =>
    JSON.stringify([request.userId, request.service, request.request.method, request.request.url, request.request.body ?? null, request.usage ?? {}]);

  function manifestKeyOf(request: PriceProbeRequest): string {
    const url = new URL(request.request.url);
    return JSON.stringify(['manifest', request.service, request.request.method, url.origin, url.pathname, request.usage ?? {}]);
  }

  function fresh(key: string): PricedResult | null {
    const entry = entries.get(key);
    if (!entry) return null;
    if (options.now() < entry.validUntilMs) return entry.result;
    entries.delete(key);
    return null;
  }

  function store(request: PriceProbeRequest, result: PricedResult): void {
    const ttlEnd = options.now() + options.ttlMs;
    const key = result.source === 'manifest' ? manifestKeyOf(request) : keyOf(request);
    entries.set(key, { result, validUntilMs: result.expiresAtMs === null ? ttlEnd : Math.min(ttlEnd, result.expiresAtMs) });
  }

  return {
    /** The cached price, or the probe's answer (cached when it is a price). */
    async get(request: PriceProbeRequest, probe: (request: PriceProbeRequest) => Promise<PriceProbeResult>): Promise<PriceProbeResult> {
      // A firm ask wants an invoice, which a manifest price is not.
      const cached = (request.firm ? null : fresh(manifestKeyOf(request))) ?? fresh(keyOf(request));
      if (cached) return cached;
      const key = keyOf(request);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const probing = probe(request)
        .then((result) => {
          if (result.ok) store(request, result);
          return result;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, probing);
      return probing;
    },

    /** Keeps a manifest price probed ahead of any request; other answers are not a price for everybody. */
    remember(request: PriceProbeRequest, result: PriceProbeResult): boolean {
      if (!result.ok || result.source !== 'manifest') return false;
      store(request, result);
      return true;
    },
  };
}

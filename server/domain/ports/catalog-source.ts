/**
 * The catalog source port: reads a provider's discovery manifest (`/.well-known/l402.json`) as the
 * untrusted JSON it is. The L402 rail implements it over the guarded fetch (server/rails/l402/
 * catalog-source.ts), so a provider URL a person typed can only reach what the SSRF guard allows;
 * the agent's catalog maps the JSON to catalog entries.
 */
export type CatalogSourceRefusal =
  /** Not an absolute http(s) URL, or one with credentials, a query or a fragment. */
  | 'invalid_url'
  /** The guard refused the address (private, loopback, link-local, ...) in live mode. */
  | 'blocked_address'
  /** No HTTP answer (DNS, connection, timeout, too large). */
  | 'fetch_failed'
  | 'no_manifest'
  | 'http_error'
  | 'invalid_json';

export type ManifestDocument =
  | { ok: true; origin: string; manifest: unknown }
  | { ok: false; reason: CatalogSourceRefusal; detail: string };

export interface CatalogSourcePort {
  /** `providerUrl` is any URL on the provider's origin; the manifest is read from that origin. */
  readManifest(providerUrl: string): Promise<ManifestDocument>;
}

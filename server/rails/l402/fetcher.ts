/**
 * The HTTP client the L402 rail needs, as a type only: the composition root passes the guarded fetch
 * (server/rails/http), whose results have this shape. Kept structural so the L402 rail does not depend
 * on the HTTP rail's module.
 */
export interface L402FetchRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  redirect?: 'manual' | 'same_origin';
}

export interface L402FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  url: string;
  text(): string;
}

export type L402FetchResult =
  | { ok: true; response: L402FetchResponse }
  | { ok: false; reason: string; detail: string };

export type L402Fetcher = (url: string, request?: L402FetchRequest) => Promise<L402FetchResult>;

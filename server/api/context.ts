import type { Logger } from '../logger';

/** What the composition root hands to every request. Later areas add their domain services here. */
export interface ApiDeps {
  mode: 'sandbox' | 'live';
  version: string;
  logger: Logger;
}

export interface ApiContext {
  deps: ApiDeps;
}

export function createApiContext(deps: ApiDeps): ApiContext {
  return { deps };
}

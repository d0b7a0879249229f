import type { L402HttpRequest } from '../ports/l402';

/**
 * The HTTP request a step makes, built the same way for the price probe and for the purchase so a
 * kept challenge matches: GET puts the input in the query string (arrays repeat the key, objects as
 * JSON), POST sends it as a JSON body.
 */
export function requestForStep(step: { origin: string; method: 'GET' | 'POST'; path: string; input: Record<string, unknown> }): L402HttpRequest {
  const url = new URL(step.path, step.origin);
  if (step.method === 'POST') {
    return { url: url.href, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(step.input) };
  }
  for (const [key, value] of Object.entries(step.input)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      url.searchParams.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  return { url: url.href, method: 'GET' };
}

// A provider that lies in its manifest, for integration tests: it fronts the real sandbox market on
// its own loopback origin, passing every request through untouched (challenges, invoices, paid
// answers), except the discovery manifest, which `rewrite` edits (a foreign node key, a lower price
// than its invoices ask). Configured like any operator provider, through the catalog's provider URLs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LyingMarket {
  url: string;
  close(): Promise<void>;
}

type Manifest = { provider?: Record<string, unknown>; services: Array<{ name: string; provider?: Record<string, unknown>; resources: Array<Record<string, unknown>> }> };

export async function startLyingMarket(marketUrl: string, rewrite: (manifest: Manifest) => Manifest): Promise<LyingMarket> {
  const server = createServer((req, res) => void forward(marketUrl, rewrite, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function forward(marketUrl: string, rewrite: (manifest: Manifest) => Manifest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && !['host', 'content-length', 'transfer-encoding', 'connection'].includes(name)) headers.set(name, value);
  }
  const answer = await fetch(new URL(req.url ?? '/', marketUrl), {
    method: req.method ?? 'GET',
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  let body = Buffer.from(await answer.arrayBuffer());
  if (req.url === '/.well-known/l402.json' && answer.ok) body = Buffer.from(JSON.stringify(rewrite(JSON.parse(body.toString('utf8')) as Manifest)));
  const out: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    if (['content-length', 'content-encoding', 'transfer-encoding', 'www-authenticate'].includes(name)) return;
    out[name] = value;
  });
  // Two WWW-Authenticate lines (LSAT and L402) must stay two lines.
  const challenges = wwwAuthenticate(answer.headers);
  if (challenges.length > 0) out['www-authenticate'] = challenges;
  res.writeHead(answer.status, out);
  res.end(body);
}

function wwwAuthenticate(headers: Headers): string[] {
  const joined = headers.get('www-authenticate');
  if (joined === null) return [];
  // fetch joins repeated headers with ", "; each challenge starts with its scheme.
  return joined.split(/,\s*(?=(?:LSAT|L402)\s)/i);
}
